// The logic of the `{{name}}.notice` check: the repository has a NOTICE file
// naming its copyright owner. It reads the repository through `repo`: the
// contract's `repo` import in the component, `fakeRepo(...)` (fake-repo.js) in the tests.

import { isFile, readText } from './fledge-repo.js';

const NAMES = ['NOTICE', 'NOTICE.md', 'NOTICE.txt'];

/// Returns { status, score, message, findings: [{ message, path, line }] }.
export function notice(repo, owner) {
  const found = repo.files().find((e) => isFile(e) && NAMES.includes(e.path))?.path;
  if (found === undefined) {
    return { status: 'fail', score: 0, message: 'no NOTICE file at the root', findings: [] };
  }
  const text = readText(repo, found);
  if (text === null) {
    return { status: 'fail', score: 0, message: `${found} is not text`, findings: [{ message: `${found} is binary`, path: found, line: undefined }] };
  }
  if (text.includes(owner)) {
    return { status: 'pass', score: 100, message: `${found} names ${owner}`, findings: [] };
  }
  return {
    status: 'fail',
    score: 0,
    message: `${found} does not name ${owner}`,
    findings: [{ message: `no \`Copyright ${owner}\``, path: found, line: 1 }],
  };
}
