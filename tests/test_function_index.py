"""Two shortcuts of the first pass give exactly what the full extraction gives.

- A function summarised later from its own lines (`Module.index`,
  python/function_summary.py) equals its summary from the whole file.
- Extraction that tracks only some modules' names (`extract(..., tracked=...)`)
  records exactly the full model's deferred uses of those names, and all the rest.

Both run over the corpora of the extractor differential: fixtures, the example
service, the scenarios and every STDLIB_STRIDE-th file of the standard library.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from helpers import REPO
from startlint.python import function_summary
from startlint.python import model as m
from startlint.python.import_time import Tracked, extract
from startlint.python.positions import split_lines
from startlint.python.source import build_model
from startlint.startup import calls
from test_extractor_differential import STDLIB, _ast_text, _parse, _repo_files, stdlib_files


def corpus() -> list[Path]:
    return [*_repo_files()[0], *(STDLIB / rel for rel in stdlib_files())]


def _id(path: Path) -> str:
    for base in (REPO.parent, STDLIB):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return str(path)


def whole_file_bodies(text: str) -> dict[str, m.FunctionBody]:
    return {b.name: b for b in extract(_parse(text), text, all_functions=True).functions}


def bodies_from_lines(text: str) -> dict[str, m.FunctionBody | None]:
    model = extract(_parse(text), text)
    if model.index is None:
        return {}
    lines = split_lines(text)
    return {
        name: function_summary.summarise(lines, model, name, span) for name, span in model.index.by_name().items()
    }


def tracked_equivalent(text: str, tracked: Tracked) -> tuple[m.Module, m.Module]:
    """(the model extracted with `tracked`, the full model with only those deferred uses)."""
    tree = _parse(text)
    full = extract(tree, text)
    names = {
        n.bound
        for imp in full.imports
        if any(not mod.startswith(".") and tracked(mod) for mod in imp.modules)
        for n in imp.names
    }
    for f in full.fields:
        names |= {f.cls, *f.reads}
    want = dataclasses.replace(
        full, uses=tuple(u for u in full.uses if u.kind != m.USE_DEFERRED or u.name in names)
    )
    return extract(tree, text, tracked=tracked), want


def heavy_like(module: str) -> bool:
    return module.split(".")[0] in {"torch", "numpy", "pandas", "requests", "os", "typing", "re", "sys"}


# -- summaries from a function's own lines ---------------------------------------------


@pytest.mark.parametrize("path", corpus(), ids=_id)
def test_a_function_summarised_from_its_lines_equals_the_whole_file_summary(path: Path) -> None:
    text = _ast_text(path)
    assert text is not None
    assert bodies_from_lines(text) == whole_file_bodies(text)


SNIPPETS = {
    "module-level function": "import requests\n\ndef f():\n    return requests.get('u')\n",
    "method": "import boto3\n\nclass Store:\n    def __init__(self):\n        self.s3 = boto3.client('s3')\n",
    "function under a module-level if": (
        "import sys, requests\nif sys.platform:\n    def f():\n        return requests.get('u')\n"
        "else:\n    def f():\n        return None\n"
    ),
    "tabs": "import requests\nclass C:\n\tdef m(self):\n\t\treturn requests.get('u')\n",
    "decorated async, CRLF": "import httpx\r\n\r\n@decorator\r\nasync def f():\r\n    return httpx.get('u')\r\n",
    "old Mac line ends": "import requests\rdef f():\r    return requests.get('u')\r",
    "non-ASCII columns": "import requests\n\ndef f():\n    s = 'é'; return requests.get('ü')\n",
    "multi-line string less indented than the body": (
        "import requests\nclass C:\n    def m(self):\n        doc = '''\nno indent\n'''\n"
        "        return requests.get(doc)\n"
    ),
    "local names shadow module names": "import requests\n\ndef f(requests):\n    return requests.get('u')\n",
    "class with two constructors": (
        "import boto3\n\nclass A:\n    def __init__(self):\n        boto3.client('s3')\n"
        "    def __post_init__(self):\n        boto3.resource('s3')\n"
    ),
    "one-line def": "import requests\ndef f(): return requests.get('u')\n",
}


@pytest.mark.parametrize("src", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_awkward_functions_summarise_the_same_from_their_lines(src: str) -> None:
    got = bodies_from_lines(src)
    assert got == whole_file_bodies(src)
    assert got and None not in got.values()


def test_lines_that_no_longer_hold_the_function_give_none() -> None:
    """The file changed since its model was built: the caller summarises the whole file."""
    src = "import requests\n\ndef f():\n    return requests.get('u')\n"
    model = extract(_parse(src), src)
    assert model.index is not None
    span = model.index.by_name()["f"]
    for changed in ("\n" + src, src.replace("def f", "def g"), "x = 1\n", src.replace("    return", "return")):
        assert function_summary.summarise(split_lines(changed), model, "f", span) is None
    assert function_summary.summarise(split_lines(src), model, "f", span) is not None


def test_a_module_without_functions_has_no_index() -> None:
    assert extract(_parse("import os\nX = os.sep\n"), "import os\nX = os.sep\n").index is None


# -- tracked names ---------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus(), ids=_id)
def test_tracking_some_modules_keeps_exactly_their_deferred_uses(path: Path) -> None:
    text = _ast_text(path)
    assert text is not None
    for tracked in (heavy_like, lambda module: True, lambda module: False):
        got, want = tracked_equivalent(text, tracked)
        assert got == want


TRACKED_SNIPPETS = {
    "import after the function": "def f():\n    return torch.ones(1)\n\nimport torch\n",
    "global in the body keeps binding order": (
        "import torch\nX = 1\ndef f():\n    global X\n    X = torch\nY = 2\n"
    ),
    "one-line global": "import torch\ndef f(): global T; T = torch\n",
    "only a string mentions it": "import torch\n\ndef f():\n    return 'torch'\n",
    "attribute of the same name": "import torch\n\ndef f(x):\n    return x.torch\n",
    "ligature spells the name": "import numpy as ﬁ\n\ndef f():\n    return ﬁ.zeros(1)\n",
    "old Mac line ends": "import torch\rdef f():\r    return torch\r",
    "settings class and field reads": (
        "import pydantic\nP = load()\nclass S(pydantic.BaseModel):\n    p: str = P\n"
        "def get():\n    return S(), P\n"
    ),
    "method and nested function": (
        "import torch\nclass C:\n    def m(self):\n        def g():\n            return torch\n        return g\n"
    ),
}


@pytest.mark.parametrize("src", TRACKED_SNIPPETS.values(), ids=TRACKED_SNIPPETS.keys())
def test_tracked_extraction_of_awkward_modules(src: str) -> None:
    got, want = tracked_equivalent(src, heavy_like)
    assert got == want
    full = extract(_parse(src), src)
    assert got.bindings == full.bindings  # `global` declarations in order


def test_tracked_extraction_drops_untracked_deferred_uses() -> None:
    src = "import torch\nimport json\n\ndef f():\n    return torch, json, helper\n"
    got = extract(_parse(src), src, tracked=lambda module: module == "torch")
    assert {(u.name, u.kind) for u in got.uses} == {("torch", m.USE_DEFERRED)}
    built = build_model(src, "mod.py", tracked=lambda module: module == "torch")
    assert built == got


# -- the start-up call following uses both -------------------------------------------


def test_bodies_fall_back_to_the_whole_file_when_lines_do_not_parse() -> None:
    """calls._Bodies asks for one function first and, when that fails, for all of them."""
    src = "import requests\n\ndef make():\n    return requests.get('u')\n"
    model = extract(_parse(src), src)
    whole = extract(_parse(src), src, all_functions=True).functions
    asked: list[str] = []

    def one(path: Path, module: m.Module, name: str, span: tuple[int, int]) -> m.FunctionBody | None:
        asked.append(f"one {name}")
        return None

    def everything(path: Path) -> tuple[m.FunctionBody, ...]:
        asked.append("all")
        return whole

    bodies = calls._Bodies(everything, one)
    assert bodies.lookup(Path("m.py"), model, "make") == list(whole)
    assert bodies.lookup(Path("m.py"), model, "make") == list(whole)
    assert asked == ["one make", "all"]
    assert bodies.lookup(Path("m.py"), model, "missing") == []


def test_start_up_calls_into_indented_and_changed_functions_are_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: a hazard in the constructor of a class under a module-level `if`
    of another module is reported, with the import-time call that reaches it."""
    import json
    import os

    from startlint.cli import main

    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "__init__.py").write_text("")
    (tmp_path / "svc" / "clients.py").write_text(
        "import sys\nimport boto3\n\nif sys.platform:\n    class Store:\n        def __init__(self):\n"
        "            self.s3 = boto3.client('s3')\n"
    )
    (tmp_path / "svc" / "app.py").write_text("from svc.clients import Store\n\nSTORE = Store()\n")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        main(["check", "--format", "json", "--exit-zero", "--no-cache", "."])
    finally:
        os.chdir(old)
    findings = json.loads(capsys.readouterr().out)["findings"]
    via = [f for f in findings if f["path"] == "svc/clients.py" and f["code"] == "SL103"]
    assert [f["line"] for f in via] == [7]
    assert "svc/app.py:3 Store()" in str(via[0]["message"])


def test_decode_keeps_the_index() -> None:
    from startlint.python import model_codec

    src = "import requests\nclass C:\n    def m(self):\n        return requests.get('u')\n"
    model = build_model(src, "mod.py")
    assert isinstance(model, m.Module) and model.index is not None
    again = model_codec.decode(model_codec.encode(model))
    assert again == model and again.index == model.index
