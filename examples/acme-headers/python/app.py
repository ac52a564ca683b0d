"""The `acme.headers` check in Python, built with componentize-py against
fledge's contract (sdk/wit): every source file must start with a
`Copyright <owner>` header. The Rust and JavaScript examples next to this
one implement the same check and give the same findings."""

import json

from componentize_py_types import Err
from wit_world import WitWorld
from wit_world.imports import repo
from wit_world.imports.types import (
    Capability,
    CheckMeta,
    CheckResult,
    EntryKind,
    Finding,
    Location,
    PluginMeta,
    Severity,
    Status,
)

SOURCE_EXTENSIONS = ("rs", "py", "js", "ts", "go", "java", "c", "h")
CHECK = "acme.headers"


def headers(owner: str) -> CheckResult:
    sources = [
        entry
        for entry in repo.files()
        if entry.kind in (EntryKind.FILE, EntryKind.EXECUTABLE)
        and entry.path.rsplit(".", 1)[-1] in SOURCE_EXTENSIONS
        and "." in entry.path.rsplit("/", 1)[-1]
    ]
    if not sources:
        return CheckResult(CHECK, Status.SKIP, 0, "no source files", None, [], [], [])
    missing = []
    for entry in sources:
        head = repo.read_file(entry.path, 512).data.decode("utf-8", "replace")
        if f"Copyright {owner}" not in head:
            missing.append(entry.path)
    total = len(sources)
    score = 100 * (total - len(missing)) // total
    if not missing:
        return CheckResult(CHECK, Status.PASS, 100, f"all {total} source files carry the {owner} header", None, [], [], [])
    findings = [
        Finding(f"no `Copyright {owner}` header", Severity.LOW, [Location(path, 1, None, None)], None) for path in missing
    ]
    message = f"{len(missing)} of {total} source files lack the {owner} header"
    return CheckResult(CHECK, Status.FAIL, score, message, None, findings, [], [])


# The configuration's JSON Schema: `fledge policy check` refuses other keys
# and types.
CONFIG_SCHEMA = json.dumps(
    {"type": "object", "properties": {"owner": {"type": "string"}}, "additionalProperties": False}
)

class WitWorld(WitWorld):
    def describe(self) -> PluginMeta:
        check = CheckMeta(
            CHECK,
            "Source files carry the ACME header",
            "license",
            2,
            "Published code must say who owns it, in every file.",
            "Start every source file with a comment `Copyright ACME`.",
            "The first lines of every source file.",
        )
        return PluginMeta("acme", "1.0.0", "ACME's source-header rule", "", [Capability.TREE, Capability.CONTENTS], [check], CONFIG_SCHEMA)

    def run(self, request) -> list:
        try:
            config = json.loads(request.config or "{}")
        except ValueError as error:
            raise Err(f"invalid configuration: {error}")
        owner = config.get("owner", "ACME")
        return [headers(owner) for check in request.checks if check.id == CHECK]
