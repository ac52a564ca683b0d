import assert from 'node:assert/strict';
import { test } from 'node:test';

import { notice } from '../check.js';

test('a NOTICE naming the owner passes', () => {
  const texts = { NOTICE: 'Copyright ACME Corp.\n', 'src/main.js': '' };
  assert.equal(notice(Object.keys(texts), (p) => texts[p], 'ACME Corp.').status, 'pass');
});

test('a wrong owner is a finding', () => {
  const texts = { 'NOTICE.md': 'Copyright Initech\n' };
  const result = notice(Object.keys(texts), (p) => texts[p], 'ACME Corp.');
  assert.equal(result.message, 'NOTICE.md does not name ACME Corp.');
  assert.deepEqual(result.findings, [{ message: 'no `Copyright ACME Corp.`', path: 'NOTICE.md', line: 1 }]);
});

test('no NOTICE fails', () => {
  assert.equal(notice([], null, 'ACME Corp.').message, 'no NOTICE file at the root');
});
