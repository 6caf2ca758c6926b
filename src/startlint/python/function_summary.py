"""Summarise one function of a module from its own lines, without the rest of the file.

Start-up analysis follows import-time calls into other modules' functions. Parsing
each such module again to summarise every function cost more than the whole first
pass's extraction on the standard library; the model's `FunctionIndex` instead says
where each function is and what module-level names resolve to, so only the lines of
the functions a call reaches are parsed.
"""

from __future__ import annotations

import ast
import warnings

from startlint.python import model as m
from startlint.python.import_time import summarise_alone


def summarise(lines: list[str], module: m.Module, name: str, span: tuple[int, int]) -> m.FunctionBody | None:
    """The summary of function `name` (as in FunctionBody.name) whose `def` spans `span`,
    or None when those lines do not hold it alone (the file changed since its model
    was built, or the function uses syntax only LibCST reads): the caller then
    summarises the whole file."""
    assert module.index is not None
    first, last = span
    if not 1 <= first <= last <= len(lines):
        return None
    segment = lines[first - 1 : last]
    indented = segment[0][:1] in (" ", "\t")
    # Padding keeps every line at its own number and column; an indented `def`
    # (a method, or a function under a module-level `if`) goes under `if 1:`.
    head = "\n" * (first - 2) + "if 1:\n" if indented else "\n" * (first - 1)
    source = head + "\n".join(segment) + "\n"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    body = tree.body
    if indented and len(body) == 1 and isinstance(body[0], ast.If):
        body = body[0].body
    if len(body) != 1:
        return None
    node = body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.lineno != first:
        return None
    if node.name != name.rsplit(".", 1)[-1]:
        return None
    return summarise_alone(node, source, name, module.index, module.future_annotations)
