"""The tolerant shell parser behind RUN commands and entry scripts (bash syntax that bashlex
rejects included), and the command analysis built on it."""

from __future__ import annotations

import pytest

from startlint.docker import shell
from startlint.docker.catalog import shipped
from startlint.docker.commands import install_of, requirement_name, unwrap


def argvs(text: str) -> list[list[str]]:
    return [c.argv for c, _ in shell.simple_commands(shell.parse(text).body)]


def test_lists_pipelines_and_operators() -> None:
    text = "a && b || c; d | e & f\ng"
    assert argvs(text) == [["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"]]
    script = shell.parse(text)
    assert [item.background for item in script.body] == [False, True, False, False]


def test_words_quotes_and_expansions() -> None:
    [command] = [c for c, _ in shell.simple_commands(shell.parse("""echo 'a b' "c $X" d\\ e $(date +%s) `id` ${Y:-z} x=$((1+2))""").body)]
    texts = [w.text for w in command.words]
    assert texts[:4] == ["echo", "a b", "c $X", "d e"]
    assert [w.literal for w in command.words] == [True, True, False, True, False, False, False, False]
    assert texts[4:] == ["$(date +%s)", "`id`", "${Y:-z}", "x=$((1+2))"]


def test_assignments_redirections_and_continuations() -> None:
    text = "FOO=1 BAR='x y' cmd arg \\\n  --flag >/dev/null 2>&1 < in.txt\n"
    [command] = [c for c, _ in shell.simple_commands(shell.parse(text).body)]
    assert [w.text for w in command.assignments] == ["FOO=1", "BAR=x y"]
    assert command.argv == ["cmd", "arg", "--flag"]
    assert [r.op for r in command.redirects] == [">", ">&", "<"]
    assert text[command.start : command.end].startswith("FOO=1")


def test_compound_commands_and_bash_syntax() -> None:
    text = """
f() { echo in-f; }
function g { echo in-g; }
if [[ -n "$A" && $B == x* ]]; then one; elif test -f x; then two; else three; fi
while ! nc -z db 5432; do sleep 1; done
for i in 1 2 3; do echo $i; done
for ((i=0; i<3; i++)); do echo $i; done
case "$1" in a|b) alpha ;; *) other ;; esac
( cd /tmp && sub ) && { grouped; }
n=$(( $(nproc) * 2 ))
arr=(one two) ; arr+=(three)
cat <<EOF > /tmp/x
not a command
EOF
last
"""
    got = argvs(text)
    assert ["not", "a", "command"] not in got
    assert ["[[", "-n", "$A", "&&", "$B", "==", "x*"] in got
    for expected in (["one"], ["two"], ["three"], ["nc", "-z", "db", "5432"], ["alpha"], ["other"], ["sub"], ["grouped"], ["cat"], ["last"]):
        assert expected in got
    assert set(shell.function_defs(shell.parse(text).body)) == {"f", "g"}


def test_executed_follows_function_calls_and_marks_loops_and_conditions() -> None:
    text = "setup() {\n  migrate\n}\nuntil ready; do sleep 2; done\nsetup\nserver &\n"
    steps = shell.executed(shell.parse(text))
    assert [s.command.argv[0] for s in steps] == ["ready", "sleep", "migrate", "server"]
    ready, sleep, migrate, server = steps
    assert ready.ctx.in_condition and ready.ctx.in_loop
    assert sleep.ctx.in_loop and not sleep.ctx.in_condition
    assert [c.argv for c in migrate.call_sites] == [["setup"]] and migrate.ctx.functions == ("setup",)
    assert server.ctx.background


def test_tails_follow_branches_and_functions() -> None:
    text = 'main() {\n  if [ "$1" = w ]; then worker; else web | tee log; fi\n}\nmain "$@"\n'
    script = shell.parse(text)
    tails = shell.tails(script.body, shell.function_defs(script.body))
    assert [(c.argv[0], alone) for c, alone in tails] == [("worker", True), ("tee", False)]


@pytest.mark.parametrize(
    "text",
    ["if then fi", "(((", "esac ;; )", 'echo "unterminated', "for", "case x in", "a && && b", "f() {", "$(", "cat <<EOF", "[[ -z"],
)
def test_broken_scripts_never_raise(text: str) -> None:
    shell.parse(text)
    shell.executed(shell.parse(text))


def test_unwrap_sees_through_wrappers_and_launchers() -> None:
    catalog = shipped()

    def first(text: str) -> tuple[str, list[str], bool, tuple[str, ...]]:
        [node] = [c for c, _ in shell.simple_commands(shell.parse(text).body)]
        cmd = unwrap(node, catalog)
        assert cmd is not None
        return cmd.name, cmd.argv, cmd.exec_prefixed, cmd.wrapped

    assert first("exec gosu app uvicorn app:app") == ("uvicorn", ["app:app"], True, ("exec", "gosu"))
    assert first("env -u X A=1 python3.11 -u -m alembic upgrade head") == ("alembic", ["upgrade", "head"], False, ("env",))
    assert first("uv run --frozen --with x gunicorn app") == ("gunicorn", ["app"], False, ("uv run",))
    assert first("tini -- /usr/local/bin/node server.js") == ("node", ["server.js"], False, ("tini",))


@pytest.mark.parametrize(
    "text, tool, verb, options, positionals",
    [
        ("pip install --no-cache-dir -r req.txt x==1", "pip", "install", ["--no-cache-dir", "-r"], ["x==1"]),
        ("python -m pip install -U pip", "pip", "install", ["-U"], ["pip"]),
        ("/venv/bin/pip3 install -rreq.txt", "pip", "install", ["-r"], []),
        ("uv pip install --system httpx", "uv-pip", "install", ["--system"], ["httpx"]),
        ("uv --directory /app sync --frozen", "uv-sync", "sync", ["--directory", "--frozen"], []),
        ("poetry install --only main --no-root", "poetry", "install", ["--only", "--no-root"], []),
        ("apt-get -o Dpkg::Use-Pty=0 install -yq --no-install-recommends curl git", "apt", "install", ["-o", "-y", "-q", "--no-install-recommends"], ["curl", "git"]),
        ("apk add --no-cache --virtual .deps gcc", "apk", "add", ["--no-cache", "--virtual"], ["gcc"]),
        ("conda env create -f environment.yml", "conda", "create", ["-f"], []),
        ("npm ci --omit=dev", "npm", "ci", ["--omit"], []),
    ],
)
def test_installs(text: str, tool: str, verb: str, options: list[str], positionals: list[str]) -> None:
    [node] = [c for c, _ in shell.simple_commands(shell.parse(text).body)]
    cmd = unwrap(node, shipped())
    assert cmd is not None
    inst = install_of(cmd)
    assert inst is not None
    assert (inst.tool, inst.verb.text) == (tool, verb)
    assert [o.name for o in inst.options] == options
    assert [w.text for w in inst.positionals] == positionals


@pytest.mark.parametrize("text", ["pip download x", "pip --version", "uv run app", "apt-get update", "poetry lock", "npm run build"])
def test_not_installs(text: str) -> None:
    [node] = [c for c, _ in shell.simple_commands(shell.parse(text).body)]
    cmd = unwrap(node, shipped(), through_launchers=False)
    assert cmd is not None and install_of(cmd) is None


@pytest.mark.parametrize(
    "spec, name",
    [
        ("torch==2.3.1", ("torch", frozenset())),
        ("Sentence_Transformers>=3", ("sentence-transformers", frozenset())),
        ("transformers[torch,sentencepiece]==4.42", ("transformers", frozenset({"torch", "sentencepiece"}))),
        ("./wheels/x.whl", None),
        (".", None),
        ("git+https://github.com/x/y", None),
    ],
)
def test_requirement_names(spec: str, name: tuple[str, frozenset[str]] | None) -> None:
    assert requirement_name(spec) == name
