// A fake repository for unit tests (Node.js only): the contract's tree and
// contents functions over files in memory, returning values with the same
// fields, so that a check written against `repo` runs unchanged.

import { createHash } from 'node:crypto';

const blobId = (data) => createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');

/// An in-memory repository with the contract's tree and contents functions,
/// for unit tests: `fakeRepo({ NOTICE: 'Copyright ACME' })`. Strings are
/// stored as UTF-8; give a Uint8Array for anything else.
export function fakeRepo(files = {}) {
  const stored = new Map(
    Object.entries(files).map(([path, contents]) => [
      path,
      typeof contents === 'string' ? new TextEncoder().encode(contents) : new Uint8Array(contents),
    ]),
  );
  const entry = (path) => {
    const data = stored.get(path);
    return { path, kind: 'file', size: BigInt(data.length), id: blobId(data) };
  };
  const sorted = () => [...stored.keys()].sort();
  return {
    files: () => sorted().map(entry),
    listDir: (dir, recursive) => {
      const prefix = dir.replace(/^\/+|\/+$/g, '').toLowerCase();
      const start = prefix ? `${prefix}/` : '';
      return sorted()
        .filter((p) => p.toLowerCase().startsWith(start) && (recursive || !p.slice(start.length).includes('/')))
        .map(entry);
    },
    entry: (path) => (stored.has(path) ? entry(path) : undefined),
    readFile: (path, maxBytes) => {
      const data = stored.get(path);
      if (data === undefined) throw new Error(`not found: ${path}`);
      const max = Number(maxBytes);
      return { id: blobId(data), size: BigInt(data.length), data: data.subarray(0, max), truncated: data.length > max };
    },
  };
}
