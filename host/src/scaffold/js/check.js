// The logic of the `{{name}}.notice` check, independent of the component
// bindings so that it can be unit-tested with plain Node.js: the repository
// has a NOTICE file naming its copyright owner.

const NAMES = ['NOTICE', 'NOTICE.md', 'NOTICE.txt'];

/// `files` are the repository's paths; `readText(path)` returns a file's
/// text. Returns { status, score, message, findings: [{ message, path, line }] }.
export function notice(files, readText, owner) {
  const found = [...files].sort().find((path) => NAMES.includes(path));
  if (found === undefined) {
    return { status: 'fail', score: 0, message: 'no NOTICE file at the root', findings: [] };
  }
  if (readText(found).includes(owner)) {
    return { status: 'pass', score: 100, message: `${found} names ${owner}`, findings: [] };
  }
  return {
    status: 'fail',
    score: 0,
    message: `${found} does not name ${owner}`,
    findings: [{ message: `no \`Copyright ${owner}\``, path: found, line: 1 }],
  };
}
