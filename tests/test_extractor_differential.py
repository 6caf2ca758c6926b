"""The LibCST extractor builds exactly the model the `ast` extractor builds.

`build_model` falls back to LibCST (`import_time_cst.extract_cst`) for syntax newer
than the running Python. The differential runs both extractors over every file the
running `ast` can parse (files it cannot parse are left out of the parametrisation,
not skipped): our fixtures, the example service, the shared scenarios, a table of
awkward snippets, and the standard library of the running interpreter. A normal run
takes every `STDLIB_STRIDE`-th stdlib file by sorted path; `STARTLINT_FULL_DIFFERENTIAL=1`
takes them all (about nine minutes on two cores).

Syntax the running Python may not parse at all (PEP 695, 701, 750, 758, 810) is in
tests/fixtures/new_syntax/: those files go through `build_model`, and their findings
and model facts are spelled out here. `STARTLINT_NEWER_PYTHON=/path/to/python3.13`
adds a cross-version differential: that interpreter's `ast` extractor against
LibCST on this one, over the fixtures and that interpreter's stdlib files which the
running `ast` cannot parse.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import marshal
import os
import re
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

import libcst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from helpers import REPO, SHARED, check_source
from startlint.python import model as m
from startlint.python import model_codec
from startlint.python.import_time import extract
from startlint.python.import_time_cst import extract_cst
from startlint.python.source import ParseFailure, build_model, decode

FULL = os.environ.get("STARTLINT_FULL_DIFFERENTIAL") == "1"
NEWER_PYTHON = os.environ.get("STARTLINT_NEWER_PYTHON", "")
STDLIB_STRIDE = 14
STDLIB = Path(sysconfig.get_paths()["stdlib"])
NEW_SYNTAX = REPO / "tests" / "fixtures" / "new_syntax"
# The Python version whose `ast` first parses each new-syntax fixture.
NEW_SYNTAX_SINCE = {
    "pep695_type_params.py": (3, 12),
    "pep701_fstrings.py": (3, 12),
    "pep758_except.py": (3, 14),
    "pep810_lazy_imports.py": (3, 15),
}


# -- comparing two models ----------------------------------------------------------------


def first_difference(want: object, got: object, where: str = "") -> str | None:
    """`field.path: ast <value>, libcst <value>` for the first field that differs, else None."""
    if dataclasses.is_dataclass(want) and type(want) is type(got):
        for f in dataclasses.fields(want):
            path = f"{where}.{f.name}" if where else f.name
            found = first_difference(getattr(want, f.name), getattr(got, f.name), path)
            if found:
                return found
        return None
    if isinstance(want, tuple) and isinstance(got, tuple):
        for i, (a, b) in enumerate(zip(want, got)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        if len(want) != len(got):
            extra = "ast" if len(want) > len(got) else "libcst"
            first = (want if extra == "ast" else got)[min(len(want), len(got))]
            return f"{where}: ast has {len(want)}, libcst {len(got)}; first extra ({extra}): {_short(first)}"
        return None
    return None if want == got else f"{where}: ast {_short(want)}, libcst {_short(got)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


def explain(want: m.Module, got: m.Module, text: str) -> str:
    """The first difference, then the two records that hold it and the ast record's source line."""
    difference = first_difference(want, got) or "the models differ"
    out = [difference]
    record = re.match(r"(\w+)\[(\d+)\]", difference)
    if record:
        field, index = record.group(1), int(record.group(2))
        for label, model in (("ast", want), ("libcst", got)):
            items = getattr(model, field)
            if index < len(items):
                out.append(f"  {label + ':':8}{_short(items[index])}")
        items = getattr(want, field)
        item = items[index] if index < len(items) else None
        pos = getattr(item, "pos", None)
        line = pos.line if isinstance(pos, m.Position) else getattr(item, "line", None)
        lines = text.splitlines()
        if isinstance(line, int) and 0 < line <= len(lines):
            out.append(f"  line {line}: {lines[line - 1][:200]}")
    return "\n".join(out)


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences in old code
        return ast.parse(text)


def _ast_text(path: Path) -> str | None:
    """The file's text when the running `ast` parses it, else None."""
    try:
        text = decode(path.read_bytes())
        _parse(text)
    except (SyntaxError, ValueError, UnicodeError, LookupError):
        return None
    return text


def _libcst_limit(text: str, tree: ast.Module) -> str | None:
    """Why LibCST 1.9 cannot model a file `ast` parses, when it is a known limit of LibCST."""
    try:
        module = libcst.parse_module(text)
    except libcst.ParserSyntaxError:
        if any(
            isinstance(n, ast.AnnAssign) and not n.simple and isinstance(n.target, ast.Name)
            for n in ast.walk(tree)
        ):
            return "LibCST cannot parse a parenthesised annotated name: `(x): int`"
        return None
    try:
        MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    except RecursionError:
        return "LibCST's position pass recurses deeper than the recursion limit"
    return None


def assert_same_model(text: str, modes: tuple[bool, ...] = (True,)) -> None:
    """Both extractors agree, summarising every function (and, with (True, False) as
    `modes`, only those called at import time: the engine's default, which the
    extractor derives from the same tree, so the snippets alone check it)."""
    tree = _parse(text)
    for all_functions in modes:
        want = extract(tree, text, all_functions)
        got = extract_cst(text, all_functions)
        if got is None:
            reason = _libcst_limit(text, tree)
            assert reason is not None, "LibCST gave no model for a file ast parses"
            pytest.xfail(reason)  # a documented limit of LibCST 1.9 (see import_time_cst)
        assert got == want, explain(want, got, text)


def test_first_difference_names_the_field() -> None:
    pos = m.Position(1, 2, 3, 4)
    assert first_difference(pos, pos) is None
    assert first_difference(pos, dataclasses.replace(pos, end_col=5)) == "end_col: ast 4, libcst 5"
    call = m.Call("a.f", "a.f", pos, 1, ())
    want = m.Module((), (), (call, call), (), (), (), False, 0)
    got = dataclasses.replace(want, calls=(call, dataclasses.replace(call, stmt_line=2)))
    assert first_difference(want, got) == "calls[1].stmt_line: ast 1, libcst 2"
    assert first_difference(want, dataclasses.replace(want, calls=(call,))).startswith(
        "calls: ast has 2, libcst 1; first extra (ast): Call(qualname='a.f'"
    )
    assert explain(want, got, "a.f()\n").splitlines()[1:] == [
        f"  ast:    {call!r}",
        f"  libcst: {dataclasses.replace(call, stmt_line=2)!r}",
        "  line 1: a.f()",
    ]


def test_a_differing_model_fails_the_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    """The differential can fail: a converter that shifts every column is caught."""
    from startlint.python import import_time_cst

    shifted = import_time_cst._Converter._byte_col
    monkeypatch.setattr(
        import_time_cst._Converter, "_byte_col", lambda self, line, col: shifted(self, line, col) + 1
    )
    with pytest.raises(AssertionError, match=r"calls\[0\]\.pos\.col: ast 5, libcst 6"):
        assert_same_model("x = f()\n")


# -- corpora -----------------------------------------------------------------------------


def _python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file()) if root.is_dir() else []


@functools.cache
def _repo_files() -> tuple[list[Path], list[Path]]:
    """(files the running `ast` parses, files it does not) in fixtures, examples, scenarios."""
    roots = (REPO / "tests" / "fixtures", REPO / "examples", SHARED / "scenarios")
    files = [(p, _ast_text(p) is not None) for root in roots for p in _python_files(root)]
    return [p for p, ok in files if ok], [p for p, ok in files if not ok]


@functools.cache
def stdlib_files() -> list[str]:
    """Stdlib paths the running `ast` parses, sorted; every STDLIB_STRIDE-th unless FULL."""
    rels = sorted(
        p.relative_to(STDLIB).as_posix() for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts
    )
    chosen = rels if FULL else rels[::STDLIB_STRIDE]
    return [r for r in chosen if _ast_text(STDLIB / r) is not None]


@pytest.mark.parametrize("path", _repo_files()[0], ids=lambda p: str(p.relative_to(REPO.parent)))
def test_fixture_example_and_scenario_files(path: Path) -> None:
    text = _ast_text(path)
    assert text is not None
    assert_same_model(text)


@pytest.mark.parametrize("path", _repo_files()[1], ids=lambda p: str(p.relative_to(REPO.parent)))
def test_files_only_libcst_parses_get_a_model(path: Path) -> None:
    """Files in the corpora that are too new for the running `ast` go through LibCST."""
    text = decode(path.read_bytes())
    for all_functions in (True, False):
        built = build_model(text, path.name, all_functions)
        assert isinstance(built, m.Module), built
        assert built == extract_cst(text, all_functions)


@pytest.mark.parametrize("rel", stdlib_files())
def test_stdlib_file(rel: str) -> None:
    text = _ast_text(STDLIB / rel)
    assert text is not None
    assert_same_model(text)


def test_the_corpora_are_deterministic_and_cover_what_they_claim() -> None:
    chosen = stdlib_files()
    assert chosen == sorted(chosen)
    assert len(chosen) > (1000 if FULL else 100)
    assert "site-packages" not in "".join(chosen)
    parsed, unparsed = _repo_files()
    roots = [REPO / "tests" / "fixtures", REPO / "examples"]
    roots += [SHARED / "scenarios"] if (SHARED / "scenarios").is_dir() else []
    assert all(any(p.is_relative_to(root) for p in parsed) for root in roots)
    # New-syntax fixtures the running Python cannot parse are not in the differential.
    too_new = {NEW_SYNTAX / n for n, since in NEW_SYNTAX_SINCE.items() if sys.version_info < since}
    assert too_new <= set(unparsed)
    assert not too_new & set(parsed)


# -- awkward snippets: where LibCST's tree or positions differ from ast's -----------------

SNIPPETS = {
    "parenthesised calls": "import a\n(a.f(1))\n(a.f)(2)\nx = ((a.g()))\n",
    "decorators": (
        "import d\n@d.deco\n@(d.other)\n@d.make(\n    1)\nclass C:\n"
        "    @staticmethod\n    def m(x=d.default()): pass\n"
    ),
    "async def": "import d\n@d.deco\nasync def f(a: d.T(1) = d.v()) -> d.R(): pass\n",
    "bool ops merged unless parenthesised": (
        "import st\nif st.a() and st.b() and (st.c() and st.d()) or st.e(): pass\n"
    ),
    "ast field order": "x = {f(): g(), **h(), i(): j()}\ny = b() if a() else c()\nz = f(k=1, *g(), **h())\n",
    "comprehensions": "xs = [f(x) for x in g() if h(x) for y in i(x)]\nd = {k(): v() for k in w()}\n",
    "comprehension scopes in a class body": (
        "import a\nclass C:\n    n = a.f()\n    xs = [n for _ in a.g(n)]\n    ys = {k: a.h(k) for k in n}\n"
    ),
    "non-ASCII columns": "# é\nnom = 'ünïcode'; f(nom, 'é')\ns = 'ü' + g(h('é'), 1)\n",
    "astral characters": "x = '𝄞𝄞' + f('😀', g())\n",
    "CRLF": "import os\r\nx = os.getenv('A')\r\nif x:\r\n    y = os.path.join(\r\n        x, 'é')\r\n",
    "CR": "import os\rx = os.getenv('A')\r",
    "form feeds LibCST drops": (
        "import os\n\x0c\nx = os.getenv('é')\n\x0cy = os.getenv('b')\n"
        "class A:\n    x = f(1)\n\x0c    y = g(2)\n\x0c\x0c    z = 'é' + h(3)\n"
    ),
    "match": (
        "import m\nmatch m.cmd():\n    case m.A.B | (m.C):\n        m.f()\n"
        "    case [x, *rest] if m.g(x):\n        pass\n    case {'k': v, **kw}:\n        pass\n"
        "    case m.Point(x=0, y=yy) as p:\n        pass\n    case (\n        z\n    ):\n        pass\n"
        "    case (\n        1, 2):\n        pass\n    case (\n        -1):\n        pass\n"
        "    case _:\n        pass\n"
    ),
    "del": "import a\ndel a.b, (c, d), [e]\ndel a[f()]\ndel x\n",
    "walrus": "if (n := len(a())) > 1: pass\nprint([y := f(x), y**2])\n",
    "lambda defaults": "import a\ng = lambda x=a.d(), *, y=a.e(): a.f(x)\n",
    "reads that run later at the top level": (
        "import a, b, c\nk = lambda: a.f()\nclass C:\n    m = lambda self: b.g()\n"
        "if __name__ == '__main__':\n    c.main()\nif __name__ != '__main__':\n    a.h()\nelse:\n    b.i()\n"
        "def f():\n    return lambda: c.j()\n"
    ),
    "starred": "a, *b = f()\n*c, d = g()\nprint(*h(), **i())\n",
    "f-strings": "import a\nx = f'{a.f():>{a.w()}} {a.g()!r} {a.h()=}'\ny = f'''\n{a.m(\n1)}\n'''\n",
    "globals in deferred code, breadth first": (
        "def f():\n    if x:\n        if y:\n            global a\n        global b\n    global c\n"
    ),
    "semicolons and comments": "import a; import b  # c\nfrom c import (d,\n  e)  ; x = 1\n",
    "backslash continuations": "import a, \\\n    b\nx = a.f(1,\\\n  2)\n",
    "parenthesised docstring": "(\n 'doc'\n )\nimport a\n",
    "concatenated docstring": "'a' 'b' \\\n 'c'\nimport a\n",
    "bytes are no docstring": "b'x'\nimport a\n",
    "f-strings are no docstring": "f'x'\nimport a\n",
    "NFKC identifiers": "import ｍａｔｈ\nｍａｔｈ.ｓｑｒｔ(2)\ndef ｆ(ｘ): return ｘ\n",
    "annotations": "import t\nx: t.A[t.B(1), t.C(t.D())] = t.e()\nclass K:\n    y: t.F()\n    z: (t.G)\n",
    "future annotations": "'''doc'''\nfrom __future__ import annotations\nimport t\nx: t.A(1) = 2\n",
    "with": (
        "import a\nwith (a.b() as c, a.d()):\n    pass\nwith (a.x(), a.y()):\n    pass\n"
        "with a.z() as (p, q.r):\n    pass\n"
    ),
    "try": "try:\n    import x\nexcept (ImportError, OSError) as e:\n    pass\nelse:\n    f()\nfinally:\n    g()\n",
    "try star": "try:\n    import x\nexcept* ImportError:\n    import y\nexcept* (OSError, ValueError) as eg:\n    z(eg)\n",
    "guards": (
        "import typing\nif typing.TYPE_CHECKING:\n    import torch\nelif x():\n    import np\n"
        "else:\n    import pd\nif not __name__ == '__main__':\n    h()\nif 0:\n    k()\nif False: pass\n"
    ),
    "streamlit": "import streamlit as st\nif st.button('go') and ok():\n    run()\nif (b := st.chat_input()):\n    run2()\n",
    "subscripts": "x = a[b(), c():d():e()]\ny = a[f(),]\nz = a[g()]\n",
    "strings": "x = 'a' 'b' f'{c()}' 'd'\ny = rb'\\d' + b'x' + '\\N{BULLET}'\n",
    "for and while": (
        "import a\nfor i, j.k in a.items():\n    a.f(i)\nelse:\n    a.g()\n"
        "while a.h():\n    break\nelse:\n    a.i()\n"
    ),
    "element qualnames": "import st\nfor c in st.columns(2):\n    c.button('x')\na, (b, d) = st.tabs(['x', 'y'])\nb.write()\n",
    "async comprehension": "async def f():\n    await g()\n    yield h()\nx = [await z async for z in w()]\n",
    "nonlocal": "def f():\n    x = 1\n    def g():\n        nonlocal x\n        x += 1\n    return g\n",
    "augmented assignment": "import a\nx = 1\nx += a.f()\na.b[a.c()] += a.d()\n",
    "tuple targets": "import st\na, b = st.columns(2)\n(c, d), e = f()\n",
    "class keywords": (
        "import m\nclass C(m.Base, *m.mixins(), metaclass=m.Meta, **m.kw()):\n"
        "    x = m.f()\n    def meth(self): return m.g()\n"
    ),
    "relative imports": "from . import a\nfrom ..b import c as d\nfrom ...e.f import *\nfrom .g import (h, i as j)\n",
    "star import placeholder": "from os.path import *\nx = join('a', 'b')\nimport json\njson.dumps(x)\n",
    "dynamic imports": (
        "import importlib\nm = importlib.import_module('torch')\nn = __import__('numpy')\n"
        "o = importlib.import_module('.x', package='y')\n"
    ),
    "__lazy_modules__": '__lazy_modules__ = ["a", "b.c"]\nimport a\nimport b.c\nfrom a import x\nimport d\n',
    "numeric constants": "if 0x0: a()\nif 0.0: b()\nif 0j: c()\nif 1_000: d()\nx = 1e3 + 2J\n",
    "assert and raise": "import a\nassert a.f(), a.g()\nraise a.E(a.h()) from a.i()\n",
    "empty module": "",
    "tabs": "if x:\n\tf(\t'é')\n",
    "call chain": "import boto3\nc = boto3.Session().client('s3').get_object(Bucket='b')['Body'].read()\n",
    "first-party function bodies": (
        "import torch\ndef load(p=torch.device('cpu')):\n    return torch.load(p)\n"
        "class Store:\n    def __init__(self):\n        self.m = load()\n    @property\n    def x(self):\n"
        "        global G\n        G = [torch.ones(i) for i in range(2)]\napp = Store()\n"
    ),
}


@pytest.mark.parametrize("src", list(SNIPPETS.values()), ids=list(SNIPPETS))
def test_snippet(src: str) -> None:
    assert_same_model(src, (True, False))


# -- syntax newer than the running Python, through build_model -----------------------------


def newer_model(src: str, since: tuple[int, int], all_functions: bool = True) -> m.Module:
    """build_model's model of `src`; on a Python older than `since` it came through LibCST."""
    if sys.version_info < since:
        with pytest.raises(SyntaxError):
            _parse(src)
    built = build_model(src, "mod.py", all_functions)
    assert isinstance(built, m.Module), built
    assert built == extract_cst(src, all_functions)
    return built


def fixture_model(name: str) -> m.Module:
    return newer_model((NEW_SYNTAX / name).read_text(encoding="utf-8"), NEW_SYNTAX_SINCE[name])


def names(imports: tuple[m.Import, ...]) -> list[tuple[str, str, str]]:
    return [(i.kind, i.module, n.name) for i in imports for n in i.names]


def uses(model: m.Module) -> dict[str, tuple[str, int, int]]:
    return {f"{u.name}/{u.kind}": (u.kind, u.first_line, u.count) for u in model.uses}


_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>SL\d{3}(?:\s*,\s*SL\d{3})*)")


def test_every_new_syntax_fixture_has_a_version() -> None:
    assert sorted(p.name for p in _python_files(NEW_SYNTAX)) == sorted(NEW_SYNTAX_SINCE)


@pytest.mark.parametrize("name", sorted(NEW_SYNTAX_SINCE))
def test_new_syntax_fixture_findings(name: str) -> None:
    """`# expect: SLxxx` lines get exactly those findings, through the LibCST fallback."""
    text = (NEW_SYNTAX / name).read_text(encoding="utf-8")
    newer_model(text, NEW_SYNTAX_SINCE[name], all_functions=False)
    want = {
        (number, code.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if (match := _EXPECT.search(line))
        for code in match.group("codes").split(",")
    }
    assert want
    found = {(f.span.start_line, f.code) for f in check_source(text, path=f"pkg/{name}")}
    assert found == want


def test_pep810_lazy_imports_are_kept_apart() -> None:
    model = fixture_model("pep810_lazy_imports.py")
    assert names(model.imports) == [("import", "", "pandas")]
    assert names(model.lazy_imports) == [
        ("import", "", "torch"),
        ("import", "", "numpy"),
        ("from", "transformers", "AutoModel"),
        ("from", "transformers", "AutoTokenizer"),
        ("from", "scipy", "stats"),
    ]
    assert [(i.pos, i.context) for i in model.lazy_imports] == [
        (m.Position(2, 1, 2, 18), ()),
        (m.Position(3, 1, 3, 24), ()),
        (m.Position(4, 1, 4, 62), ()),
        (m.Position(9, 5, 9, 33), (m.CTX_CONDITIONAL,)),
    ]
    # A lazy import binds its names like any import; the names resolve through it.
    assert [(b.name, b.kind, b.line) for b in model.bindings][:5] == [
        ("torch", "import", 2),
        ("np", "import", 3),
        ("AutoModel", "import", 4),
        ("Tok", "import", 4),
        ("pd", "import", 6),
    ]
    (embed,) = model.functions
    assert [c.qualname for c in embed.calls] == [
        "transformers.AutoModel.from_pretrained()",
        "transformers.AutoModel.from_pretrained",
        "transformers.AutoTokenizer",
    ]
    assert uses(model)["torch/deferred"] == (m.USE_DEFERRED, 13, 1)


def test_pep810_lazy_imports_mixed_with_lazy_modules_keep_source_order() -> None:
    src = '__lazy_modules__ = ["a"]\nlazy import z\nimport a\nlazy from y import q\nimport b\n'
    model = newer_model(src, (3, 15))
    assert names(model.lazy_imports) == [("import", "", "z"), ("import", "", "a"), ("from", "y", "q")]
    assert names(model.imports) == [("import", "", "b")]


def test_pep810_lazy_import_in_a_function_is_not_an_import_time_import() -> None:
    # CPython rejects this; LibCST accepts it, and the import stays out of the model.
    model = newer_model("def f():\n    lazy import torch\n    return torch\n", (3, 15))
    assert model.imports == model.lazy_imports == ()
    assert [(f.name, f.calls) for f in model.functions] == [("f", ())]


def test_pep695_type_statements_and_parameters_run_nothing_at_import() -> None:
    model = fixture_model("pep695_type_params.py")
    assert [c.qualname for c in model.calls] == ["requests.get"]  # bounds and aliases are lazy
    assert names(model.imports) == [
        ("from", "collections.abc", "Callable"),
        ("import", "", "requests"),
        ("import", "", "torch"),  # after two `type` statements: still an import-time import
    ]
    assert model.imports[2].pos == m.Position(13, 1, 13, 13)
    assert [(b.name, b.kind, b.line) for b in model.bindings] == [
        ("Callable", "import", 6),
        ("requests", "import", 8),
        ("Handler", "assign", 10),
        ("Vector", "assign", 11),
        ("torch", "import", 13),
        ("first", "def", 16),
        ("Box", "class", 20),
        ("FLAGS", "assign", 27),
    ]
    found = uses(model)
    # Alias values and bounds are read when introspected, like annotations.
    assert found["Callable/annotation"] == (m.USE_ANNOTATION, 10, 1)
    assert found["int/annotation"] == (m.USE_ANNOTATION, 20, 1)
    assert found["torch/deferred"] == (m.USE_DEFERRED, 24, 1)
    assert "torch/import-time" not in found
    assert [(f.name, f.line, [c.qualname for c in f.calls]) for f in model.functions] == [
        ("first", 16, []),
        ("Box.get", 23, ["torch.zeros"]),
    ]


def test_pep695_inline_generics_evaluate_nothing_lazy() -> None:
    src = (
        "import heavy\n"
        "type Vector[T: heavy.Bound(1)] = list[heavy.item(T)]\n"
        "def first[T: heavy.Bound(2)](xs: list[T]) -> T:\n"
        "    return xs[0]\n"
        "class Box[T: heavy.Bound(3)](heavy.Model):\n"
        "    item: T\n"
    )
    model = newer_model(src, (3, 12))
    assert model.calls == ()
    assert [(u.name, u.kind, u.first_line, u.count) for u in model.uses] == [
        ("T", m.USE_ANNOTATION, 2, 4),
        ("heavy", m.USE_ANNOTATION, 2, 4),  # the bounds and the alias value: read lazily
        ("heavy", m.USE_IMPORT_TIME, 5, 1),  # the base class
        ("list", m.USE_ANNOTATION, 2, 2),
        ("xs", m.USE_DEFERRED, 4, 1),
    ]


def test_pep701_calls_in_nested_and_multiline_fstrings_have_character_columns() -> None:
    model = fixture_model("pep701_fstrings.py")
    assert [(c.qualname, c.pos, c.stmt_line) for c in model.calls] == [
        ("requests.get", m.Position(7, 13, 7, 53), 7),  # `santé`: columns count characters
        ("requests.post", m.Position(9, 5, 9, 41), 8),  # inside a multi-line f-string
        (None, m.Position(11, 11, 11, 40), 11),  # `"…".join(...)`: no dotted name
    ]
    assert uses(model)["BASE/import-time"] == (m.USE_IMPORT_TIME, 7, 2)
    assert [(f.name, [c.dotted for c in f.calls]) for f in model.functions] == [
        ("describe", ["requests.head"])
    ]


def test_pep758_except_without_parentheses_guards_imports() -> None:
    model = fixture_model("pep758_except.py")
    assert [(i.names[0].name, i.context) for i in model.imports] == [
        ("pandas", (m.CTX_IMPORT_GUARD, m.CTX_TRY)),
        ("requests", (m.CTX_TRY,)),
    ]
    assert [(u.name, u.first_line) for u in model.uses if u.name.endswith("Error")] == [
        ("ImportError", 4),
        ("ModuleNotFoundError", 4),
        ("TypeError", 10),
        ("ValueError", 10),
    ]
    (sl101,) = [f for f in check_source(NEW_SYNTAX.joinpath("pep758_except.py").read_text()) if f.code == "SL101"]
    assert "try/except ImportError still pays the full cost" in sl101.message


def test_pep701_spaces_after_a_conversion_keep_later_columns() -> None:
    # LibCST's rendering drops the spaces after `!r`: later columns are mapped back.
    model = newer_model("import a\nx = f'{a.f()!r  }' + a.g()\n", (3, 12))
    assert [(c.qualname, c.pos) for c in model.calls] == [
        ("a.f", m.Position(2, 8, 2, 13)),
        ("a.g", m.Position(2, 22, 2, 27)),
    ]


def test_pep750_template_string_calls_run_at_import() -> None:
    model = newer_model("import db\npage = t'<p>{db.fetch()}</p>'\n", (3, 14))
    assert [(c.qualname, c.pos) for c in model.calls] == [("db.fetch", m.Position(2, 14, 2, 24))]


def test_pep798_unpacking_in_comprehensions() -> None:
    model = newer_model("import a\nxs = [*a.f(x) for x in a.g()]\nd = {**a.h(y) for y in a.i()}\n", (3, 15))
    assert [c.qualname for c in model.calls] == ["a.f", "a.g", "a.h", "a.i"]


def test_code_neither_parser_accepts_is_a_parse_failure() -> None:
    assert extract_cst("def f(:\n    pass\n") is None
    failure = build_model("def f(:\n    pass\n", "mod.py")
    assert isinstance(failure, ParseFailure)
    assert failure.line == 1


# -- optional: a newer interpreter's `ast` against LibCST on this one ----------------------

_DUMP = """
import ast, marshal, sys, tokenize, warnings
sys.path.insert(0, sys.argv[1])
from startlint.python import model_codec
from startlint.python.import_time import extract
out = {}
for path in sys.stdin.read().splitlines():
    try:
        with tokenize.open(path) as f:
            text = f.read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, UnicodeError, LookupError):
        continue  # bad on purpose (test data): not for the differential
    out[path] = model_codec.encode(extract(tree, text, True))
sys.stdout.buffer.write(marshal.dumps(out))
"""


def _newer_models(python: str) -> dict[str, m.Module]:
    """`python`'s ast models of the new-syntax fixtures and of its stdlib files ours cannot parse."""
    probe = "import sysconfig; print(sysconfig.get_paths()['stdlib'])"
    stdlib = Path(subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout.strip())
    newer = [p for p in _python_files(stdlib) if "site-packages" not in p.parts and _ast_text(p) is None]
    paths = [str(p) for p in (*_python_files(NEW_SYNTAX), *newer)]
    done = subprocess.run(
        [python, "-c", _DUMP, str(REPO / "src")], input="\n".join(paths).encode(), capture_output=True, check=True
    )
    return {path: model_codec.decode(enc) for path, enc in marshal.loads(done.stdout).items()}


if NEWER_PYTHON:
    NEWER_MODELS = _newer_models(NEWER_PYTHON)

    def test_the_newer_python_parses_new_syntax() -> None:
        assert any(Path(p).parent == NEW_SYNTAX for p in NEWER_MODELS)

    @pytest.mark.parametrize("path", sorted(NEWER_MODELS))
    def test_newer_python_ast_agrees_with_libcst(path: str) -> None:
        want = NEWER_MODELS[path]
        text = decode(Path(path).read_bytes())
        got = extract_cst(text, True)
        assert got is not None, "LibCST gave no model for a file the newer ast parses"
        assert got == want, explain(want, got, text)
