"""Fix a large body of real code and check that every fix still compiles and converges.

The corpus is the running Python's standard library (without its tests, idlelib and
lib2to3) plus the packages installed in this virtual environment (without startlint
itself), copied to a temporary directory. A `startlint.toml` there marks common modules
heavy and common calls as clients and loaders, so that nearly every file gets fixes of
every kind (imports moved into functions or under `if TYPE_CHECKING:`, cached accessors,
cross-module rewrites). Then `check --fix --unsafe-fixes` runs twice:

- every file the first pass changed must still compile (when it compiled before);
- the second pass must change nothing.

By default a deterministic subset runs (about a thirtieth of the files, about a minute
on two cores); `STARTLINT_FULL_CORPUS=1` runs all of it. docs/fix-corpus.md records the
figures of the runs made.
"""

from __future__ import annotations

import ast
import glob
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import warnings
import zlib
from pathlib import Path

import pytest

FULL = os.environ.get("STARTLINT_FULL_CORPUS") == "1"
SUBSET_MODULUS = 30  # the default run takes the files whose path hashes to 0 modulo this
SKIP_DIRS = {"test", "tests", "idlelib", "lib2to3", "__pycache__", "site-packages"}
CONFIG = """\
unsafe-fixes = true

[catalog]
heavy-modules = { "json" = 100, "re" = 100, "collections" = 100, "typing" = 100, "os" = 100, "subprocess" = 100, "logging" = 100, "dataclasses" = 100 }
clients = ["logging.getLogger"]
model-loaders = ["re.compile"]
network-calls = ["os.environ.get"]
"""
TIMEOUT = 3 * 3600 if FULL else 600


def sources() -> list[tuple[Path, str]]:
    """(source file, relative destination) of every corpus file, sorted."""
    roots = [(Path(sysconfig.get_paths()["stdlib"]), "stdlib")]
    venv = Path(__file__).resolve().parents[1] / ".venv"
    roots += [(Path(p), "packages") for p in sorted(glob.glob(str(venv / "lib" / "python3.*" / "site-packages")))]
    out = []
    for root, prefix in roots:
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root)
            if SKIP_DIRS & set(rel.parts[:-1]) or rel.parts[0].startswith(("startlint", "_editable_impl_startlint")):
                continue
            out.append((path, f"{prefix}/{rel.as_posix()}"))
    return out


def selected(rel: str) -> bool:
    return FULL or zlib.crc32(rel.encode()) % SUBSET_MODULUS == 0


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*.py")
        if ".startlint_cache" not in p.parts
    }


def compiles(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<corpus>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def fix(root: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "startlint", "check", "--fix", "--unsafe-fixes", "--exit-zero", "--quiet", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
        check=False,
    )
    return done, time.monotonic() - start


def applied(stderr: str) -> tuple[int, int]:
    match = re.search(r"applied (\d+) fix(?:es)? in (\d+) files?", stderr)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def test_fixing_the_corpus_compiles_and_converges(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for path, rel in sources():
        if selected(rel):
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    (root / "startlint.toml").write_text(CONFIG)
    original = snapshot(root)
    assert len(original) >= (2000 if FULL else 40), len(original)  # a fresh venv holds fewer packages

    first, first_time = fix(root)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "internal error" not in first.stderr, first.stderr[-3000:]
    fixed = snapshot(root)
    assert set(fixed) == set(original), "fixing added or removed files"
    changed = sorted(rel for rel in original if fixed[rel] != original[rel])
    broken = [rel for rel in changed if compiles(original[rel]) and not compiles(fixed[rel])]
    fixes, files_written = applied(first.stderr)

    second, second_time = fix(root)
    assert second.returncode == 0, second.stderr[-3000:]
    again = snapshot(root)
    unstable = sorted(rel for rel in fixed if again[rel] != fixed[rel])

    print(
        f"\ncorpus: {len(original)} files ({'full' if FULL else f'1/{SUBSET_MODULUS} subset'}); "
        f"first pass {first_time:.0f} s: {fixes} fixes, {len(changed)} files changed "
        f"({files_written} reported written); second pass {second_time:.0f} s: "
        f"{applied(second.stderr)[0]} fixes, {len(unstable)} files changed"
    )
    assert not broken, f"{len(broken)} fixed files no longer compile, e.g. {broken[:10]}"
    assert not unstable, f"a second pass changed {len(unstable)} files again, e.g. {unstable[:10]}"
    assert applied(second.stderr) == (0, 0), second.stderr[-2000:]
    assert fixes >= len(changed) > len(original) // 10, (fixes, len(changed))
