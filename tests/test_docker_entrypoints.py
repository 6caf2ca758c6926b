"""Entrypoints from Dockerfiles: what CMD / ENTRYPOINT start, directly or through the entry
scripts they run, with image paths mapped back to the build context (WORKDIR, COPY, `cd`,
`--chdir`, `--app-dir`, PYTHONPATH), and the start-up analysis following them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from startlint.cli import main
from startlint.config import Settings
from startlint.startup import analysis
from startlint.startup.entrypoints import from_dockerfiles


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path.resolve()


def _found(root: Path) -> list[tuple[str, str, str, str]]:
    return [(e.kind, e.display, e.base, e.source) for e in from_dockerfiles(root, Settings(root=root))]


def _located(root: Path) -> list[str]:
    out = []
    for entry in from_dockerfiles(root, Settings(root=root)):
        found = analysis.resolve(entry, root)
        assert found is not None, entry
        out.append(found[0].relative_to(root).as_posix())
    return out


APP = {"app/__init__.py": "", "app/main.py": "app = object()\n"}


@pytest.mark.parametrize(
    "dockerfile, expected",
    [
        ('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["uvicorn", "app.main:app", "--port", "8080"]\n',
         ("module", "app.main:app", ".", "Dockerfile:4")),
        ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
         "CMD exec gunicorn -k uvicorn.workers.UvicornWorker -b :$PORT app.main:app\n",
         ("module", "app.main:app", ".", "Dockerfile:4")),
        ('FROM python:3.12-slim\nWORKDIR /srv\nCOPY app/ ./app/\nCMD ["python", "-m", "app"]\n',
         ("module", "app", ".", "Dockerfile:4")),
        ('FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nCMD ["python", "app/main.py"]\n',
         ("script", "app/main.py", "", "Dockerfile:4")),
        ('FROM python:3.12-slim\nCOPY . /srv\nWORKDIR /srv\nENTRYPOINT ["tini", "--"]\nCMD ["streamlit", "run", "app/main.py"]\n',
         ("script", "app/main.py", "", "Dockerfile:5")),
        ('FROM python:3.12-slim\nWORKDIR /x\nCOPY . /srv\nCMD ["sh", "-c", "cd /srv && exec uv run --no-sync uvicorn app.main:app"]\n',
         ("module", "app.main:app", ".", "Dockerfile:4")),
        ('FROM python:3.12-slim\nCOPY . /srv\nCMD ["gunicorn", "--chdir", "/srv", "app.main:app"]\n',
         ("module", "app.main:app", ".", "Dockerfile:3")),
    ],
    ids=["uvicorn", "gunicorn-k", "python-m", "python-script", "streamlit", "sh-c-cd", "gunicorn-chdir"],
)
def test_command_forms(tmp_path: Path, dockerfile: str, expected: tuple[str, str, str, str]) -> None:
    root = _project(tmp_path, {**APP, "app/__main__.py": "", "Dockerfile": dockerfile})
    assert _found(root) == [expected]
    # `python -m app` runs the package's __main__.py (after its __init__.py).
    assert _located(root)[0] == ("app/__main__.py" if expected[1] == "app" else "app/main.py")


def test_the_source_root_comes_from_the_copy(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "services/api/src/svc/__init__.py": "",
        "services/api/src/svc/asgi.py": "",
        "services/api/other/svc/asgi.py": "",  # a look-alike the Dockerfile does not copy
        "docker/api.Dockerfile": (
            "FROM python:3.12-slim\nWORKDIR /opt/app\nCOPY services/api/src/ ./\n"
            'CMD ["hypercorn", "--bind", "0.0.0.0:8000", "svc.asgi:app"]\n'
        ),
    })
    assert _found(root) == [("module", "svc.asgi:app", "services/api/src", "docker/api.Dockerfile:4")]
    assert _located(root) == ["services/api/src/svc/asgi.py"]


def test_app_dir_and_pythonpath(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "src/web/main.py": "",
        "lib/jobs/__init__.py": "",
        "lib/jobs/__main__.py": "",
        "Dockerfile": (
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
            "ENV PYTHONPATH=/app/lib\n"
            'CMD ["uvicorn", "--app-dir", "src", "web.main:app"]\n'
        ),
        "Dockerfile.jobs": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENV PYTHONPATH=lib\nCMD ["python", "-m", "jobs"]\n',
    })
    assert _found(root) == [
        ("module", "web.main:app", "src", "Dockerfile:5"),
        ("module", "jobs", "lib", "Dockerfile.jobs:5"),
    ]
    assert _located(root) == ["src/web/main.py", "lib/jobs/__main__.py"]


def test_through_entry_scripts(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        **APP,
        "app/tasks.py": "",
        "ui/home.py": "",
        "docker-entrypoint.sh": '#!/bin/sh\nset -e\nalembic upgrade head\nexec "$@"\n',
        "scripts/start.sh": (
            "#!/bin/bash\n"
            "serve_api() {\n  gunicorn -k uvicorn.workers.UvicornWorker app.main:app &\n}\n"
            'if [ "$ROLE" = worker ]; then\n  exec celery -A app.tasks worker\nfi\n'
            "serve_api\ncd ui\nexec streamlit run home.py\n"
        ),
        "Dockerfile": (
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY docker-entrypoint.sh /usr/local/bin/\nCOPY . .\n"
            'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["bash", "scripts/start.sh"]\n'
        ),
    })
    # in the order the container reaches them (the function where it is called); the
    # migration is start-up work, not a server
    assert _found(root) == [
        ("module", "app.tasks", ".", "scripts/start.sh:6"),
        ("module", "app.main:app", ".", "scripts/start.sh:3"),
        ("script", "home.py", "", "scripts/start.sh:10"),
    ]
    assert _located(root) == ["app/tasks.py", "app/main.py", "ui/home.py"]


def test_gunicorn_config_names_the_app(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        **APP,
        "deploy/gunicorn.conf.py": 'bind = "0.0.0.0:8080"\nwsgi_app = "app.main:app"  # the ASGI app\n',
        "Dockerfile": (
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY app/ app/\nCOPY deploy/gunicorn.conf.py /etc/gunicorn.py\n"
            'CMD ["gunicorn", "--config", "/etc/gunicorn.py"]\n'
        ),
    })
    assert _found(root) == [("module", "app.main:app", ".", "Dockerfile:5")]


def test_unmapped_paths_fall_back_and_non_servers_are_ignored(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        **APP,
        "Dockerfile": 'FROM python:3.12-slim\nRUN pip install --no-cache-dir svc==1.0\nCMD ["uvicorn", "app.main:app"]\n',
        "Dockerfile.nginx": 'FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n',
        "Dockerfile.broken": "FROM\n",
    })
    # nothing copies app/ into the image: the module is looked up in the project as usual
    assert _found(root) == [("module", "app.main:app", "", "Dockerfile:3")]
    assert _located(root) == ["app/main.py"]


def test_check_follows_the_dockerfile_entrypoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path, {
        "src/backend/app/__init__.py": "",
        "src/backend/app/main.py": "from app import routes\n",
        "src/backend/app/routes.py": "import pandas\n",
        "src/backend/jobs.py": "import torch\n",
        "Dockerfile": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY src/backend/ .\nCMD ["uvicorn", "app.main:app"]\n',
    })
    monkeypatch.chdir(root)
    assert main(["check", "--select", "SL101", "--format", "json", "--exit-zero", "--no-cache"]) == 0
    findings = {f["path"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    on_path = findings["src/backend/app/routes.py"]
    assert on_path["severity"] == "error"
    assert [r["path"] for r in on_path["related"]] == ["src/backend/app/main.py"]
    assert "on the start-up path of app.main:app" in on_path["message"]
    assert findings["src/backend/jobs.py"]["severity"] == "warning"


def test_only_commands_that_keep_running_are_servers(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "manage.py": "",
        "tools/warm.py": "",
        "mysite/__init__.py": "",
        "mysite/wsgi.py": "",
        "docker/entrypoint.sh": (
            "#!/bin/sh\nset -e\n"
            'until nc -z "$DB_HOST" 5432; do\n  sleep 1\ndone\n'
            'if [ "$1" = gunicorn ]; then\n  python manage.py check --deploy\nfi\n'
            "python tools/warm.py\n"
            'exec "$@"\n'
        ),
        "Dockerfile": (
            "FROM python:3.12-slim\nWORKDIR /code\nCOPY . .\nCOPY docker/entrypoint.sh /entrypoint.sh\n"
            'ENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]\n'
        ),
    })
    # `python manage.py check` and `python tools/warm.py` finish before `exec "$@"` runs
    assert _found(root) == [("module", "mysite.wsgi:application", ".", "Dockerfile:6")]
