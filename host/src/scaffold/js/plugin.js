// The `{{name}}` fledge plugin (contract fledge:plugin@{{contract}}), built with
// componentize-js: `npm install && npm run build`.

import * as repo from 'fledge:plugin/repo@{{contract}}';
import { notice } from './check.js';

export function describe() {
  return {
    name: '{{name}}',
    version: '0.1.0',
    description: 'Company-specific publication rules',
    about: '',
    reads: ['tree', 'contents'],
    checks: [{
      id: '{{name}}.notice',
      title: 'A NOTICE file names the copyright owner',
      category: 'license',
      weight: 2,
      rationale: 'Published code must say who owns it.',
      remediation: 'Add a NOTICE file at the root that says `Copyright <owner>`.',
      looksAt: 'A file named NOTICE (any extension) at the root.',
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
  return request.checks
    .filter((check) => check.id === '{{name}}.notice')
    .map((check) => {
      const result = notice(repo, config.owner ?? 'ACME Corp.');
      return {
        checkId: check.id,
        status: result.status,
        score: result.score,
        message: result.message,
        remediation: undefined,
        findings: result.findings.map((f) => ({
          message: f.message,
          severity: 'medium',
          locations: [{ path: f.path, line: f.line, commit: undefined, span: undefined }],
          fingerprint: undefined,
        })),
        metrics: [],
        unread: [],
      };
    });
}
