"""The Dockerfile model: BuildKit's parse, positions rebuilt to the character, parse errors
with their line, stages, ARG substitution, ENV/WORKDIR state and the deployed stage."""

from __future__ import annotations

import pytest

from startlint.docker.model import build_model, expand, parse_image
from startlint.docker.parser import ParsedDockerfile, ParseError, parse


def parsed(text: str) -> ParsedDockerfile:
    result = parse(text)
    assert isinstance(result, ParsedDockerfile), result
    return result


def file_text(p: ParsedDockerfile, index: int, start: int, end: int) -> str:
    instr = p.instructions[index]
    assert instr.logical is not None
    return p.text[instr.logical.file_offset(start) : instr.logical.file_end(end)]


def test_continuation_lines_and_comments_map_back_to_the_file() -> None:
    text = "FROM python:3.12-slim\n  RUN apt-get update \\\n    # why\n\n    && apt-get install -y curl\n"
    p = parsed(text)
    run = p.instructions[1]
    assert (run.keyword, run.start_line, run.end_line) == ("RUN", 2, 5)
    assert run.args_text == "apt-get update     && apt-get install -y curl"
    assert run.has_comment_lines
    at = run.logical.text.index("curl") if run.logical else -1
    assert file_text(p, 1, at, at + 4) == "curl"
    assert p.index.position(run.logical.file_offset(at)) == (5, 27)  # type: ignore[union-attr]
    # a span across the continuation ends where its last character is
    start = run.logical.text.index("update")  # type: ignore[union-attr]
    assert file_text(p, 1, start, start + len("update")) == "update"


def test_escape_directive_changes_the_continuation_character() -> None:
    text = "# escape=`\nFROM python:3.12-slim\nRUN echo a `\n    && echo b\nCOPY C:\\src\\ /src/\n"
    p = parsed(text)
    assert p.escape == "`"
    assert [i.keyword for i in p.instructions] == ["FROM", "RUN", "COPY"]
    assert p.instructions[1].args_text == "echo a     && echo b"
    assert p.instructions[2].values == ("C:\\src\\", "/src/")


def test_a_directive_after_a_comment_is_only_a_comment() -> None:
    p = parsed("# a comment\n# escape=`\nFROM python:3.12-slim\nRUN echo a \\\n  b\n")
    assert p.escape == "\\"
    assert p.instructions[1].end_line == 5


def test_heredoc_bodies_are_located_verbatim() -> None:
    text = "FROM python:3.12-slim\nRUN <<EOF\napt-get update\nEOF\nCOPY <<CONF /etc/app.conf\nx=1\nCONF\n"
    p = parsed(text)
    run, copy = p.instructions[1], p.instructions[2]
    assert run.heredocs[0].content == "apt-get update\n"
    assert run.heredocs[0].start == text.index("apt-get")
    assert (copy.start_line, copy.end_line, copy.logical_end_line) == (5, 7, 5)
    assert copy.heredocs[0].start == text.index("x=1")


def test_flags_json_and_bom_and_crlf() -> None:
    text = "\ufeffFROM --platform=linux/amd64 python:3.12-slim AS Build\r\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\r\nCMD [\"python\", \"-m\", \"app\"]\r\n"
    p = parsed(text)
    from_, run, cmd = p.instructions
    assert from_.flag("platform") == "linux/amd64"
    assert from_.args_text == "python:3.12-slim AS Build"
    assert from_.logical is not None and from_.logical.file_offset(0) == 1  # after the BOM
    assert run.flag("mount") == "type=cache,target=/root/.cache/pip"
    assert run.args_text == "pip install x"
    assert cmd.json and cmd.values == ("python", "-m", "app")


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("FROM python:3.12-slim\nRUN <<EOF\necho\n", 2, "unterminated heredoc"),
        ("FROM a\nRUN <<EOF\nx\nEOF\nRUN <<END\nnever\n", 5, "unterminated heredoc"),
        ("# escape=x\nFROM python:3.12-slim\n", 1, "invalid escape token"),
        ("# only a comment\n", 1, "file with no instructions"),
    ],
)
def test_parse_errors_have_their_line(text: str, line: int, message: str) -> None:
    result = parse(text)
    assert isinstance(result, ParseError)
    assert result.line == line
    assert message in result.message


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("FROM python:3.12-slim\nRUNN x\n", 2, "unknown instruction: RUNN"),
        ("RUN x\nFROM python:3.12-slim\n", 1, "RUN comes before the first FROM"),
        ("FROM a b\n", 1, "FROM requires either one or three arguments"),
        ("FROM python:3.12-slim\nCOPY onlyone\n", 2, "COPY requires at least two arguments"),
        ("ARG ONLY=1\n", 1, "no FROM instruction"),
        ("FROM python:3.12-slim\nRUN\n", 2, "RUN requires at least one argument"),
    ],
)
def test_what_buildkit_rejects_is_sl001(text: str, line: int, message: str) -> None:
    from startlint.docker.check import validate

    problems = validate(parsed(text))
    assert [(v.code, v.span.start_line) for v in problems] == [("SL001", line)]
    assert message in problems[0].message


def test_stages_args_and_final_stage() -> None:
    text = (
        "ARG PY=3.12\nARG BASE\nFROM python:${PY}-slim AS Build\nFROM build AS test\n"
        "FROM ${BASE:-python:3.11} AS api\nCOPY --from=build /a /a\nFROM scratch\n"
    )
    model = build_model(parsed(text))
    build, test, api, last = model.stages
    assert (build.name, build.ref, build.args_unset) == ("build", "python:3.12-slim", ())
    assert test.parent == build.index and test.image is None
    assert api.ref == "python:3.11" and api.args_unset == ()
    assert last.image is None and model.final == 3
    assert build_model(parsed(text), target="API").final == 2
    assert build_model(parsed(text), target="nope").final == 3
    assert model.stage_named("BUILD") == 0 and model.stage_named("1") == 1
    api_model = build_model(parsed(text), target="api")
    assert api_model.contributing_stages() == [0, 2]
    assert api_model.final_image_stages() == [2]
    assert build_model(parsed(text), target="test").final_image_stages() == [1, 0]


def test_env_arg_and_workdir_state() -> None:
    text = (
        "ARG HOME_DIR=/srv\nFROM python:3.12-slim AS base\nARG HOME_DIR\nENV A=1 B=\"two words\" \\\n    C='${A}'\n"
        "WORKDIR $HOME_DIR\nWORKDIR app\nENV D=${A}-${MISSING:-x}\nRUN true\nFROM base\nRUN true\n"
    )
    model = build_model(parsed(text))
    first_run = model.stages[0].instructions[-1]
    state = model.state(first_run)
    assert state.env["B"] == "two words" and state.env["C"] == "${A}" and state.env["D"] == "1-x"
    assert state.workdir == "/srv/app"
    inherited = model.state(model.stages[1].instructions[-1])
    assert inherited.workdir == "/srv/app" and inherited.env["A"] == "1"
    assert "HOME_DIR" not in inherited.env  # ARGs do not carry into the next stage


@pytest.mark.parametrize(
    "word, env, value, unset",
    [
        ("$A", {"A": "1"}, "1", ()),
        ("${A}b", {"A": "1"}, "1b", ()),
        ("${A:-x}", {}, "x", ()),
        ("${A:-x}", {"A": ""}, "x", ()),
        ("${A-x}", {"A": ""}, "", ()),
        ("${A:+x}", {"A": "1"}, "x", ()),
        ("${A:+x}", {}, "", ()),
        ("$A", {}, "", ("A",)),
        ("$A", {"A": ""}, "", ("A",)),
        ("'$A'", {"A": "1"}, "$A", ()),
        ('"$A b"', {"A": "1"}, "1 b", ()),
        ("\\$A", {"A": "1"}, "$A", ()),
    ],
)
def test_expand(word: str, env: dict[str, str | None], value: str, unset: tuple[str, ...]) -> None:
    result = expand(word, env)
    assert (result.value, result.unset) == (value, unset)


@pytest.mark.parametrize(
    "ref, registry, repository, tag, digest",
    [
        ("python", None, "python", None, None),
        ("python:3.12-slim", None, "python", "3.12-slim", None),
        ("docker.io/library/python:3.12", "docker.io", "python", "3.12", None),
        ("localhost:5000/team/app", "localhost:5000", "localhost:5000/team/app", None, None),
        ("ghcr.io/astral-sh/uv:0.4@sha256:abc", "ghcr.io", "ghcr.io/astral-sh/uv", "0.4", "sha256:abc"),
        ("nvidia/cuda:12.1.0-devel-ubuntu22.04", None, "nvidia/cuda", "12.1.0-devel-ubuntu22.04", None),
    ],
)
def test_image_references(ref: str, registry: str | None, repository: str, tag: str | None, digest: str | None) -> None:
    image = parse_image(ref)
    assert (image.registry, image.repository, image.tag, image.digest) == (registry, repository, tag, digest)


def test_empty_exec_form_resets_are_valid() -> None:
    from startlint.docker.check import validate

    p = parsed('FROM python:3.12-slim\nENTRYPOINT []\nCMD []\n')
    assert validate(p) == []
    assert p.instructions[1].json and p.instructions[1].values == ()
