"""The logic of the `{{name}}.notice` check: the repository has a NOTICE file
naming its copyright owner. It reads the repository through `repo`: the
contract's `repo` import in the component, a `fake_repo.FakeRepo` in the
unit tests."""

from fledge_repo import is_file, read_text

NAMES = ("NOTICE", "NOTICE.md", "NOTICE.txt")


def notice(repo, owner):
    """Returns (status, score, message, findings) with findings as
    (message, path, line)."""
    found = next((e.path for e in repo.files() if is_file(e) and e.path in NAMES), None)
    if found is None:
        return ("fail", 0, "no NOTICE file at the root", [])
    text = read_text(repo, found)
    if text is None:
        return ("fail", 0, f"{found} is not text", [(f"{found} is binary", found, None)])
    if owner in text:
        return ("pass", 100, f"{found} names {owner}", [])
    return ("fail", 0, f"{found} does not name {owner}", [(f"no `Copyright {owner}`", found, 1)])
