"""examples/service: startlint finds exactly the hazards built into it, and its own tests pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVICE = REPO / "examples" / "service"

# (code, path, line) of every finding designed into the example; its README explains each.
EXPECTED = {
    ("SL101", "app/features.py", 7),  # import torch, used only inside featurize()
    ("SL102", "app/settings.py", 20),  # requests.get(CONFIG_URL) for the remote config
    ("SL103", "app/clients.py", 14),  # storage.Client() at module level
    ("SL104", "app/model.py", 10),  # joblib.load(MODEL_PATH)
    ("SL105", "app/main.py", 18),  # time.sleep() waiting for a sidecar
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # No third-party pytest plugins: one that imports requests or fastapi would beat the stubs.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO / "src"), env.get("PYTHONPATH"))))
    return subprocess.run(
        [sys.executable, *args], cwd=SERVICE, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_startlint_reports_the_designed_findings() -> None:
    done = _run("-m", "startlint", "check", "--format", "json")
    assert done.returncode == 1, done.stderr  # SL101, SL102 and SL104 are errors
    report = json.loads(done.stdout)
    found = {(f["code"], f["path"], f["line"]) for f in report["findings"]}
    assert found == EXPECTED
    assert len(report["findings"]) == len(EXPECTED)


def test_the_example_tests_pass() -> None:
    done = _run("-m", "pytest", "tests", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout
