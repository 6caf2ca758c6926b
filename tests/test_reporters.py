"""The reporters, on run results built by hand over real files in a temporary root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from startlint import __version__
from startlint.findings import Applicability, Edit, Finding, Fix, RelatedLocation, Severity, Span
from startlint.reporters import FORMATS, render
from startlint.reporters import github, sarif
from startlint.results import ReportOptions, RunResult
from startlint.ruledocs import INFORMATION_URI, Example, Expectation, RuleDoc

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
JSON_SCHEMA = REPO / "docs" / "json-output.schema.json"

MAIN = 'import os\nimport torch\n\ncafé = "é"; import pandas\n\n\ndef handler():\n    return torch.zeros(1)\n'
SVC = "from app import model\n\nmodel = load_model('big.bin')\n"
PLAIN = ReportOptions()


def doc(code: str, name: str, severity: Severity, fix: str = "none") -> RuleDoc:
    return RuleDoc(
        code=code,
        name=name,
        summary=f"{name} summary.",
        severity=severity,
        fix=fix,
        what_it_does=f"\nFinds {name}.\n",
        why_bad="It is slow.",
        fix_safety="Safe.",
        examples=(Example("example.py", "import torch\n", (Expectation(1, 1, "m"),), "pass\n", None),),
    )


RULES = {
    "SL101": doc("SL101", "heavy-import", Severity.ERROR, "safe"),
    "SL103": doc("SL103", "model-load", Severity.WARNING, "unsafe"),
    "SL105": doc("SL105", "blocking-call", Severity.INFO),
    "SL104": doc("SL104", "never-fires", Severity.WARNING),  # a rule with no finding
}

TORCH = Finding(
    code="SL101",
    name="heavy-import",
    severity=Severity.ERROR,
    path="app/main.py",
    span=Span(2, 1, 2, 13),
    message="`torch` is imported at import time [1.9 s]",
    fix=Fix(Applicability.SAFE, "Move the import into `handler`", (Edit(Span(2, 1, 3, 1), ""),)),
    related=(RelatedLocation("app/main.py", Span(8, 12, 8, 17), "used here"),),
)
PANDAS = Finding(
    code="SL101",
    name="heavy-import",
    severity=Severity.WARNING,
    path="app/main.py",
    span=Span(4, 13, 4, 26),
    message="`pandas` is imported at import time",
)
MODEL = Finding(
    code="SL103",
    name="model-load",
    severity=Severity.WARNING,
    path="my app/svc.py",
    span=Span(3, 9, 3, 31),
    message="Modèle chargé au démarrage — 2 s",
    fix=Fix(
        Applicability.UNSAFE,
        "Load the model lazily",
        (
            Edit(Span(3, 1, 3, 31), "model = None"),
            Edit(Span(1, 1, 1, 1), "# lazy\n", path="app/main.py"),
            Edit(Span(4, 1, 4, 1), "\n"),
        ),
    ),
    related=(
        RelatedLocation("app/main.py", Span(1, 1, 1, 10), "imported by"),
        RelatedLocation("my app/svc.py", Span(1, 1, 1, 22), "defined here"),
    ),
)
SLEEP = Finding(
    code="SL105",
    name="blocking-call",
    severity=Severity.INFO,
    path="app/main.py",
    span=Span(8, 5, 8, 26),
    message="blocking call",
)
FOREIGN = Finding(
    code="XYZ9",
    name="foreign-rule",
    severity=Severity.ERROR,
    path="app/main.py",
    span=Span(1, 1, 1, 10),
    message="from another tool",
)


def write_project(root: Path) -> None:
    (root / "app").mkdir()
    (root / "app" / "main.py").write_text(MAIN, encoding="utf-8")
    (root / "my app").mkdir()
    (root / "my app" / "svc.py").write_text(SVC, encoding="utf-8")


@pytest.fixture
def result(tmp_path: Path) -> RunResult:
    write_project(tmp_path)
    # Deliberately out of order: every reporter sorts.
    return RunResult((SLEEP, MODEL, PANDAS, TORCH), files_checked=5, root=tmp_path)


def run_with(root: Path, *findings: Finding, files: int = 1) -> RunResult:
    return RunResult(tuple(sorted(findings, key=lambda f: f.sort_key)), files, root)


# ---------------------------------------------------------------- dispatcher


def test_render_dispatches_to_every_format(result: RunResult) -> None:
    assert FORMATS == ("text", "json", "sarif", "github")
    assert render("text", result, RULES, PLAIN).startswith("app/main.py:2:1: SL101 [error]")
    assert json.loads(render("json", result, RULES, PLAIN))["version"] == 1
    assert json.loads(render("sarif", result, RULES, PLAIN))["version"] == "2.1.0"
    assert render("github", result, RULES, PLAIN).startswith("::error file=app/main.py,")


def test_render_rejects_an_unknown_format(result: RunResult) -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render("xml", result, RULES, PLAIN)


# ---------------------------------------------------------------- text


def test_text_lines(result: RunResult) -> None:
    assert render("text", result, RULES, PLAIN).splitlines() == [
        "app/main.py:2:1: SL101 [error] `torch` is imported at import time [1.9 s] [*]",
        "    app/main.py:8:12: used here",
        "app/main.py:4:13: SL101 [warning] `pandas` is imported at import time",
        "app/main.py:8:5: SL105 [info] blocking call",
        "my app/svc.py:3:9: SL103 [warning] Modèle chargé au démarrage — 2 s [unsafe fix]",
        "    app/main.py:1:1: imported by",
        "    my app/svc.py:1:1: defined here",
        "Found 4 findings (1 error, 2 warnings, 1 info) in 5 files.",
        "1 fixable with --fix; 1 more with --unsafe-fixes.",
    ]


def test_text_source_caret_after_non_ascii_character(tmp_path: Path) -> None:
    write_project(tmp_path)
    out = render("text", run_with(tmp_path, PANDAS), RULES, ReportOptions(show_source=True, quiet=True))
    # `café = "é"; ` is 12 characters (14 bytes): the carets start under `import`.
    assert out == (
        "app/main.py:4:13: SL101 [warning] `pandas` is imported at import time\n"
        '4 | café = "é"; import pandas\n'
        "  |             ^^^^^^^^^^^^^\n"
        "\n"
    )


def test_text_caret_counts_wide_characters_twice_and_stops_at_the_line_end(tmp_path: Path) -> None:
    (tmp_path / "w.py").write_text("x = 1\n名前 = f(\n    1)\n", encoding="utf-8")
    wide = Finding("SL105", "blocking-call", Severity.INFO, "w.py", Span(2, 6, 3, 7), "m")
    out = render("text", run_with(tmp_path, wide), RULES, ReportOptions(show_source=True, quiet=True))
    # 名前 takes four columns: seven spaces before `f(`, carets to the end of the line.
    assert out.splitlines()[1:3] == ["2 | 名前 = f(", "  | " + " " * 7 + "^^"]
    whole = Finding("SL105", "blocking-call", Severity.INFO, "w.py", Span(2, 1, 2, 3), "m")
    out = render("text", run_with(tmp_path, whole), RULES, ReportOptions(show_source=True, quiet=True))
    assert out.splitlines()[2] == "  | ^^^^"


def test_text_caret_copies_tabs_and_marks_an_empty_span(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("if x:\n\tcall()\n", encoding="utf-8")
    empty = Finding("SL105", "blocking-call", Severity.INFO, "t.py", Span(2, 2, 2, 2), "m")
    out = render("text", run_with(tmp_path, empty), RULES, ReportOptions(show_source=True, quiet=True))
    assert out.splitlines()[1:3] == ["2 | \tcall()", "  | \t^"]


def test_text_source_tolerates_missing_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_bytes(b"# -*- coding: nonsense -*-\nx = '\xff'\n")
    gone = Finding("SL105", "blocking-call", Severity.INFO, "gone.py", Span(1, 1, 1, 2), "m")
    bad = Finding("SL105", "blocking-call", Severity.INFO, "bad.py", Span(2, 1, 2, 2), "m")
    beyond = Finding("SL105", "blocking-call", Severity.INFO, "bad.py", Span(99, 1, 99, 2), "m")
    out = render("text", run_with(tmp_path, gone, bad, beyond), RULES, ReportOptions(show_source=True, quiet=True))
    assert out.splitlines() == [
        "bad.py:2:1: SL105 [info] m",
        "2 | x = '\ufffd'",  # undecodable bytes are replaced, not fatal
        "  | ^",
        "",
        "bad.py:99:1: SL105 [info] m",
        "",
        "gone.py:1:1: SL105 [info] m",
        "",
    ]


def test_text_summary_without_findings_and_in_the_singular(tmp_path: Path) -> None:
    assert render("text", run_with(tmp_path, files=5), RULES, PLAIN) == "All checked: no findings in 5 files.\n"
    assert render("text", run_with(tmp_path, files=1), RULES, PLAIN) == "All checked: no findings in 1 file.\n"
    one = render("text", run_with(tmp_path, TORCH, files=1), RULES, PLAIN).splitlines()
    assert one[-2:] == ["Found 1 finding (1 error) in 1 file.", "1 fixable with --fix."]
    only_unsafe = render("text", run_with(tmp_path, MODEL, SLEEP), RULES, PLAIN).splitlines()
    assert only_unsafe[-2:] == [
        "Found 2 findings (1 warning, 1 info) in 1 file.",
        "1 fixable with --unsafe-fixes.",
    ]
    unfixable = render("text", run_with(tmp_path, PANDAS, SLEEP), RULES, PLAIN).splitlines()
    assert unfixable[-1] == "Found 2 findings (1 warning, 1 info) in 1 file."


def test_text_quiet_prints_findings_only(result: RunResult, tmp_path: Path) -> None:
    quiet = ReportOptions(quiet=True)
    assert render("text", run_with(tmp_path, files=3), RULES, quiet) == ""
    lines = render("text", result, RULES, quiet).splitlines()
    assert len(lines) == 7
    assert not any(line.startswith(("Found", "1 fixable")) for line in lines)


def test_text_statistics(result: RunResult) -> None:
    extra = Finding("SL105", "blocking-call", Severity.INFO, "app/main.py", Span(7, 1, 7, 4), "again")
    stats = RunResult(result.findings + (extra,), 5, result.root)
    assert render("text", stats, RULES, ReportOptions(statistics=True)).splitlines() == [
        "2  SL101  heavy-import   [fixable]",
        "2  SL105  blocking-call",
        "1  SL103  model-load     [unsafe fix]",
        "Found 5 findings (1 error, 2 warnings, 2 info) in 5 files.",
        "1 fixable with --fix; 1 more with --unsafe-fixes.",
    ]
    assert render("text", stats, RULES, ReportOptions(statistics=True, quiet=True)).count("\n") == 3


_RICH_PROBE = """
import sys
from pathlib import Path
from startlint.findings import Finding, Severity, Span
from startlint.reporters import render
from startlint.results import ReportOptions, RunResult

finding = Finding("SL101", "heavy-import", Severity.ERROR, "a.py", Span(1, 1, 1, 7), "msg [x]")
result = RunResult((finding,), 1, Path(sys.argv[1]))
out = render("text", result, {}, ReportOptions(color=sys.argv[2] == "color", show_source=True))
assert "msg [x]" in out, out
print(sorted(m for m in sys.modules if m == "rich" or m.startswith("rich.")))
"""


@pytest.mark.parametrize(("mode", "loads_rich"), [("plain", False), ("color", True)])
def test_text_imports_rich_only_for_colour(tmp_path: Path, mode: str, loads_rich: bool) -> None:
    (tmp_path / "a.py").write_text("import torch\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", _RICH_PROBE, str(tmp_path), mode],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    loaded = json.loads(proc.stdout.replace("'", '"'))
    assert bool(loaded) is loads_rich, loaded


def test_text_colour_styles_with_ansi_and_keeps_brackets(result: RunResult) -> None:
    out = render("text", result, RULES, ReportOptions(color=True))
    assert "\x1b[" in out
    assert "\x1b[1;31m[error]\x1b[0m" in out  # severity in bold red
    assert "[1.9 s]" in out  # not swallowed as rich markup
    assert "Modèle chargé au démarrage — 2 s" in out
    plain = render("text", result, RULES, PLAIN)
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", out) == plain


# ---------------------------------------------------------------- json


def test_json_shape_and_order(result: RunResult) -> None:
    out = render("json", result, RULES, PLAIN)
    assert out.endswith("}\n")
    assert "Modèle chargé" in out  # ensure_ascii=False
    data = json.loads(out)
    assert data["version"] == 1
    assert data["tool"] == {"name": "startlint", "version": __version__}
    assert data["summary"] == {
        "files": 5,
        "findings": 4,
        "by_severity": {"error": 1, "warning": 2, "info": 1},
        "fixable": 1,
        "unsafe_fixable": 1,
    }
    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in data["findings"]]
    assert keys == [
        ("app/main.py", 2, 1, "SL101"),
        ("app/main.py", 4, 13, "SL101"),
        ("app/main.py", 8, 5, "SL105"),
        ("my app/svc.py", 3, 9, "SL103"),
    ]
    assert data["findings"][0] == {
        "code": "SL101",
        "name": "heavy-import",
        "severity": "error",
        "path": "app/main.py",
        "line": 2,
        "column": 1,
        "end_line": 2,
        "end_column": 13,
        "message": "`torch` is imported at import time [1.9 s]",
        "fix": {
            "applicability": "safe",
            "message": "Move the import into `handler`",
            "edits": [{"path": None, "line": 2, "column": 1, "end_line": 3, "end_column": 1, "content": ""}],
        },
        "related": [
            {"path": "app/main.py", "line": 8, "column": 12, "end_line": 8, "end_column": 17, "message": "used here"}
        ],
    }
    assert data["findings"][1]["fix"] is None
    assert data["findings"][1]["related"] == []
    assert data["findings"][3]["fix"]["edits"][1]["path"] == "app/main.py"


def test_json_validates_against_the_documented_schema(result: RunResult, tmp_path: Path) -> None:
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema)
    validator.validate(json.loads(render("json", result, RULES, PLAIN)))
    validator.validate(json.loads(render("json", run_with(tmp_path), RULES, PLAIN)))
    # The schema is strict enough to catch drift.
    drifted = json.loads(render("json", result, RULES, PLAIN))
    drifted["findings"][0]["col"] = 1
    assert not validator.is_valid(drifted)


# ---------------------------------------------------------------- sarif


def sarif_of(run: RunResult, rules: dict[str, RuleDoc] = RULES) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render("sarif", run, rules, PLAIN))
    return data


def sarif_validator() -> Any:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (it lives in the shared checkout)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)(schema)


def test_sarif_validates_against_the_schema(result: RunResult, tmp_path: Path) -> None:
    validator = sarif_validator()
    foreign = RunResult(result.findings + (FOREIGN,), 5, result.root)
    for run in (result, foreign, run_with(tmp_path)):
        errors = sorted(validator.iter_errors(sarif_of(run)), key=str)
        assert not errors, "\n".join(e.message for e in errors[:5])
    broken = sarif_of(result)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(broken)


def test_sarif_run_metadata(result: RunResult) -> None:
    log = sarif_of(result)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("startlint", __version__, __version__)
    assert driver["informationUri"] == INFORMATION_URI
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": result.root.as_uri() + "/"}}


def test_sarif_lists_every_rule_from_its_doc(result: RunResult) -> None:
    rules = sarif_of(result)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["SL101", "SL103", "SL104", "SL105"]
    sl103 = rules[1]
    doc103 = RULES["SL103"]
    assert sl103 == {
        "id": "SL103",
        "name": "model-load",
        "shortDescription": {"text": "model-load summary."},
        "fullDescription": {"text": "Finds model-load."},
        "help": {"text": doc103.explain(), "markdown": doc103.explain()},
        "helpUri": doc103.help_uri,
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["cold-start", "performance"], "precision": "high", "problem.severity": "warning"},
    }
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels == {"SL101": "error", "SL103": "warning", "SL104": "warning", "SL105": "note"}


def test_sarif_rule_index_points_at_the_rule(result: RunResult) -> None:
    foreign = RunResult(result.findings + (FOREIGN,), 5, result.root)
    run = sarif_of(foreign)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert rules[-1] == {"id": "XYZ9", "name": "foreign-rule", "shortDescription": {"text": "foreign-rule"}}
    assert [r["ruleId"] for r in run["results"]] == ["XYZ9", "SL101", "SL101", "SL105", "SL103"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert [r["ruleIndex"] for r in run["results"]] == [4, 0, 0, 3, 1]
    assert [r["level"] for r in run["results"]] == ["error", "error", "warning", "note", "warning"]


def test_sarif_locations_are_percent_encoded_and_relative_to_srcroot(result: RunResult) -> None:
    results = sarif_of(result)["runs"][0]["results"]
    model = results[3]
    assert model["message"] == {"text": "Modèle chargé au démarrage — 2 s"}
    assert model["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "my%20app/svc.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 9, "endLine": 3, "endColumn": 31},
            }
        }
    ]
    odd = Finding("SL105", "blocking-call", Severity.INFO, "ü/a#b%c.py", Span(1, 1, 1, 2), "m")
    outside = Finding("SL105", "blocking-call", Severity.INFO, "/elsewhere/x y.py", Span(1, 1, 1, 2), "m")
    run = sarif_of(run_with(result.root, odd, outside))["runs"][0]
    artifacts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert artifacts == [
        {"uri": "file:///elsewhere/x%20y.py"},
        {"uri": "%C3%BC/a%23b%25c.py", "uriBaseId": "%SRCROOT%"},
    ]


def test_sarif_related_locations_and_code_flow(result: RunResult) -> None:
    model = sarif_of(result)["runs"][0]["results"][3]

    def loc(uri: str, line: int, col: int, end_col: int) -> dict[str, Any]:
        return {
            "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line, "startColumn": col, "endLine": line, "endColumn": end_col},
        }

    assert model["relatedLocations"] == [
        {"id": 1, "physicalLocation": loc("app/main.py", 1, 1, 10), "message": {"text": "imported by"}},
        {"id": 2, "physicalLocation": loc("my%20app/svc.py", 1, 1, 22), "message": {"text": "defined here"}},
    ]
    flow = model["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [step["location"] for step in flow] == [
        {"physicalLocation": loc("app/main.py", 1, 1, 10), "message": {"text": "imported by"}},
        {"physicalLocation": loc("my%20app/svc.py", 1, 1, 22), "message": {"text": "defined here"}},
        {"physicalLocation": loc("my%20app/svc.py", 3, 9, 31), "message": {"text": MODEL.message}},
    ]
    plain = sarif_of(result)["runs"][0]["results"][1]
    assert "relatedLocations" not in plain and "codeFlows" not in plain


def test_sarif_fixes_group_edits_by_file(result: RunResult) -> None:
    results = sarif_of(result)["runs"][0]["results"]
    assert "fixes" not in results[1]
    assert results[0]["fixes"] == [
        {
            "description": {"text": "Move the import into `handler`"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "app/main.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 3, "endColumn": 1},
                            "insertedContent": {"text": ""},
                        }
                    ],
                }
            ],
            "properties": {"applicability": "safe"},
        }
    ]
    (fix,) = results[3]["fixes"]
    assert fix["properties"] == {"applicability": "unsafe"}
    changes = [(c["artifactLocation"]["uri"], c["replacements"]) for c in fix["artifactChanges"]]
    assert changes == [
        (
            "my%20app/svc.py",
            [
                {
                    "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 31},
                    "insertedContent": {"text": "model = None"},
                },
                {
                    "deletedRegion": {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 1},
                    "insertedContent": {"text": "\n"},
                },
            ],
        ),
        (
            "app/main.py",
            [
                {
                    "deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
                    "insertedContent": {"text": "# lazy\n"},
                }
            ],
        ),
    ]


def fingerprint(run: RunResult, index: int = 0) -> str:
    value: str = sarif_of(run)["runs"][0]["results"][index]["partialFingerprints"]["startlintFingerprint/v1"]
    return value


def test_sarif_fingerprint_survives_lines_inserted_above(tmp_path: Path) -> None:
    source = tmp_path / "svc.py"
    source.write_text("import os\nimport torch\n", encoding="utf-8")
    before = Finding("SL101", "heavy-import", Severity.ERROR, "svc.py", Span(2, 1, 2, 13), "torch")
    old = fingerprint(run_with(tmp_path, before))
    assert len(old) == 64 and int(old, 16) >= 0

    source.write_text('"""Docs."""\n\nimport os\n    import torch   \n', encoding="utf-8")
    after = Finding("SL101", "heavy-import", Severity.ERROR, "svc.py", Span(4, 5, 4, 17), "torch, moved")
    assert fingerprint(run_with(tmp_path, after)) == old

    other_line = Finding("SL101", "heavy-import", Severity.ERROR, "svc.py", Span(3, 1, 3, 10), "torch")
    other_code = Finding("SL105", "heavy-import", Severity.ERROR, "svc.py", Span(4, 5, 4, 17), "torch")
    assert fingerprint(run_with(tmp_path, other_line)) != old
    assert fingerprint(run_with(tmp_path, other_code)) != old


def test_sarif_fingerprint_tells_identical_lines_apart(tmp_path: Path) -> None:
    (tmp_path / "svc.py").write_text("import torch\nimport torch\n", encoding="utf-8")
    first = Finding("SL101", "heavy-import", Severity.ERROR, "svc.py", Span(1, 1, 1, 13), "m")
    second = Finding("SL101", "heavy-import", Severity.ERROR, "svc.py", Span(2, 1, 2, 13), "m")
    run = run_with(tmp_path, first, second)
    assert fingerprint(run, 0) != fingerprint(run, 1)
    assert fingerprint(run, 0) == fingerprint(run_with(tmp_path, first))


def test_sarif_fingerprint_falls_back_to_the_message(tmp_path: Path) -> None:
    gone = Finding("SL101", "heavy-import", Severity.ERROR, "gone.py", Span(7, 1, 7, 2), "one")
    moved = Finding("SL101", "heavy-import", Severity.ERROR, "gone.py", Span(9, 1, 9, 2), "one")
    reworded = Finding("SL101", "heavy-import", Severity.ERROR, "gone.py", Span(7, 1, 7, 2), "two")
    assert fingerprint(run_with(tmp_path, gone)) == fingerprint(run_with(tmp_path, moved))
    assert fingerprint(run_with(tmp_path, gone)) != fingerprint(run_with(tmp_path, reworded))


def test_sarif_keeps_the_most_severe_results_within_the_limit(
    result: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    run = sarif_of(result)["runs"][0]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("SL101", "error"), ("SL101", "warning")]
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["message"]["text"].startswith("2 of 4 findings left out")
    assert run["invocations"][0]["executionSuccessful"] is True
    errors = list(sarif_validator().iter_errors(sarif_of(result)))
    assert not errors


# ---------------------------------------------------------------- github


def test_github_commands(result: RunResult) -> None:
    assert render("github", result, RULES, PLAIN).splitlines() == [
        "::error file=app/main.py,line=2,col=1,endLine=2,endColumn=13,title=SL101 heavy-import::"
        "`torch` is imported at import time [1.9 s]%0Aapp/main.py:8:12: used here",
        "::warning file=app/main.py,line=4,col=13,endLine=4,endColumn=26,title=SL101 heavy-import::"
        "`pandas` is imported at import time",
        "::notice file=app/main.py,line=8,col=5,endLine=8,endColumn=26,title=SL105 blocking-call::blocking call",
        "::warning file=my app/svc.py,line=3,col=9,endLine=3,endColumn=31,title=SL103 model-load::"
        "Modèle chargé au démarrage — 2 s%0Aapp/main.py:1:1: imported by%0Amy app/svc.py:1:1: defined here",
    ]


def test_github_escaping(tmp_path: Path) -> None:
    nasty = Finding(
        "SL105",
        "a,b:c",
        Severity.INFO,
        "dir,1/x:y%z.py",
        Span(1, 1, 3, 2),
        "100% sure:\r\nline two, a::b",
    )
    (line,) = render("github", run_with(tmp_path, nasty), RULES, PLAIN).splitlines()
    # Columns are only for one-line spans; GitHub rejects them across lines.
    assert line == (
        "::notice file=dir%2C1/x%3Ay%25z.py,line=1,endLine=3,title=SL105 a%2Cb%3Ac::"
        "100%25 sure:%0D%0Aline two, a::b"
    )
    assert github.escape_data("%0A") == "%250A"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_prints_nothing_without_findings(tmp_path: Path) -> None:
    assert render("github", run_with(tmp_path), RULES, PLAIN) == ""
