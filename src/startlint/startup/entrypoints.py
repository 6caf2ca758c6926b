"""What a container or process starts: entrypoints, from command lines and project files.

An entrypoint is a module (`uvicorn app.main:app`, `python -m worker`) or a script
(`python worker.py`, `streamlit run ui/app.py`). Command lines are read the way
their launchers read them; project files (`[project.scripts]`, `Procfile`, App
Engine's `app.yaml`) hold command lines or `module:attr` references; a Dockerfile's
`CMD` / `ENTRYPOINT` and the entry scripts they run hold command lines whose paths are
paths in the image, mapped back to the build context through `COPY` and `WORKDIR`.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from startlint import toml
from startlint.errors import ConfigError

if TYPE_CHECKING:
    from startlint.config import Settings
    from startlint.docker.launches import ContainerStart, Launch


@dataclass(frozen=True)
class Entrypoint:
    kind: str  # "module" or "script"
    target: str  # dotted module name, or a script path relative to the project root
    source: str  # where it was found: "config", "--entrypoint", "Dockerfile:12", ...
    launcher: str = ""  # "uvicorn", "streamlit", ... ("" when given directly)
    spec: str = ""  # as written: "app.main:app", "streamlit_app/app.py"
    # For a module: the directory (relative to the project root) its name is relative to,
    # when the source says so (a Dockerfile that copies `src/backend/` to its WORKDIR).
    base: str = ""

    @property
    def display(self) -> str:
        return self.spec or self.target


# Servers that take `module:attr` (the first positional argument that has a colon).
_ASGI_WSGI = {"uvicorn", "gunicorn", "hypercorn", "daphne", "granian"}
# Options of those servers that take a value (so the value is not the app): gunicorn's
# settings, uvicorn's, hypercorn's and granian's command-line options that are not flags.
_VALUE_OPTIONS = {
    # gunicorn
    "-c", "--config", "-b", "--bind", "--backlog", "-w", "--workers", "-k", "--worker-class",
    "--threads", "--worker-connections", "--max-requests", "--max-requests-jitter", "-t",
    "--timeout", "--graceful-timeout", "--keep-alive", "--limit-request-line",
    "--limit-request-fields", "--limit-request-field_size", "--chdir", "--pythonpath",
    "--paste", "--paster", "-e", "--env", "-p", "--pid", "--worker-tmp-dir", "-u", "--user",
    "-g", "--group", "-m", "--umask", "--forwarded-allow-ips", "--access-logfile",
    "--access-logformat", "--error-logfile", "--log-file", "--log-level", "--logger-class",
    "--log-config", "--log-config-json", "--log-syslog-to", "--log-syslog-prefix",
    "--log-syslog-facility", "--statsd-host", "--statsd-prefix", "--dogstatsd-tags", "-n",
    "--name", "--proxy-allow-from", "--keyfile", "--certfile", "--ssl-version", "--cert-reqs",
    "--ca-certs", "--ciphers", "--reload-engine", "--reload-extra-file", "--header-map",
    # uvicorn
    "--host", "--port", "--uds", "--fd", "--reload-dir", "--reload-include", "--reload-exclude",
    "--reload-delay", "--loop", "--http", "--ws", "--ws-max-size", "--ws-max-queue",
    "--ws-ping-interval", "--ws-ping-timeout", "--ws-per-message-deflate", "--lifespan",
    "--interface", "--env-file", "--root-path", "--limit-concurrency", "--limit-max-requests",
    "--timeout-keep-alive", "--timeout-graceful-shutdown", "--ssl-keyfile", "--ssl-certfile",
    "--ssl-keyfile-password", "--ssl-cert-reqs", "--ssl-ca-certs", "--ssl-ciphers", "--header",
    "--app-dir", "--h11-max-incomplete-event-size",
    # hypercorn, granian
    "--access-log", "--error-log", "--insecure-bind", "--quic-bind", "--keep-alive-timeout",
    "--read-timeout", "--blocking-threads", "--runtime-threads", "--backpressure",
}
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def parse_spec(spec: str, source: str) -> Entrypoint:
    """`app.main:app`, `app.main:create_app()`, `app.main`, `worker.py` or `ui/app.py`."""
    spec = spec.strip()
    if spec.endswith(".py") or "/" in spec:
        return Entrypoint("script", _script(spec), source, spec=spec)
    module = spec.split(":", 1)[0]
    if not re.fullmatch(r"[A-Za-z_][\w.]*", module):
        raise ConfigError(f"{source}: {spec!r} is not an entrypoint (expected 'module:attr' or a script path)")
    return Entrypoint("module", module, source, spec=spec)


def from_command(argv: list[str], source: str) -> list[Entrypoint]:
    """Entrypoints a command line starts (several for `sh -c "a & b"` style commands)."""
    out: list[Entrypoint] = []
    for command in _split_commands(argv):
        found = _one_command(command, source)
        if found is not None:
            out.append(found)
    return out


def _split_commands(argv: list[str]) -> list[list[str]]:
    """Split `sh -c '...'` bodies and `&&`/`;`/`&` chains into single commands."""
    if len(argv) >= 3 and Path(argv[0]).name in ("sh", "bash", "dash") and argv[1] in ("-c", "-lc", "-ec"):
        try:
            argv = shlex.split(argv[2], comments=True)
        except ValueError:
            return []
    commands: list[list[str]] = [[]]
    for word in argv:
        if word in ("&&", "||", ";", "&", "|"):
            commands.append([])
        elif word.endswith(";") and len(word) > 1:
            commands[-1].append(word[:-1])
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


def _one_command(words: list[str], source: str) -> Entrypoint | None:
    while words and (_ENV_ASSIGNMENT.match(words[0]) or words[0] in ("exec", "env", "nohup", "time")):
        words = words[1:]
    if not words:
        return None
    program = Path(words[0]).name
    args = words[1:]
    if program in ("uv", "poetry", "pipenv", "pdm", "hatch") and args[:1] == ["run"]:
        args = [a for a in args[1:] if not a.startswith("--")]
        return _one_command(args, source) if args else None
    if re.fullmatch(r"python(\d(\.\d+)?)?", program):
        while args and args[0].startswith("-") and args[0] != "-m":
            args = args[1:] if args[0] not in ("-X", "-W") else args[2:]
        if args[:1] == ["-m"] and len(args) >= 2:
            module = args[1]
            if module in _ASGI_WSGI or module in ("streamlit", "celery", "fastapi", "functions_framework"):
                return _one_command([module, *args[2:]], source)
            return Entrypoint("module", module, source, "python -m", module)
        if args and args[0].endswith(".py"):
            return Entrypoint("script", _script(args[0]), source, "python", _script(args[0]))
        return None
    if program in _ASGI_WSGI:
        app = _app_argument(args)
        if app is None:
            return None
        if program == "gunicorn" and ("--config" in args or "-c" in args) and ":" not in app:
            return None
        return Entrypoint("module", app.split(":", 1)[0], source, program, app)
    if program == "streamlit" and args[:1] == ["run"] and len(args) >= 2:
        return Entrypoint("script", _script(args[1]), source, "streamlit", _script(args[1]))
    if program == "celery":
        app = _option(args, "-A", "--app")
        return Entrypoint("module", app.split(":", 1)[0], source, "celery", app) if app else None
    if program in ("functions-framework", "functions_framework"):
        source_file = _option(args, "--source") or "main.py"
        return Entrypoint("script", _script(source_file), source, "functions-framework", _script(source_file))
    if program == "fastapi" and args[:1] in (["run"], ["dev"]):
        paths = [a for a in args[1:] if not a.startswith("-")]
        script = _script(paths[0] if paths else "main.py")
        return Entrypoint("script", script, source, "fastapi", script)
    return None


def _script(path: str) -> str:
    return path.removeprefix("./")


def _option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "=") and name.startswith("--"):
                return arg.split("=", 1)[1]
            if len(name) == 2 and arg.startswith(name) and len(arg) > 2 and not name.startswith("--"):
                return arg[2:]
    return None


def _app_argument(args: list[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _VALUE_OPTIONS:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        if ":" in arg or re.fullmatch(r"[A-Za-z_][\w.]*", arg):
            return arg
    return None


# -- project files ------------------------------------------------------------------

def from_project_files(root: Path) -> list[Entrypoint]:
    """`[project.scripts]` in pyproject.toml, `Procfile`, App Engine `app.yaml`."""
    found: list[Entrypoint] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            scripts = toml.load(pyproject).get("project", {}).get("scripts", {})
        except ConfigError:
            scripts = {}
        for name, ref in sorted(scripts.items()) if isinstance(scripts, dict) else ():
            if isinstance(ref, str) and ":" in ref:
                source = f"pyproject.toml [project.scripts] {name}"
                found.append(Entrypoint("module", ref.split(":", 1)[0], source, spec=ref))
    procfile = root / "Procfile"
    if procfile.is_file():
        for number, line in enumerate(procfile.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if ":" in line and not line.lstrip().startswith("#"):
                process, command = line.split(":", 1)
                if process.strip() == "release":
                    continue  # Heroku's release phase runs once per deploy, not at each start
                found += _from_shell_text(command, f"Procfile:{number}")
    app_yaml = root / "app.yaml"
    if app_yaml.is_file():
        for number, line in enumerate(app_yaml.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            match = re.match(r"^entrypoint:\s*(.+)$", line)
            if match:
                found += _from_shell_text(match.group(1).strip().strip("'\""), f"app.yaml:{number}")
    return found


def _from_shell_text(text: str, source: str) -> list[Entrypoint]:
    try:
        return from_command(shlex.split(text, comments=True), source)
    except ValueError:
        return []


# -- Dockerfiles -------------------------------------------------------------------

_GUNICORN_APP = re.compile(r"""^wsgi_app\s*=\s*(['"])(?P<app>[^'"]+)\1\s*(#.*)?$""", re.MULTILINE)


def from_dockerfiles(root: Path, settings: Settings) -> list[Entrypoint]:
    """What the project's Dockerfiles start (CMD / ENTRYPOINT and their entry scripts),
    located in the build context: a script by its file, a module by its source root."""
    from startlint.discovery import DOCKERFILE, discover
    from startlint.docker.launches import container_start

    found: list[Entrypoint] = []
    dockerfiles = [s.path for s in discover([root], settings) if s.kind == DOCKERFILE]
    for path in dockerfiles:
        if path.name.endswith(".dockerignore"):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        start = container_start(path, text, settings)
        if start is None:
            continue
        for entry in from_container(start, root):
            if not any(_same(entry, other) for other in found):
                found.append(entry)
    return found


def from_container(start: ContainerStart, root: Path) -> list[Entrypoint]:
    out: list[Entrypoint] = []
    for launch in start.launches:
        source = f"{_rel(launch.path, root)}:{launch.line}"
        entries = from_command(list(launch.argv), source)
        if not entries:
            entries = _gunicorn_config_app(launch, start, source)
        out += [_located(e, launch, start, root) for e in entries]
    return out


def _gunicorn_config_app(launch: Launch, start: ContainerStart, source: str) -> list[Entrypoint]:
    """`gunicorn -c gunicorn.conf.py` with the app named by `wsgi_app` in the config file."""
    argv = list(launch.argv)
    if not argv or Path(argv[0]).name != "gunicorn":
        return []
    config = _option(argv[1:], "-c", "--config")
    if config is None or config.startswith("python:"):
        return []
    path = start.context_file(posixpath.join(launch.cwd, config.removeprefix("file:")))
    if path is None:
        return []
    match = _GUNICORN_APP.search(path.read_text(encoding="utf-8", errors="replace"))
    if match is None:
        return []
    app = match.group("app")
    return [Entrypoint("module", app.split(":", 1)[0], source, "gunicorn", app)]


def _located(entry: Entrypoint, launch: Launch, start: ContainerStart, root: Path) -> Entrypoint:
    """`entry` with its paths mapped from the image to the project (unchanged when the
    Dockerfile does not say where the file comes from)."""
    args = list(launch.argv[1:])
    cwd = launch.cwd
    chdir = _option(args, "--chdir") if entry.launcher == "gunicorn" else None
    if chdir:
        cwd = posixpath.join(cwd, chdir)
    if entry.kind == "script":
        found = start.context_file(posixpath.join(cwd, entry.target))
        return replace(entry, target=_rel(found, root)) if found is not None else entry
    app_dir = _option(args, "--app-dir") if entry.launcher == "uvicorn" else None
    bases = [posixpath.join(cwd, app_dir)] if app_dir else []
    bases += [cwd, *start.python_path]
    parts = entry.target.split(".")
    for base in bases:
        for tail, depth in ((f"{'/'.join(parts)}.py", len(parts)), (f"{'/'.join(parts)}/__init__.py", len(parts) + 1),
                            (f"{'/'.join(parts)}/__main__.py", len(parts) + 1)):
            found = start.context_file(posixpath.join(base, tail))
            if found is not None:
                return replace(entry, base=_rel(found.parents[depth - 1], root))
    return entry


def _same(a: Entrypoint, b: Entrypoint) -> bool:
    return (a.kind, a.target, a.base) == (b.kind, b.target, b.base)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()
