"""Entry scripts named on the command line (pre-commit passes changed `.sh` files): checked
and fixed as the entry script of the Dockerfile that runs them, and only their own
findings; a script no Dockerfile runs has none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from startlint.cli import main
from startlint.config import Settings
from startlint.discovery import SCRIPT, discover, is_shell_script

DOCKERFILE = 'FROM python:3.12-slim\nRUN pip install gunicorn==22.0.0\nCOPY ops/ /ops/\nENTRYPOINT ["/ops/boot"]\n'
BOOT = "#!/usr/bin/env bash\nset -e\nalembic upgrade head\ngunicorn app:app\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in {
        "Dockerfile": DOCKERFILE,
        "ops/boot": BOOT,
        "ops/unused.sh": "#!/bin/sh\ngunicorn app:app\n",
        "tools/gen.py": "#!/usr/bin/env python3\nprint(1)\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _report(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[tuple[str, int, str]]:
    main(["check", "--no-cache", "--format", "json", "--exit-zero", *args])
    return [(f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out)["findings"]]


def test_scripts_are_files_to_check_only_when_named(project: Path) -> None:
    assert is_shell_script(project / "ops/boot") and is_shell_script(project / "ops/unused.sh")
    assert not is_shell_script(project / "tools/gen.py") and not is_shell_script(project / "Dockerfile")
    settings = Settings(root=project)
    named = [(s.path.name, s.kind) for s in discover([project / "ops/boot", project / "ops/unused.sh"], settings)]
    assert named == [("boot", SCRIPT), ("unused.sh", SCRIPT)]
    assert SCRIPT not in {s.kind for s in discover([project], settings)}


def test_a_named_script_reports_its_own_findings(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _report(["ops/boot"], capsys) == [("ops/boot", 3, "SL208"), ("ops/boot", 4, "SL301")]
    assert _report(["ops/unused.sh"], capsys) == []  # no Dockerfile runs it
    # named with its Dockerfile (and walked again): each finding once
    both = _report(["Dockerfile", "ops/boot", "."], capsys)
    assert both == sorted(set(both), key=both.index)
    assert ("ops/boot", 4, "SL301") in both and ("Dockerfile", 2, "SL204") in both


def test_fixing_a_named_script_fixes_only_the_script(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", "--fix", "--exit-zero", "ops/boot"]) == 0
    assert (project / "ops/boot").read_text(encoding="utf-8") == BOOT.replace("\ngunicorn", "\nexec gunicorn")
    assert (project / "Dockerfile").read_text(encoding="utf-8") == DOCKERFILE  # its SL204 fix is not asked for
    assert main(["check", "--no-cache", "--fix", "ops/boot", "Dockerfile"]) == 0
    assert "--no-cache-dir" in (project / "Dockerfile").read_text(encoding="utf-8")
    assert (project / "ops/boot").read_text(encoding="utf-8").count("exec ") == 1


def test_crlf_entry_scripts_are_read_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # A CRLF line end ends the last word: `migrate\r` is still `migrate`.
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12-slim\nCOPY start.sh /start.sh\nENTRYPOINT ["sh", "/start.sh"]\n', encoding="utf-8"
    )
    script = "#!/bin/sh\npython manage.py migrate\npython manage.py collectstatic\nhuggingface-cli download\nexec gunicorn app:app\n"
    (tmp_path / "start.sh").write_bytes(script.replace("\n", "\r\n").encode())
    monkeypatch.chdir(tmp_path)
    assert _report(["."], capsys) == [("start.sh", 2, "SL208"), ("start.sh", 3, "SL208"), ("start.sh", 4, "SL208")]
