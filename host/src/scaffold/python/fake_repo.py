"""A fake repository for unit tests: the contract's tree and contents
functions over files in memory, returning values with the same fields, so
that a check written against `repo` runs unchanged."""

import enum
import hashlib
from dataclasses import dataclass


class EntryKind(enum.Enum):
    """The kinds of tree entries (as the contract's `entry-kind`)."""

    FILE = 0
    EXECUTABLE = 1
    SYMLINK = 2
    SUBMODULE = 3


@dataclass
class TreeEntry:
    path: str
    kind: EntryKind
    size: int
    id: str


@dataclass
class Blob:
    id: str
    size: int
    data: bytes
    truncated: bool


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FakeRepo:
    """An in-memory repository with the contract's tree and contents
    functions, for unit tests: `FakeRepo({"NOTICE": "Copyright ACME"})`.
    Text is stored as UTF-8; give bytes for anything else."""

    def __init__(self, files=None):
        self._files = {}
        for path, contents in (files or {}).items():
            self.file(path, contents)

    def file(self, path: str, contents, kind: EntryKind = EntryKind.FILE) -> "FakeRepo":
        data = contents.encode("utf-8") if isinstance(contents, str) else bytes(contents)
        self._files[path] = (kind, data)
        return self

    def _entry(self, path: str) -> TreeEntry:
        kind, data = self._files[path]
        return TreeEntry(path, kind, len(data), _blob_id(data))

    def files(self):
        return [self._entry(path) for path in sorted(self._files)]

    def list_dir(self, directory: str, recursive: bool):
        prefix = directory.strip("/").lower()
        prefix = prefix + "/" if prefix else ""
        found = []
        for path in sorted(self._files):
            if not path.lower().startswith(prefix):
                continue
            if recursive or "/" not in path[len(prefix) :]:
                found.append(self._entry(path))
        return found

    def entry(self, path: str):
        return self._entry(path) if path in self._files else None

    def read_file(self, path: str, max_bytes: int) -> Blob:
        if path not in self._files or self._files[path][0] == EntryKind.SUBMODULE:
            raise LookupError(f"not found: {path}")
        data = self._files[path][1]
        return Blob(_blob_id(data), len(data), data[:max_bytes], len(data) > max_bytes)
