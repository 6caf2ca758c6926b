"""The wheel carries rules/ and a non-editable install finds it there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
    )
    (built,) = out.glob("startlint-*.whl")
    return built


def test_wheel_contains_every_rule_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "startlint/_rules/" + p.relative_to(REPO / "rules").as_posix()
        for p in (REPO / "rules").rglob("*.toml")
    }
    assert shipped and shipped <= names
    assert "startlint/cli.py" in names


def test_installed_wheel_finds_its_rules(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    probe = "import startlint.resources as r; print(r.rules_dir())"
    where = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()) == tmp_path / "site" / "startlint" / "_rules"
    listed = subprocess.run(
        [sys.executable, "-m", "startlint", "rules"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert listed.returncode == 0, listed.stderr
    assert "heavy-import" in listed.stdout
