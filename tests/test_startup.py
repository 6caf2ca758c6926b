"""Entrypoints, the first-party import graph and `startlint graph`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from startlint.cli import main
from startlint.startup.entrypoints import from_command, from_project_files, parse_spec


@pytest.mark.parametrize(
    "command, kind, target, launcher",
    [
        ("uvicorn app.main:app --host 0.0.0.0 --port 8080", "module", "app.main", "uvicorn"),
        ("gunicorn -k uvicorn.workers.UvicornWorker -b :8080 app.main:app", "module", "app.main", "gunicorn"),
        ("gunicorn --config gunicorn.conf.py 'app.factory:create_app()'", "module", "app.factory", "gunicorn"),
        ("hypercorn --bind 0.0.0.0:8000 svc.asgi:app", "module", "svc.asgi", "hypercorn"),
        ("daphne -b 0.0.0.0 -p 8000 proj.asgi:application", "module", "proj.asgi", "daphne"),
        ("granian --interface asgi app.main:app", "module", "app.main", "granian"),
        ("python -m worker.main", "module", "worker.main", "python -m"),
        ("python3 -u jobs/run.py --once", "script", "jobs/run.py", "python"),
        ("python -m uvicorn app.main:app", "module", "app.main", "uvicorn"),
        ("streamlit run ui/app.py --server.port 8501", "script", "ui/app.py", "streamlit"),
        ("celery -A proj worker -l info", "module", "proj", "celery"),
        ("functions-framework --target=handle", "script", "main.py", "functions-framework"),
        ("fastapi run app/main.py --port 80", "script", "app/main.py", "fastapi"),
        ("exec uv run --no-sync uvicorn app.main:app", "module", "app.main", "uvicorn"),
        ("PORT=8080 exec gunicorn app:app", "module", "app", "gunicorn"),
    ],
)
def test_launcher_command_lines(command: str, kind: str, target: str, launcher: str) -> None:
    (entry,) = from_command(command.replace("'", "").split(), "Dockerfile:9")
    assert (entry.kind, entry.target, entry.launcher) == (kind, target, launcher)


def test_shell_c_bodies_hold_several_servers() -> None:
    found = from_command(["sh", "-c", "uvicorn api.main:app & streamlit run ui/app.py; wait"], "x")
    assert [(e.kind, e.target) for e in found] == [("module", "api.main"), ("script", "ui/app.py")]


def test_commands_that_start_no_python_are_not_entrypoints() -> None:
    assert from_command(["nginx", "-g", "daemon off;"], "x") == []
    assert from_command(["gunicorn", "--config", "gunicorn.conf.py"], "x") == []


def test_specs() -> None:
    assert parse_spec("app.main:app", "cfg").target == "app.main"
    assert parse_spec("./worker.py", "cfg").target == "worker.py"
    assert parse_spec("app.factory:create_app()", "cfg").display == "app.factory:create_app()"


def test_project_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[project.scripts]\nserve = "svc.cli:main"\n')
    (tmp_path / "Procfile").write_text("web: gunicorn web.wsgi:app --log-file -\nworker: python -m jobs\n")
    (tmp_path / "app.yaml").write_text("runtime: python312\nentrypoint: gunicorn -b :$PORT main:app\n")
    found = [(e.target, e.source) for e in from_project_files(tmp_path)]
    assert found == [
        ("svc.cli", "pyproject.toml [project.scripts] serve"),
        ("web.wsgi", "Procfile:1"),
        ("jobs", "Procfile:2"),
        ("main", "app.yaml:2"),
    ]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def json_findings(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    """`startlint check --format json --exit-zero ARGS` run in `root`: its findings."""
    old = Path.cwd()
    os.chdir(root)
    try:
        main(["check", "--format", "json", "--exit-zero", *args])
    finally:
        os.chdir(old)
    found: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return found


def heavy_findings(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[tuple[str, int], tuple[str, list[str]]]:
    return {
        (f["path"], f["line"]): (f["severity"], [r["path"] for r in f["related"]])
        for f in json_findings(root, capsys, "--select", "SL101", *args)
    }


def test_src_layout_relative_imports_cycles_and_packages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "src/svc/__init__.py": "",
            "src/svc/main.py": "from . import routes\nfrom .util import helper\n",
            "src/svc/routes/__init__.py": "from .predict import predict\n",
            "src/svc/routes/predict.py": "from ..util import helper\nimport torch\n",
            "src/svc/util.py": "import svc.main\n\ndef helper():\n    import pandas\n",
            "src/svc/offline.py": "import sklearn\n",
            "src/svc/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import svc.offline\n",
        },
    )
    got = heavy_findings(tmp_path, capsys, "--entrypoint", "svc.main:app")
    assert got == {
        ("src/svc/routes/predict.py", 2): (
            "error",
            ["src/svc/main.py", "src/svc/routes/__init__.py"],
        ),
        ("src/svc/offline.py", 1): ("warning", []),
    }


def test_namespace_packages_and_the_config_entrypoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "startlint.toml": 'entrypoints = ["api/server.py"]\n',
            "api/server.py": "from ml.models import load\n",
            "ml/models.py": "import transformers\n\ndef load():\n    return transformers\n",
        },
    )
    got = heavy_findings(tmp_path, capsys)
    assert got == {("ml/models.py", 1): ("error", ["api/server.py"])}


def test_report_off_path_false_drops_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "startlint.toml": 'entrypoints = ["app.py"]\nreport-off-path = false\n',
            "app.py": "import os\n",
            "train.py": "import torch\n",
        },
    )
    assert heavy_findings(tmp_path, capsys) == {}


def test_graph_json_names_heavy_modules_and_their_cost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "import fastapi\nfrom app import model\n",
            "app/model.py": "import torch\nimport pandas as pd\n",
        },
    )
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["graph", "app.main:app", "--format", "json"]) == 0
    finally:
        os.chdir(old)
    (entry,) = json.loads(capsys.readouterr().out)["entrypoints"]
    assert set(entry["heavy_modules"]) == {"torch", "pandas"}
    assert entry["estimated_heavy_import_ms"] == sum(entry["heavy_modules"].values())
    tree = entry["tree"]
    assert tree["module"] == "app/main.py"
    child = [c for c in tree["children"] if c["first_party"]][0]
    assert child["module"] == "app/model.py"
    assert [c["module"] for c in child["children"]] == ["torch", "pandas"]


def test_graph_without_an_entrypoint_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["graph"]) == 2
    finally:
        os.chdir(old)
    assert "no entrypoint" in capsys.readouterr().err


def test_the_entry_modules_packages_run_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Importing app.api.main runs app/__init__.py and app/api/__init__.py before it.
    write(
        tmp_path,
        {
            "app/__init__.py": "from app.ml import Embedder\nimport pandas\n",
            "app/ml/__init__.py": "from .embed import Embedder\n",
            "app/ml/embed.py": "from sentence_transformers import SentenceTransformer\n",
            "app/api/__init__.py": "",
            "app/api/main.py": "import os\n",
            "tools/train.py": "import torch\n",
        },
    )
    got = heavy_findings(tmp_path, capsys, "--entrypoint", "app.api.main:app")
    assert got == {
        ("app/__init__.py", 2): ("error", []),
        ("app/ml/embed.py", 1): ("error", ["app/__init__.py", "app/ml/__init__.py"]),
        ("tools/train.py", 1): ("warning", []),
    }
    monkeypatch.chdir(tmp_path)
    main(["check", "--select", "SL101", "--entrypoint", "app.api.main:app", "--exit-zero"])
    assert "(its package: Python runs app/__init__.py before app/api/main.py)" in capsys.readouterr().out
    assert main(["graph", "app.api.main:app"]) == 0
    tree = capsys.readouterr().out
    assert "app/api/main.py\n├── app/__init__.py  (its package: runs first)\n" in tree
    assert "sentence_transformers: SentenceTransformer" in tree and "pandas" in tree


def test_python_dash_m_runs_the_packages_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "Dockerfile": 'FROM python:3.12-slim\nCOPY . /srv\nWORKDIR /srv\nCMD ["python", "-m", "app"]\n',
            "app/__init__.py": '"""The service."""\n',
            "app/__main__.py": "from app.server import api\n",
            "app/server.py": "import pandas as pd\n",
        },
    )
    assert heavy_findings(tmp_path, capsys) == {("app/server.py", 1): ("error", ["app/__main__.py"])}


def test_entrypoint_discovery_skips_release_phases_and_option_values(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("release: python manage.py migrate\nweb: gunicorn svc.app:app\n")
    assert [e.target for e in from_project_files(tmp_path)] == ["svc.app"]
    argv = ["gunicorn", "--bind", ":8080", "--worker-connections", "1000", "--statsd-host", "localhost:8125", "main:app"]
    assert [e.display for e in from_command(argv, "x")] == ["main:app"]


def test_missing_entrypoints_are_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"main.py": "import torch\n", "clean.py": "import os\n"})
    for path in tmp_path.iterdir():  # old enough for the run cache to store a run of them
        os.utime(path, (path.stat().st_atime - 60, path.stat().st_mtime - 60))
    monkeypatch.chdir(tmp_path)
    # Given on the command line: a warning even without an SL101 finding to judge.
    assert main(["check", "clean.py", "--entrypoint", "mian:app"]) == 0
    assert "startlint: warning: entrypoint not found: mian:app" in capsys.readouterr().err
    # One of two missing: the other still places main.py on a start-up path.
    main(["check", "--select", "SL101", "--exit-zero", "--entrypoint", "server:app", "--entrypoint", "main:app"])
    out, err = capsys.readouterr()
    assert "entrypoint not found: server:app" in err and "[error]" in out
    # The run that warned was not stored: the same command warns again.
    main(["check", "--select", "SL101", "--exit-zero", "--entrypoint", "server:app", "--entrypoint", "main:app"])
    assert "entrypoint not found: server:app" in capsys.readouterr().err
    # `graph` draws the trees it can and warns about the others.
    assert main(["graph", "server:app", "main:app"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("main:app") and "entrypoint not found: server:app" in err


def test_import_time_calls_follow_a_packages_re_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from .api import fetch_config, Loader\n",
            "pkg/api/__init__.py": "from pkg.api.net import fetch_config\nfrom .models import Loader as Loader\n",
            "pkg/api/net.py": "import requests\n\n\ndef fetch_config():\n    return requests.get('http://cfg').json()\n",
            "pkg/api/models.py": "import joblib\n\n\nclass Loader:\n    def __init__(self):\n        self.model = joblib.load('m.joblib')\n",
            "main.py": "from pkg import fetch_config\nimport pkg\n\nCONFIG = fetch_config()\nLOADER = pkg.Loader()\n",
        },
    )
    found = {(f["code"], f["path"], f["line"]): [r["path"] for r in f["related"]] for f in json_findings(tmp_path, capsys, "--no-cache")}
    assert found == {
        ("SL102", "pkg/api/net.py", 5): ["main.py"],
        ("SL104", "pkg/api/models.py", 6): ["main.py"],
    }


def test_sl102_on_a_client_another_module_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/clients.py": "import boto3 as b\n\ns3 = b.client('s3')\nnames = list('ab')\n",
            "app/main.py": (
                "from app.clients import s3, names\n"
                "import app.clients\n"
                "\n"
                "BUCKETS = s3.list_buckets()\n"  # a request: SL102
                "HANDLE = s3.bucket('x')\n"  # a local handle: nothing
                "AGAIN = app.clients.s3.head_bucket(Bucket='b')\n"  # SL102
                "FIRST = names.pop()\n"  # not a client
                "LATER = lambda: s3.list_buckets()\n"  # runs later
                "QUIET = s3.list_objects(Bucket='b')  # startlint: ignore[SL102]\n"
            ),
        },
    )
    found = json_findings(tmp_path, capsys, "--no-cache", "--select", "SL102")
    assert [(f["path"], f["line"]) for f in found] == [("app/main.py", 4), ("app/main.py", 6)]
    assert "client that app.clients builds at import" in found[0]["message"]
