"""What a shell command does: the tool behind wrappers (`exec`, `env`, `gosu`, `python -m`,
`uv run`), and the package installations the Dockerfile rules care about, with their
options, the files they read and where their words are (for fixes).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from startlint.docker.catalog import DockerCatalog
from startlint.docker.shell import Simple, Word

_PYTHON = re.compile(r"^python(\d+(\.\d+)*)?$")
_PIP = re.compile(r"^pip(\d+(\.\d+)*)?$")


@dataclass(frozen=True)
class Cmd:
    """A simple command seen through its wrappers."""

    node: Simple
    words: tuple[Word, ...]  # from the tool's own word on (`python -m pip` keeps `python`)
    name: str  # the tool: a base name ("pip", "uvicorn"), or the module of `python -m`
    args: tuple[Word, ...]  # after the tool (after `-m module` for python)
    env: dict[str, str]  # inline assignments (`VAR=1 cmd`, `env VAR=1 cmd`)
    exec_prefixed: bool  # run through `exec`
    wrapped: tuple[str, ...] = ()  # the wrappers and launchers around it ("exec", "uv run")

    @property
    def argv(self) -> list[str]:
        return [w.text for w in self.args]


def _basename(word: str) -> str:
    return posixpath.basename(word) if "/" in word and not word.endswith("/") else word


def unwrap(node: Simple, catalog: DockerCatalog, through_launchers: bool = True) -> Cmd | None:
    """The command `node` runs, or None for an empty command (assignments only)."""
    env = {w.text.split("=", 1)[0]: w.text.split("=", 1)[1] for w in node.assignments}
    words = list(node.words)
    wrapped: list[str] = []
    exec_prefixed = False
    guard = 0
    while words and guard < 16:
        guard += 1
        name = _basename(words[0].text)
        if name in catalog.wrappers:
            if name == "exec":
                exec_prefixed = True
            wrapped.append(name)
            words = _skip_wrapper(name, words[1:], catalog.wrappers[name], env)
            continue
        if through_launchers:
            inner = _launcher(name, words)
            if inner is not None:
                wrapped.append(inner[0])
                words = inner[1]
                continue
        break
    if not words:
        return None
    name = _basename(words[0].text)
    args = tuple(words[1:])
    if _PYTHON.match(name):
        module, rest = _python_module(words[1:])
        if module is not None:
            return Cmd(node, tuple(words), module, tuple(rest), env, exec_prefixed, tuple(wrapped))
    return Cmd(node, tuple(words), name, args, env, exec_prefixed, tuple(wrapped))


def _skip_wrapper(name: str, words: list[Word], nargs: int, env: dict[str, str]) -> list[Word]:
    i = 0
    while i < len(words):
        text = words[i].text
        if text == "--":
            return words[i + 1 :]
        if name == "env" and "=" in text and not text.startswith("-"):
            key, _, value = text.partition("=")
            env[key] = value
            i += 1
            continue
        if text.startswith("-") and text != "-":
            if name == "env" and text in ("-u", "--unset", "-C", "--chdir", "-S", "--split-string"):
                i += 2
                continue
            if name == "exec" and text == "-a":
                i += 2
                continue
            if name == "sudo" and text in ("-u", "-g", "-U", "-C", "-h", "-p", "-r", "-t"):
                i += 2
                continue
            i += 1
            continue
        break
    return words[i + nargs :]


def _launcher(name: str, words: list[Word]) -> tuple[str, list[Word]] | None:
    """`uv run X`, `poetry run X`, `pipenv run X`, `pdm run X`, `hatch run X`, `npx X`."""
    if name in ("uv", "poetry", "pipenv", "pdm", "hatch", "rye") and len(words) > 1:
        i = 1
        while i < len(words) and words[i].text.startswith("-"):
            i += 1 + (1 if words[i].text in _UV_RUN_VALUE_OPTIONS and "=" not in words[i].text else 0)
        if i < len(words) and words[i].text == "run":
            j = i + 1
            while j < len(words) and words[j].text.startswith("-"):
                if words[j].text == "--":
                    j += 1
                    break
                j += 1 + (1 if words[j].text in _UV_RUN_VALUE_OPTIONS and "=" not in words[j].text else 0)
            return f"{name} run", words[j:]
    if name == "npx" and len(words) > 1:
        return "npx", words[1:]
    return None


_UV_RUN_VALUE_OPTIONS = frozenset(
    {
        "--with", "--with-editable", "--with-requirements", "--extra", "--group", "--only-group", "--no-group",
        "--package", "-p", "--python", "--directory", "--project", "--env-file", "--index", "--index-url",
        "--default-index", "--extra-index-url", "--cache-dir", "--config-file", "-C", "--config-setting",
        "--script", "--module",
    }
)


def _python_module(words: list[Word]) -> tuple[str | None, list[Word]]:
    i = 0
    while i < len(words):
        text = words[i].text
        if text == "-m" and i + 1 < len(words):
            return words[i + 1].text, words[i + 2 :]
        if text.startswith("-m") and len(text) > 2:
            return text[2:], words[i + 1 :]
        if text in ("-X", "-W", "-Q"):
            i += 2
            continue
        if text.startswith("-") and text not in ("-c", "-"):
            i += 1
            continue
        break
    return None, words


def matches_pattern(cmd: Cmd, pattern: str) -> bool:
    """A catalog command pattern: globs for the tool and, in order, later words."""
    parts = pattern.split()
    if not parts:
        return False
    names = {cmd.name, _basename(cmd.words[0].text) if cmd.words else cmd.name}
    args = cmd.argv
    first = parts[0]
    if not any(_glob_any(n, first) for n in names):
        # a script run by the interpreter: `python manage.py migrate` matches "manage.py migrate"
        if _PYTHON.match(_basename(cmd.words[0].text)) and args and _glob_any(_basename(args[0]), first):
            args = args[1:]
        else:
            return False
    position = 0
    for part in parts[1:]:
        while position < len(args) and not _glob_any(args[position], part):
            position += 1
        if position >= len(args):
            return False
        position += 1
    return True


def _glob_any(text: str, pattern: str) -> bool:
    return any(fnmatchcase(text, alt) for alt in pattern.split("|"))


# -- package installations ------------------------------------------------------------

# Options that take a value, per tool (everything else starting with `-` is a flag).
_PIP_VALUES = frozenset(
    {
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "--platform",
        "--python-version", "--implementation", "--abi", "--root", "--prefix", "--src", "--upgrade-strategy",
        "-C", "--config-settings", "--global-option", "--install-option", "--no-binary", "--only-binary",
        "--progress-bar", "--root-user-action", "--report", "-i", "--index-url", "--extra-index-url",
        "-f", "--find-links", "--cache-dir", "--log", "--log-file", "--proxy", "--retries", "--timeout",
        "--exists-action", "--trusted-host", "--cert", "--client-cert", "--python", "--keyring-provider",
        "--use-feature", "--use-deprecated", "--group", "--override", "--extra", "--index", "--default-index",
        "-p", "--python-platform", "--torch-backend", "--index-strategy", "--resolution", "--prerelease",
        "--exclude-newer", "--link-mode", "--color", "--directory", "--project", "--config-file", "-P",
        "--upgrade-package", "--reinstall-package", "--no-build-package", "--no-binary-package",
        "--only-binary-package", "--only-group", "--no-group", "--package", "--with", "--without", "--only",
        "-E", "--extras", "-o", "--option", "-X", "--repository", "--virtual", "--target-release",
        "--allow-downgrades-from", "--build", "--env-file",
    }
)
_POETRY_VALUES = frozenset({"--with", "--without", "--only", "-E", "--extras", "-C", "--directory", "-P", "--project"})
_APT_VALUES = frozenset({"-o", "--option", "-c", "--config-file", "-t", "--target-release"})
_APK_VALUES = frozenset({"-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch", "--cache-dir", "--keys-dir"})


@dataclass(frozen=True)
class Option:
    name: str
    value: str | None
    word: Word  # the option's own word
    value_word: Word | None  # a separate value word


@dataclass
class Install:
    tool: str  # pip, uv-pip, uv-sync, poetry, pipenv, conda, apt, apk, yum, npm, yarn, pnpm, bundle, composer, go
    cmd: Cmd
    verb: Word  # the subcommand word (`install`, `sync`, `add`, `ci`)
    options: list[Option] = field(default_factory=list)
    positionals: list[Word] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        return any(o.name in names for o in self.options)

    def values(self, *names: str) -> list[str]:
        return [o.value for o in self.options if o.name in names and o.value is not None]

    @property
    def is_python(self) -> bool:
        return self.tool in ("pip", "uv-pip", "uv-sync", "poetry", "pipenv")

    @property
    def last_word(self) -> Word:
        words = [self.verb, *self.positionals, *(o.word for o in self.options), *(o.value_word for o in self.options if o.value_word)]
        return max(words, key=lambda w: w.end)


def _parse_options(words: tuple[Word, ...], values: frozenset[str]) -> tuple[list[Option], list[Word]]:
    options: list[Option] = []
    positionals: list[Word] = []
    i = 0
    after_dashdash = False
    while i < len(words):
        word = words[i]
        text = word.text
        if after_dashdash or not text.startswith("-") or text == "-":
            positionals.append(word)
            i += 1
            continue
        if text == "--":
            after_dashdash = True
            i += 1
            continue
        if text.startswith("--") and "=" in text:
            name, _, value = text.partition("=")
            options.append(Option(name, value, word, None))
            i += 1
            continue
        if text in values:
            value_word = words[i + 1] if i + 1 < len(words) else None
            options.append(Option(text, value_word.text if value_word else None, word, value_word))
            i += 2
            continue
        if not text.startswith("--") and len(text) > 2 and text[:2] in values:
            options.append(Option(text[:2], text[2:], word, None))  # -rrequirements.txt
            i += 1
            continue
        if not text.startswith("--") and len(text) > 2:
            for letter in text[1:]:
                options.append(Option("-" + letter, None, word, None))  # -yq
            i += 1
            continue
        options.append(Option(text, None, word, None))
        i += 1
    return options, positionals


def _subcommand(args: tuple[Word, ...], values: frozenset[str] = frozenset()) -> int | None:
    """Index of the first positional word (the subcommand) in `args`."""
    i = 0
    while i < len(args):
        text = args[i].text
        if not text.startswith("-"):
            return i
        i += 2 if text in values and "=" not in text else 1
    return None


def install_of(cmd: Cmd) -> Install | None:
    """The package installation `cmd` performs, if it is one."""
    name = cmd.name
    args = cmd.args
    if _PIP.match(name):
        return _verb(cmd, "pip", args, ("install",), _PIP_VALUES)
    if name == "uv":
        at = _subcommand(args, frozenset({"--directory", "--project", "--cache-dir", "--config-file", "-p", "--python"}))
        if at is None:
            return None
        verb = args[at].text
        if verb == "pip" and at + 1 < len(args) and args[at + 1].text in ("install", "sync"):
            options, positionals = _parse_options(args[at + 2 :], _PIP_VALUES)
            return Install("uv-pip", cmd, args[at + 1], options, positionals)
        if verb == "sync":
            options, positionals = _parse_options(args[:at] + args[at + 1 :], _PIP_VALUES)
            return Install("uv-sync", cmd, args[at], options, positionals)
        return None
    if name == "poetry":
        return _verb(cmd, "poetry", args, ("install",), _POETRY_VALUES)
    if name == "pipenv":
        return _verb(cmd, "pipenv", args, ("install", "sync"), _PIP_VALUES)
    if name in ("conda", "mamba", "micromamba"):
        at = _subcommand(args, frozenset({"-n", "--name", "-p", "--prefix"}))
        if at is None:
            return None
        if args[at].text in ("install", "create") or (
            args[at].text == "env" and at + 1 < len(args) and args[at + 1].text in ("create", "update")
        ):
            verb_at = at if args[at].text != "env" else at + 1
            rest = args[verb_at + 1 :]
            options, positionals = _parse_options(rest, frozenset({"-n", "--name", "-p", "--prefix", "-c", "--channel", "-f", "--file"}))
            return Install("conda", cmd, args[verb_at], options, positionals)
        return None
    if name in ("apt-get", "apt"):
        return _verb(cmd, "apt", args, ("install",), _APT_VALUES)
    if name == "apk":
        return _verb(cmd, "apk", args, ("add",), _APK_VALUES)
    if name in ("yum", "dnf", "microdnf", "zypper"):
        return _verb(cmd, "yum", args, ("install",), frozenset())
    if name == "npm":
        return _verb(cmd, "npm", args, ("install", "ci", "i"), frozenset())
    if name in ("yarn", "pnpm"):
        if not any(not a.text.startswith("-") for a in args):
            return Install(name, cmd, cmd.words[0], [], [])  # bare `yarn` installs
        return _verb(cmd, name, args, ("install",), frozenset())
    if name == "bundle":
        return _verb(cmd, "bundle", args, ("install",), frozenset())
    if name == "composer":
        return _verb(cmd, "composer", args, ("install",), frozenset())
    if name == "go" and len(args) >= 2 and args[0].text == "mod" and args[1].text == "download":
        return Install("go", cmd, args[1], [], [])
    return None


def _verb(cmd: Cmd, tool: str, args: tuple[Word, ...], verbs: tuple[str, ...], values: frozenset[str]) -> Install | None:
    at = _subcommand(args, values)
    if at is None or args[at].text not in verbs:
        return None
    options, positionals = _parse_options(args[at + 1 :], values)
    globals_, _ = _parse_options(args[:at], values)
    return Install(tool, cmd, args[at], globals_ + options, positionals)


# -- requirement specifiers ------------------------------------------------------------

_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")


def requirement_name(spec: str) -> tuple[str, frozenset[str]] | None:
    """The normalised project name and extras of a PEP 508 requirement, if it has one."""
    if spec.startswith((".", "/", "~")) or "://" in spec.split("@")[0] or spec.endswith((".whl", ".tar.gz", ".zip")):
        return None
    match = _REQ_NAME.match(spec)
    if match is None:
        return None
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    extras = frozenset(e.strip().lower() for e in (match.group(2) or "[]")[1:-1].split(",") if e.strip())
    return name, extras


def is_local_path(spec: str) -> bool:
    return spec in (".", "..") or spec.startswith(("./", "../", "/", "file:")) or spec.endswith("/")


# -- cwd tracking in a RUN ----------------------------------------------------------------

def track_cwd(workdir: str, commands: list[Simple]) -> dict[int, str]:
    """The working directory each command runs in (by its start offset): `cd DIR` moves it."""
    out: dict[int, str] = {}
    cwd = workdir
    for node in commands:
        out[node.start] = cwd
        argv = [w.text for w in node.words]
        if argv and argv[0] == "cd" and len(argv) == 2 and node.words[1].literal:
            cwd = posixpath.normpath(posixpath.join(cwd, argv[1]))
    return out
