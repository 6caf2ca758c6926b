"""The build context and the files the image runs: which directory is the context, which
context file lands at an image path (COPY, ADD, WORKDIR, COPY --from), which entry scripts
the container runs, and each script reported once however many Dockerfiles run it."""

from __future__ import annotations

from pathlib import Path

from startlint import catalog
from startlint.config import Settings
from startlint.discovery import discover
from startlint.docker.analysis import DockerContext
from startlint.docker.catalog import shipped
from startlint.docker.check import check_dockerfile, check_entry_script
from startlint.docker.context import choose_context
from startlint.docker.model import build_model
from startlint.docker.parser import ParsedDockerfile, parse
from startlint.engine import Checker
from startlint.ruledocs import all_docs


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def context_of(root: Path, dockerfile: str) -> DockerContext:
    path = root / dockerfile
    parsed = parse(path.read_text(encoding="utf-8"))
    assert isinstance(parsed, ParsedDockerfile)
    model = build_model(parsed)
    settings = Settings(root=root)
    return DockerContext(path.resolve(), parsed.text, settings, shipped(), model, choose_context(path.resolve(), root.resolve(), model))


def test_context_is_the_nearest_directory_where_the_copied_files_exist(tmp_path: Path) -> None:
    write(tmp_path, {
        "docker/api/Dockerfile": "FROM python:3.12-slim\nCOPY src/api/requirements.txt .\nCOPY src/api/ .\n",
        "docker/api/local.txt": "",
        "src/api/requirements.txt": "",
        "Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
    })
    assert context_of(tmp_path, "docker/api/Dockerfile").context.directory == tmp_path.resolve()
    assert context_of(tmp_path, "Dockerfile").context.directory == tmp_path.resolve()
    write(tmp_path, {"docker/web/Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/\n", "docker/web/nginx.conf": ""})
    assert context_of(tmp_path, "docker/web/Dockerfile").context.directory == (tmp_path / "docker/web").resolve()


def test_origin_follows_copy_rename_directories_wildcards_and_stages(tmp_path: Path) -> None:
    write(tmp_path, {
        "deps/prod.txt": "", "scripts/start.sh": "", "bin/run.sh": "", "conf/a.ini": "",
        "Dockerfile": (
            "FROM python:3.12-slim AS build\nWORKDIR /src\nCOPY scripts/ ./tools/\n"
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY deps/prod.txt ./requirements.txt\n"
            "COPY bin/*.sh /usr/local/bin/\nCOPY conf /etc/conf\nCOPY --from=build /src/tools /opt/tools\nRUN true\n"
        ),
    })
    ctx = context_of(tmp_path, "Dockerfile")
    final = ctx.stages[ctx.model.final]
    assert ctx.origin(final, "/app/requirements.txt") == "deps/prod.txt"
    assert ctx.origin(final, "/usr/local/bin/run.sh") == "bin/run.sh"
    assert ctx.origin(final, "/etc/conf/a.ini") == "conf/a.ini"
    assert ctx.origin(final, "/opt/tools/start.sh") == "scripts/start.sh"
    assert ctx.origin(final, "/app/missing.txt") is None
    copy = final.instructions[1]
    assert ctx.origin(final, "/app/requirements.txt", before=copy) is None  # not there yet


def test_entry_scripts_through_path_workdir_shells_and_wrappers(tmp_path: Path) -> None:
    script = "#!/bin/sh\nexec \"$@\"\n"
    write(tmp_path, {
        "docker-entrypoint.sh": script, "tools/serve": "#!/bin/bash\nexec gunicorn app\n", "tools/seed.py": "",
        "Dockerfile": (
            "FROM python:3.12-slim\nWORKDIR /srv\nCOPY docker-entrypoint.sh /usr/local/bin/\nCOPY tools/ tools/\n"
            'ENTRYPOINT ["tini", "--", "docker-entrypoint.sh"]\nCMD ["bash", "-e", "tools/serve"]\n'
        ),
        "Dockerfile.py": 'FROM python:3.12-slim\nCOPY tools/ /t/\nCMD ["/t/seed.py"]\n',
    })
    found = [s.path.relative_to(tmp_path.resolve()).as_posix() for s in context_of(tmp_path, "Dockerfile").entry_scripts()]
    assert found == ["docker-entrypoint.sh", "tools/serve"]
    # not a shell script; docker-entrypoint.sh is found by its name next to the Dockerfile
    assert [s.path.name for s in context_of(tmp_path, "Dockerfile.py").entry_scripts()] == ["docker-entrypoint.sh"]


def test_a_script_two_dockerfiles_run_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path, {
        "start.sh": "#!/bin/sh\nalembic upgrade head\nuvicorn app:app\n",
        "Dockerfile": 'FROM python:3.12-slim\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
        "Dockerfile.dev": 'FROM python:3.12-slim\nCOPY start.sh /start.sh\nCMD ["sh", "/start.sh"]\n',
    })
    settings = Settings(root=tmp_path)
    checker = Checker(settings, catalog.load_shipped(), all_docs())
    found = [(f.path, f.span.start_line, f.code) for f in checker.check_files(discover([tmp_path], settings))]
    assert sorted(found) == [("start.sh", 2, "SL208"), ("start.sh", 3, "SL301")]


def test_a_script_checked_on_its_own_is_checked_as_its_dockerfile_runs_it(tmp_path: Path) -> None:
    write(tmp_path, {
        "deploy/Dockerfile": 'FROM python:3.12-slim\nCOPY scripts/run.sh /run.sh\nENV UV_NO_SYNC=1\nCMD ["/run.sh"]\n',
        "scripts/run.sh": "#!/bin/sh\nuv run python -m app.warm\nexec uvicorn app:app\n",
    })
    checked = check_entry_script(tmp_path / "scripts" / "run.sh", Settings(root=tmp_path))
    assert [c.path for c in checked] == [(tmp_path / "scripts" / "run.sh").resolve()]
    assert checked[0].violations == ()  # UV_NO_SYNC from the image that runs it
    assert check_entry_script(tmp_path / "deploy" / "Dockerfile", Settings(root=tmp_path)) == []


def test_inline_heredoc_scripts_report_in_the_dockerfile(tmp_path: Path) -> None:
    text = 'FROM python:3.12-slim\nCOPY <<EOF /usr/local/bin/start\n#!/bin/sh\ngunicorn app:app\nEOF\nCMD ["start"]\n'
    [checked] = check_dockerfile(tmp_path / "Dockerfile", text, Settings(root=tmp_path))
    assert [(v.code, v.span.start_line, v.span.start_col) for v in checked.violations] == [("SL301", 4, 1)]
    fix = checked.violations[0].fix
    assert fix is not None and fix.edits[0].span.start_line == 4


def test_a_dockerignore_named_like_a_dockerfile_is_not_checked(tmp_path: Path) -> None:
    assert check_dockerfile(tmp_path / "Dockerfile.dockerignore", ".git\n", Settings(root=tmp_path)) == []


def test_container_launches_for_finding_entrypoints(tmp_path: Path) -> None:
    from startlint.docker.launches import container_start

    write(tmp_path, {
        "start.sh": "#!/bin/bash\nrun_api() {\n  uvicorn api:app &\n}\nalembic upgrade head\nrun_api\ncd ui\nexec streamlit run app.py\n",
        "Dockerfile": 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY start.sh /start.sh\nENTRYPOINT ["tini", "--", "/start.sh"]\n',
        "Dockerfile.cmd": 'FROM python:3.12-slim\nCMD python init_db.py && exec gunicorn "app:create_app()"\n',
        "Dockerfile.bad": "FROM\n",
    })
    settings = Settings(root=tmp_path)

    def launches(name: str) -> list[tuple[tuple[str, ...], str, int, str]]:
        start = container_start(tmp_path / name, (tmp_path / name).read_text(), settings)
        assert start is not None
        return [(l.argv, l.path.name, l.line, l.cwd) for l in start.launches]

    assert launches("Dockerfile") == [
        (("uvicorn", "api:app"), "start.sh", 3, "/srv"),
        (("streamlit", "run", "app.py"), "start.sh", 8, "/srv/ui"),
    ]
    assert launches("Dockerfile.cmd") == [(("gunicorn", "app:create_app()"), "Dockerfile.cmd", 2, "/")]
    assert container_start(tmp_path / "Dockerfile.bad", "FROM\n", settings) is None


def test_the_deployed_image_maps_paths_back_to_the_context(tmp_path: Path) -> None:
    from startlint.docker.launches import container_start

    write(tmp_path, {
        "src/svc/main.py": "",
        "conf/app.ini": "",
        "Dockerfile": (
            "FROM python:3.12-slim AS build\nCOPY conf/ /build/conf/\n"
            "FROM python:3.12-slim\nWORKDIR /opt\nCOPY src/ ./\nCOPY --from=build /build/conf/app.ini /etc/app.ini\n"
            "ARG EXTRA=/extra\nENV PYTHONPATH=/opt:lib:$EXTRA\n"
        ),
    })
    text = (tmp_path / "Dockerfile").read_text()
    start = container_start(tmp_path / "Dockerfile", text, Settings(root=tmp_path))
    assert start is not None
    assert start.context_file("/opt/svc/main.py") == (tmp_path / "src/svc/main.py").resolve()
    assert start.context_file("/etc/app.ini") == (tmp_path / "conf/app.ini").resolve()
    assert start.context_file("/opt/svc/missing.py") is None
    assert start.context_file("/opt/svc") is None  # a directory, not a file
    assert start.python_path == ("/opt", "/opt/lib", "/extra")
