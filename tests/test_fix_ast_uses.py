"""SL101's function-local move finds its functions with `ast` when the case is simple,
and then rewrites exactly what LibCST's scope analysis would have it rewrite.

The differential: every module-level `import X` of the fix fixtures, the example
service, the scenarios and a table of awkward modules, moved with `X` taken as heavy,
once with the `ast` answer (the source text given) and once with LibCST's alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers import REPO, SHARED
from startlint.fixes import plan
from startlint.fixes.python import ast_uses, move_import
from startlint.fixes.python.cst import FixAborted, parse
from startlint.python.source import decode


def moves(text: str) -> list[tuple[int, str]]:
    """(line, module) of each module-level `import X` (X undotted) in `text`."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    return [
        (s.lineno, s.names[0].name)
        for s in tree.body
        if isinstance(s, ast.Import) and len(s.names) == 1 and "." not in s.names[0].name
    ]


def outcome(text: str, line: int, heavy: str, fast: bool) -> str:
    def is_heavy(name: str) -> bool:
        return name == heavy or name.startswith(heavy + ".")

    try:
        return move_import.fix_heavy_import(parse(text), line, plan.FUNCTION_LOCAL, is_heavy, text if fast else None).code
    except FixAborted as exc:
        return f"aborted: {exc}"


def corpus() -> list[Path]:
    roots = (REPO / "tests" / "fixtures", REPO / "examples", SHARED / "scenarios")
    return sorted(p for root in roots for p in root.rglob("*.py") if moves(_text(p)))


def _text(path: Path) -> str:
    try:
        return decode(path.read_bytes())
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return ""


@pytest.mark.parametrize("path", corpus(), ids=lambda p: str(p.relative_to(REPO.parent)))
def test_ast_and_libcst_answers_rewrite_the_same(path: Path) -> None:
    text = _text(path)
    for line, heavy in moves(text):
        assert outcome(text, line, heavy, fast=True) == outcome(text, line, heavy, fast=False)


SIMPLE = {
    "one function": "import torch\n\n\ndef f():\n    return torch.ones(1)\n",
    "nested functions keep the outermost": (
        "import torch\n\n\ndef f():\n    def g():\n        return torch\n    return torch, g\n\n\ndef h():\n    return torch\n"
    ),
    "methods, lambdas, comprehensions and classes inside a function": (
        "import torch\n\n\nclass C:\n    def m(self):\n        return [torch for _ in ()], (lambda: torch)\n\n\n"
        "def f():\n    class D:\n        x = torch\n    return D\n"
    ),
    "a decorator and a default of a nested function belong to the outer one": (
        "import torch\n\n\ndef f():\n    @torch.no_grad()\n    def g(x=torch.zeros(1)):\n        return x\n    return g\n"
    ),
    "a docstring and a message name it": (
        '"""Uses torch."""\nimport torch\n\n\ndef f():\n    """torch, lazily."""\n    print("torch")\n    return torch\n'
    ),
    "statements joined with semicolons": "import os; import sys\nimport torch\nx = 1; y = 2\n\n\ndef f():\n    return torch\n",
    "decorated definitions above": "import torch\n\n\n@decorate\n@again\ndef f():\n    return torch\n",
    "try, except, else and finally": (
        "import torch\n\n\ndef f():\n    try:\n        pass\n    except E:\n        def g():\n            return torch\n"
        "    else:\n        def h():\n            return torch\n    finally:\n        pass\n    return g, h\n"
    ),
}


@pytest.mark.parametrize("src", SIMPLE.values(), ids=SIMPLE.keys())
def test_simple_modules_are_answered_by_ast_alone(src: str, monkeypatch: pytest.MonkeyPatch) -> None:
    [(line, heavy)] = [m for m in moves(src) if m[1] == "torch"]
    expected = outcome(src, line, heavy, fast=False)
    assert not expected.startswith("aborted")

    def no_libcst_scopes(*args: object, **kwargs: object) -> None:
        raise AssertionError("LibCST's scope analysis was asked")

    monkeypatch.setattr(move_import, "Located", no_libcst_scopes)
    assert outcome(src, line, heavy, fast=True) == expected


UNSURE = {
    "assigned in a function": "import torch\n\n\ndef f():\n    torch = 1\n    return torch\n",
    "a parameter": "import torch\n\n\ndef f(torch):\n    return torch\n",
    "global": "import torch\n\n\ndef f():\n    global torch\n    return torch\n",
    "another import": "import torch\n\n\ndef f():\n    import torch\n    return torch\n",
    "an annotation": "import torch\n\n\ndef f(x: torch.Tensor):\n    return torch\n",
    "a string annotation": "import torch\n\n\ndef f(x: 'torch.Tensor'):\n    return torch\n",
    "a cast": "import torch\nfrom typing import cast\n\n\ndef f(x):\n    return cast('torch.Tensor', x), torch\n",
    "read at import time": "import torch\n\nX = torch.zeros(1)\n\n\ndef f():\n    return torch\n",
    "a class body": "import torch\n\n\nclass C:\n    x = torch\n",
    "a module-level lambda": "import torch\n\nf = lambda: torch\n",
    "a decorator": "import torch\n\n\n@torch.no_grad()\ndef f():\n    return torch\n",
    "an except name": "import torch\n\n\ndef f():\n    try:\n        pass\n    except E as torch:\n        pass\n    return torch\n",
    "a walrus": "import torch\n\n\ndef f():\n    return (torch := 1)\n",
}


@pytest.mark.parametrize("src", UNSURE.values(), ids=UNSURE.keys())
def test_anything_else_is_left_to_libcst(src: str) -> None:
    module = parse(src)
    with pytest.raises(ast_uses.Unsure):
        ast_uses.AstUses(module, src).functions_reading({"torch"}, 1)
    assert outcome(src, 1, "torch", fast=True) == outcome(src, 1, "torch", fast=False)
