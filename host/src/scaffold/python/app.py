"""The `{{name}}` fledge plugin (contract fledge:plugin@{{contract}}), built with
componentize-py: `componentize-py -d wit -w plugin componentize app -o {{name}}.wasm`."""

import json

from componentize_py_types import Err
from wit_world import WitWorld
from wit_world.imports import repo
from wit_world.imports.types import (
    Capability,
    CheckMeta,
    CheckResult,
    Finding,
    Location,
    PluginMeta,
    Severity,
    Status,
)

import check

STATUS = {"pass": Status.PASS, "warn": Status.WARN, "fail": Status.FAIL, "skip": Status.SKIP}


# The configuration's JSON Schema: `fledge policy check` refuses other keys
# and types.
CONFIG_SCHEMA = json.dumps(
    {"type": "object", "properties": {"owner": {"type": "string"}}, "additionalProperties": False}
)

class WitWorld(WitWorld):
    def describe(self) -> PluginMeta:
        notice = CheckMeta(
            "{{name}}.notice",
            "A NOTICE file names the copyright owner",
            "license",
            2,
            "Published code must say who owns it.",
            "Add a NOTICE file at the root that says `Copyright <owner>`.",
            "A file named NOTICE (any extension) at the root.",
        )
        return PluginMeta("{{name}}", "0.1.0", "Company-specific publication rules", "", [Capability.TREE, Capability.CONTENTS], [notice], CONFIG_SCHEMA)

    def run(self, request) -> list:
        try:
            config = json.loads(request.config or "{}")
        except ValueError as error:
            raise Err(f"invalid configuration: {error}")
        results = []
        for requested in request.checks:
            if requested.id != "{{name}}.notice":
                continue
            status, score, message, findings = check.notice(repo, config.get("owner", "ACME Corp."))
            findings = [Finding(text, Severity.MEDIUM, [Location(path, line, None, None)], None) for text, path, line in findings]
            results.append(CheckResult(requested.id, STATUS[status], score, message, None, findings, [], []))
        return results
