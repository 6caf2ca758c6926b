"""Fixing a real app keeps its behaviour and takes the heavy work out of its import.

For `examples/service` and the apps in `tests/fixtures/apps/` (each with its own tests,
run against the stand-in packages in `tests/fixtures/apps/_stubs/` or the example's
`stubs/`), on a copy in a temporary directory:

1. importing the entry module, in a fresh process, loads the heavy modules and makes
   the expensive calls (clients, model loads, HTTP) that the stubs record;
2. the app's tests pass;
3. `startlint check --fix --unsafe-fixes` rewrites exactly the files expected and
   leaves no fixable finding;
4. the app's tests still pass;
5. importing the entry module, in a fresh process, now loads none of the heavy
   modules and makes none of those calls;
6. a second `--fix --unsafe-fixes` changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APPS = REPO / "tests" / "fixtures" / "apps"
TIMEOUT = 120

# Run in a fresh interpreter (cwd: the app): import the entry module and report which of
# the heavy modules are loaded and which expensive calls the stubs recorded.
PROBE = """\
import importlib, json, sys
entry, setup, heavy = sys.argv[1], sys.argv[2], sys.argv[3:]
import stubtrace
exec(setup)
preloaded = sorted(m for m in heavy if m in sys.modules)
importlib.import_module(entry)
print(json.dumps({
    "preloaded": preloaded,
    "loaded": sorted(m for m in heavy if m in sys.modules),
    "calls": sorted(stubtrace.CALLS),
}))
"""


@dataclass(frozen=True)
class App:
    name: str
    source: Path  # copied to <tmp>/<name>
    stubs: Path | None  # copied to <tmp>/_stubs and put on PYTHONPATH; None: the app finds its own
    entry: str
    heavy: tuple[str, ...]  # loaded by importing `entry` before the fix, not after
    calls: tuple[str, ...]  # recorded by importing `entry` before the fix ("{app}": the app's directory)
    changed: frozenset[str]  # the files the fix rewrites
    left: frozenset[str] = frozenset()  # codes of findings that have no fix and stay
    env: dict[str, str] = field(default_factory=dict)  # for the import probe ("{app}" expanded)
    setup: str = ""  # run in the import probe before the entry module is imported


EXAMPLE = REPO / "examples" / "service"
CASES = [
    App(
        name="example_service",
        source=EXAMPLE,
        stubs=None,  # its conftest.py puts stubs/ first on sys.path
        entry="app.main",
        heavy=("torch",),
        calls=(
            "joblib.load /models/test-triage.joblib",
            "requests.get https://config.test/triage.json",
            "storage.Client()",
        ),
        changed=frozenset(
            {"app/clients.py", "app/features.py", "app/model.py", "app/routes/tickets.py", "app/settings.py"}
        ),
        left=frozenset({"SL105"}),  # time.sleep() at import has no automatic fix
        env={
            "PYTHONPATH": "{app}/stubs",
            "TRIAGE_CONFIG_URL": "https://config.test/triage.json",
            "TRIAGE_MODEL_PATH": "/models/test-triage.joblib",
            "COLLECTOR_GRACE_SECONDS": "0",
        },
        # The example's stubs serve registered data only. Neither requests nor joblib is
        # heavy; the calls on them are what the probe watches.
        setup=(
            "import joblib, requests\n"
            "requests.RESPONSES['https://config.test/triage.json'] = {'keywords': ['down'], 'max_body_chars': 10}\n"
            "joblib.ARTIFACTS['/models/test-triage.joblib'] = object()\n"
        ),
    ),
    App(
        name="search_service",
        source=APPS / "search_service",
        stubs=APPS / "_stubs",
        entry="app.main",
        heavy=("pandas", "torch"),
        calls=(
            "boto3.client s3",
            "sqlalchemy.create_engine sqlite://",
            "torch.load {app}/tests/data/ranker.pt",
        ),
        changed=frozenset(
            {
                "app/clients.py",
                "app/db.py",
                "app/ml/ranker.py",
                "app/routes/exports.py",
                "app/routes/search.py",
                "conftest.py",  # reads db.engine: becomes db.get_engine()
            }
        ),
        env={"DATABASE_URL": "sqlite://", "RANKER_PATH": "{app}/tests/data/ranker.pt"},
    ),
    App(
        name="media_worker",
        source=APPS / "media_worker",
        stubs=APPS / "_stubs",
        entry="app.main",
        heavy=("jsonschema", "pandas"),  # jsonschema is the real one, declared heavy in startlint.toml
        calls=("requests.get https://config.test/media-worker.json", "storage.Client media-test"),
        changed=frozenset(
            {
                "app/clients.py",
                "app/config.py",
                "app/jobs/archive.py",  # from app.clients import storage_client
                "app/jobs/report.py",  # clients.storage_client, config.REMOTE
                "app/main.py",  # config.REMOTE
                "app/schemas.py",
                "tests/test_jobs.py",  # from app.clients import storage_client
            }
        ),
        env={
            "GOOGLE_CLOUD_PROJECT": "media-test",
            "WORKER_CONFIG_URL": "https://config.test/media-worker.json",
            "STUB_HTTP_RESPONSES": "{app}/tests/data/http.json",
        },
    ),
    App(
        name="settings_service",
        source=APPS / "settings_service",
        stubs=APPS / "_stubs",
        entry="app.main",
        heavy=(),  # nothing heavy: the work at import is the credentials' metadata request
        calls=("google.auth.default",),
        changed=frozenset({"app/config.py", "app/main.py", "app/storage.py"}),
    ),
]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {"__pycache__", ".startlint_cache", ".pytest_cache"} & set(p.parts)
    }


def run(cwd: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # No third-party pytest plugins (one importing a stubbed package would beat the stub),
    # no bytecode next to the sources, and nothing inherited that could shadow a stub.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST_", "STUB_"))}
    full = dict(base, PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **env)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def app_env(app: App, root: Path) -> dict[str, str]:
    """PYTHONPATH with the stubs, for the app's tests."""
    return {"PYTHONPATH": str(root.parent / "_stubs")} if app.stubs is not None else {}


def import_probe(app: App, root: Path) -> dict[str, list[str]]:
    env = app_env(app, root) | {k: v.format(app=root) for k, v in app.env.items()}
    done = run(root, ["-c", PROBE, app.entry, app.setup, *app.heavy], env)
    assert done.returncode == 0, f"importing {app.entry} failed:\n{done.stderr[-3000:]}"
    result: dict[str, list[str]] = json.loads(done.stdout)
    assert result["preloaded"] == [], "the probe's set-up loaded a heavy module itself"
    return result


def app_tests(app: App, root: Path, when: str) -> None:
    done = run(root, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], app_env(app, root))
    assert done.returncode == 0, f"{app.name}'s tests fail {when} the fix:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
    assert " passed" in done.stdout and "failed" not in done.stdout, done.stdout[-2000:]


def fix(root: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    done = run(
        root,
        ["-m", "startlint", "check", "--fix", "--unsafe-fixes", "--format", "json", "."],
        {"PYTHONPATH": str(REPO / "src"), "STARTLINT_CACHE_DIR": str(root.parent / "startlint-cache")},
    )
    assert done.returncode in (0, 1) and "internal error" not in done.stderr, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout)
    return done, report


@pytest.mark.parametrize("app", CASES, ids=lambda a: a.name)
def test_fix_keeps_behaviour_and_defers_the_heavy_work(app: App, tmp_path: Path) -> None:
    tmp_path = tmp_path.resolve()
    root = tmp_path / app.name
    shutil.copytree(app.source, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".startlint_cache"))
    if app.stubs is not None:
        shutil.copytree(app.stubs, tmp_path / "_stubs", ignore=shutil.ignore_patterns("__pycache__"))
    calls = sorted(c.format(app=root) for c in app.calls)

    before = import_probe(app, root)
    assert before["loaded"] == sorted(app.heavy), "the heavy modules should be loaded before the fix"
    assert before["calls"] == calls, "the expensive calls should run at import before the fix"
    app_tests(app, root, "before")
    original = snapshot(root)

    done, report = fix(root)
    fixed = snapshot(root)
    assert set(fixed) == set(original), "the fix added or removed files"
    assert {rel for rel in original if fixed[rel] != original[rel]} == app.changed, done.stderr
    findings = report["findings"]
    assert isinstance(findings, list)
    assert {f["code"] for f in findings} == app.left, json.dumps(findings, indent=1)
    assert all(f["fix"] is None for f in findings), json.dumps(findings, indent=1)

    app_tests(app, root, "after")
    after = import_probe(app, root)
    assert after["loaded"] == [], f"still loaded at import after the fix: {after['loaded']}"
    assert after["calls"] == [], f"still made at import after the fix: {after['calls']}"

    again, _ = fix(root)
    assert snapshot(root) == fixed, "a second --fix --unsafe-fixes changed files again"
    assert "applied" not in again.stderr, again.stderr
