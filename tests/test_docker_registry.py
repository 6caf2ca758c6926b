"""The Dockerfile rule registry is data: its codes are known without importing a rule, the
rules load only when a Dockerfile is checked, and each module is the rule it is listed as."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from startlint.docker.registry import DOCKER_RULES, docker_codes, load_rules
from startlint.rules import implemented_codes


def test_every_listed_module_defines_its_code_and_checks() -> None:
    modules = load_rules()
    assert [m.CODE for m in modules] == [code for code, _ in DOCKER_RULES]
    assert all(callable(getattr(m, "check", None)) for m in modules)
    assert set(docker_codes()) <= set(implemented_codes())
    assert callable(getattr(dict(zip(docker_codes(), modules))["SL301"], "check_script", None))


_PROBE = """
import sys
from startlint.cli import main
main(sys.argv[1:])
print("\\n".join(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(args: list[str], cwd: Path) -> set[str]:
    """The modules a fresh process has loaded after running `startlint ARGS`."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return set(proc.stderr.split())


def test_a_python_only_check_loads_no_dockerfile_code(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("import os\n", encoding="utf-8")
    loaded = _loaded(["check", "--no-cache", "clean.py"], tmp_path)
    assert "startlint.engine" in loaded  # the measurement works
    docker = {m for m in loaded if m == "dockerfile" or m.startswith(("startlint.docker.rules", "startlint.docker.analysis"))}
    assert docker == set()


def test_a_dockerfile_check_loads_the_rules(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text('FROM python:3.12-slim\nCMD ["python", "-m", "app"]\n', encoding="utf-8")
    loaded = _loaded(["check", "--no-cache", "Dockerfile"], tmp_path)
    assert {"dockerfile", "startlint.docker.analysis", "startlint.docker.rules.unpinned_base_image"} <= loaded
