"""The logic of the `{{name}}.notice` check, independent of the component
bindings so that it can be unit-tested with plain Python: the repository
has a NOTICE file naming its copyright owner."""

NAMES = ("NOTICE", "NOTICE.md", "NOTICE.txt")


def notice(files, read_text, owner):
    """`files` are the repository's paths; `read_text(path)` returns a
    file's text. Returns (status, score, message, findings) with findings as
    (message, path, line)."""
    found = next((path for path in sorted(files) if path in NAMES), None)
    if found is None:
        return ("fail", 0, "no NOTICE file at the root", [])
    if owner in read_text(found):
        return ("pass", 100, f"{found} names {owner}", [])
    return ("fail", 0, f"{found} does not name {owner}", [(f"no `Copyright {owner}`", found, 1)])
