// The `acme.headers` check in JavaScript, built with componentize-js
// against fledge's contract (sdk/wit): every source file must start with a
// `Copyright <owner>` header. The Rust and Python examples next to this one
// implement the same check and give the same findings.

import { files, readFile } from 'fledge:plugin/repo@0.3.0';

const SOURCE_EXTENSIONS = ['rs', 'py', 'js', 'ts', 'go', 'java', 'c', 'h'];
const CHECK = 'acme.headers';

function headers(owner) {
  const sources = files().filter((entry) => {
    const name = entry.path.split('/').pop();
    return (entry.kind === 'file' || entry.kind === 'executable')
      && name.includes('.')
      && SOURCE_EXTENSIONS.includes(entry.path.split('.').pop());
  });
  if (sources.length === 0) {
    return result('skip', 0, 'no source files', []);
  }
  const decoder = new TextDecoder();
  const missing = sources
    .filter((entry) => !decoder.decode(readFile(entry.path, 512n).data).includes(`Copyright ${owner}`))
    .map((entry) => entry.path);
  const total = sources.length;
  if (missing.length === 0) {
    return result('pass', 100, `all ${total} source files carry the ${owner} header`, []);
  }
  const score = Math.floor((100 * (total - missing.length)) / total);
  const findings = missing.map((path) => ({
    message: `no \`Copyright ${owner}\` header`,
    severity: 'low',
    locations: [{ path, line: 1, commit: undefined, span: undefined }],
    fingerprint: undefined,
  }));
  return result('fail', score, `${missing.length} of ${total} source files lack the ${owner} header`, findings);
}

function result(status, score, message, findings) {
  return { checkId: CHECK, status, score, message, remediation: undefined, findings, metrics: [], unread: [] };
}

export function describe() {
  return {
    name: 'acme',
    version: '1.0.0',
    description: "ACME's source-header rule",
    about: '',
    reads: ['tree', 'contents'],
    checks: [{
      id: CHECK,
      title: 'Source files carry the ACME header',
      category: 'license',
      weight: 2,
      rationale: 'Published code must say who owns it, in every file.',
      remediation: 'Start every source file with a comment `Copyright ACME`.',
      looksAt: 'The first lines of every source file.',
    }],
    // The configuration's JSON Schema: `fledge policy check` refuses
    // other keys and types.
    configSchema: JSON.stringify({
      type: 'object',
      properties: { owner: { type: 'string' } },
      additionalProperties: false,
    }),
  };
}

export function run(request) {
  let config;
  try {
    config = JSON.parse(request.config || '{}');
  } catch (error) {
    throw `invalid configuration: ${error}`;
  }
  const owner = config.owner ?? 'ACME';
  return request.checks.filter((check) => check.id === CHECK).map(() => headers(owner));
}
