"""Helpers for fledge plugins in Python: reading a file's text as fledge
does (binary-aware, any common encoding). They take `repo`: the contract's
`repo` import in the component, a `fake_repo.FakeRepo` in unit tests."""


def is_file(entry) -> bool:
    """True for regular and executable files (not links or submodules), for
    entries from the contract and from `FakeRepo` alike."""
    return getattr(entry.kind, "name", str(entry.kind)).upper() in ("FILE", "EXECUTABLE")


def decode(data: bytes):
    """A file's bytes as text, or None for binary content (a NUL byte in the
    first 8 KiB). UTF-8 and UTF-16 with a byte-order mark, UTF-8, and
    otherwise Latin-1, so that no text file is refused for its encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", "replace")
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", "replace")
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at a read bound is not Latin-1 text.
        if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8")
        return data.decode("latin-1")


def read_text(repo, path: str, max_bytes: int = 1 << 20):
    """Up to `max_bytes` of the file at `path` as text (see `decode`)."""
    return decode(bytes(repo.read_file(path, max_bytes).data))
