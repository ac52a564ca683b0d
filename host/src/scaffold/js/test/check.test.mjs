import assert from 'node:assert/strict';
import { test } from 'node:test';

import { notice } from '../check.js';
import { fakeRepo } from '../fake-repo.js';
import { readText } from '../fledge-repo.js';

test('a NOTICE naming the owner passes', () => {
  const repo = fakeRepo({ NOTICE: 'Copyright ACME Corp.\n', 'src/main.js': '' });
  assert.equal(notice(repo, 'ACME Corp.').status, 'pass');
});

test('a wrong owner is a finding', () => {
  const result = notice(fakeRepo({ 'NOTICE.md': 'Copyright Initech\n' }), 'ACME Corp.');
  assert.equal(result.message, 'NOTICE.md does not name ACME Corp.');
  assert.deepEqual(result.findings, [{ message: 'no `Copyright ACME Corp.`', path: 'NOTICE.md', line: 1 }]);
});

test('no NOTICE fails', () => {
  assert.equal(notice(fakeRepo(), 'ACME Corp.').message, 'no NOTICE file at the root');
});

test('text is read as fledge reads it', () => {
  const repo = fakeRepo({ NOTICE: new Uint8Array([0x43, 0x20, 0xa9]), 'logo.png': new Uint8Array([0x89, 0x50, 0, 0]) });
  assert.equal(readText(repo, 'NOTICE'), 'C \u00a9');
  assert.equal(readText(repo, 'logo.png'), null);
  assert.equal(readText(fakeRepo({ a: 'h\u00e9' }), 'a', 2), 'h');
});
