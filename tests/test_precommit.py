"""The pre-commit hooks in `.pre-commit-hooks.yaml`, run by real pre-commit.

pre-commit installs hooks from a git repository at a revision, and the checkout under
test may hold uncommitted work, so the module fixture snapshots it first: every tracked
or untracked-but-not-ignored file is copied into a fresh repository and committed there.
A second repository plays the user's project, with a `.pre-commit-config.yaml` naming
the snapshot. pre-commit builds the hook's virtualenv once (from PyPI: hatchling and
startlint's dependencies) under a temporary PRE_COMMIT_HOME, and every test reuses it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")

HAZARD = "import torch\n\n\ndef embed(rows):\n    return torch.tensor(rows)\n"
CLEAN = "def embed(rows):\n    import torch\n\n    return torch.tensor(rows)\n"
SCRIPT = '#!/bin/sh\nexec python -m service "$@"\n'


@dataclass(frozen=True)
class Project:
    path: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=self.path, env=self.env, capture_output=True, text=True, timeout=600, check=False
        )

    def git(self, *args: str) -> str:
        done = self.run("git", *args)
        assert done.returncode == 0, f"git {' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done.stdout.strip()

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-m", "pre_commit", *args)


def _isolated_env(tmp: Path) -> dict[str, str]:
    """The environment without git or pre-commit state from outside (a hook may be running us)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = startlint tests\n\temail = tests@startlint.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    env.update(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
    )
    return env


def _snapshot(checkout: Path, into: Path, env: dict[str, str]) -> str:
    """Commit the checkout's current files (tracked, or untracked and not ignored) into a new repo."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=checkout, env=env, capture_output=True, check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = checkout / rel
        if source.is_file():  # a tracked file deleted in the working tree is left out
            target = into / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    snapshot = Project(into, env)
    snapshot.git("init", "-q")
    snapshot.git("add", "-A")
    snapshot.git("commit", "-q", "-m", "snapshot of the checkout under test")
    return snapshot.git("rev-parse", "HEAD")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    tmp = tmp_path_factory.mktemp("precommit")
    env = _isolated_env(tmp)
    hooks = tmp / "startlint"
    hooks.mkdir()
    rev = _snapshot(REPO, hooks, env)

    user = Project(tmp / "project", env)
    user.path.mkdir()
    user.git("init", "-q")
    config = {"repos": [{"repo": str(hooks), "rev": rev, "hooks": [{"id": "startlint"}]}]}
    fix_config = {"repos": [{"repo": str(hooks), "rev": rev, "hooks": [{"id": "startlint-fix"}]}]}
    (user.path / "fix-config.yaml").write_text(json.dumps(fix_config, indent=2), encoding="utf-8")
    # JSON is YAML: no quoting surprises in the temporary path.
    (user.path / ".pre-commit-config.yaml").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (user.path / "bad.py").write_text(HAZARD, encoding="utf-8")
    (user.path / "good.py").write_text(CLEAN, encoding="utf-8")
    (user.path / "run.sh").write_text(SCRIPT, encoding="utf-8")
    user.git("add", ".pre-commit-config.yaml")
    user.git("commit", "-q", "-m", "pre-commit config")
    return user


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def test_manifest_defines_both_hooks() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert sorted(hooks) == ["startlint", "startlint-fix"]
    assert hooks["startlint"]["entry"] == "startlint check"
    assert hooks["startlint-fix"]["entry"] == "startlint check --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "dockerfile", "shell"]
        # The fixer rewrites importers of a name in other files: one process sees them all.
        assert hook["require_serial"] is (hook["id"] == "startlint-fix")
        assert hook["description"]


def test_hook_fails_on_a_heavy_import(project: Project) -> None:
    done = project.pre_commit("run", "--files", "bad.py")
    out = _output(done)
    assert done.returncode == 1, out
    assert "- hook id: startlint" in out
    assert "bad.py:1:1: SL101" in out


def test_hook_passes_clean_files(project: Project) -> None:
    done = project.pre_commit("run", "--files", "good.py", "run.sh")
    out = _output(done)
    assert done.returncode == 0, out
    assert "startlint" in out and "Passed" in out
    assert "SL1" not in out


def test_installed_hook_blocks_the_commit(project: Project) -> None:
    install = project.pre_commit("install")
    assert install.returncode == 0, _output(install)
    project.git("add", "bad.py")
    done = project.run("git", "commit", "-m", "add an embedding helper")
    out = _output(done)
    assert done.returncode != 0, out
    assert "bad.py:1:1: SL101" in out
    assert project.git("log", "--format=%s") == "pre-commit config"


def test_fix_hook_rewrites_the_file_and_fails_so_it_can_be_reviewed(project: Project) -> None:
    (project.path / "fixme.py").write_text(HAZARD, encoding="utf-8")
    project.git("add", "fixme.py")  # pre-commit sees a hook's rewrite as a diff against the index
    done = project.pre_commit("run", "--config", "fix-config.yaml", "--files", "fixme.py")
    out = _output(done)
    assert done.returncode == 1, out
    assert "files were modified by this hook" in out
    assert (project.path / "fixme.py").read_text(encoding="utf-8") == CLEAN
    again = project.pre_commit("run", "--config", "fix-config.yaml", "--files", "fixme.py")
    assert again.returncode == 0, _output(again)
