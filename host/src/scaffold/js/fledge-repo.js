// Helpers for fledge plugins in JavaScript: reading a file's text as fledge
// does (binary-aware, any common encoding). They take `repo`: the
// contract's `repo` import in the component, `fakeRepo(...)` (fake-repo.js)
// in unit tests.

/// True for regular and executable files (not links or submodules).
export function isFile(entry) {
  return entry.kind === 'file' || entry.kind === 'executable';
}

/// A file's bytes as text, or null for binary content (a NUL byte in the
/// first 8 KiB). UTF-8 and UTF-16 with a byte-order mark, UTF-8, and
/// otherwise Latin-1, so that no text file is refused for its encoding.
export function decode(bytes) {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return new TextDecoder('utf-8').decode(data.subarray(3));
  if (data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data.subarray(2));
  if (data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data.subarray(2));
  if (data.subarray(0, 8192).includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    // A multi-byte character cut at a read bound is not Latin-1 text.
    const cut = incompleteTail(data);
    if (cut >= 0) {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, cut));
      } catch {
        // not UTF-8 before the cut either
      }
    }
    let text = '';
    for (let i = 0; i < data.length; i += 8192) text += String.fromCharCode(...data.subarray(i, i + 8192));
    return text;
  }
}

/// Where an incomplete UTF-8 sequence at the end of `data` starts, or -1.
function incompleteTail(data) {
  for (let i = data.length - 1; i >= Math.max(0, data.length - 4); i--) {
    const byte = data[i];
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > data.length - i ? i : -1;
  }
  return -1;
}

/// Up to `maxBytes` of the file at `path` as text (see `decode`).
export function readText(repo, path, maxBytes = 1048576) {
  return decode(repo.readFile(path, BigInt(maxBytes)).data);
}
