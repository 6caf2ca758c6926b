"""Apply fixes to files: one planned fix at a time, re-checking after each, until none applies."""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from startlint.engine import Checker
from startlint.findings import Violation

MAX_ROUNDS = 25  # fixes applied to one file, at most: a bound against ping-pong


@dataclass
class Workspace:
    """The texts of files as fixing changes them, before anything is written."""

    originals: dict[Path, bytes] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)

    def read(self, path: Path) -> str:
        if path not in self.texts:
            from startlint.python.source import decode

            data = path.read_bytes()
            self.originals[path] = data
            self.texts[path] = decode(data)
        return self.texts[path]

    def changed(self) -> dict[Path, str]:
        return {p: t for p, t in self.texts.items() if p in self.originals and _differs(self, p, t)}


def _differs(ws: Workspace, path: Path, text: str) -> bool:
    from startlint.python.source import decode

    return decode(ws.originals[path]) != text


def allowed(violation: Violation, unsafe: bool) -> bool:
    return violation.fix is not None and violation.fix.applies(unsafe)


def _python_parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fixed>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def compiles(text: str, original: str | None = None) -> bool:
    """Whether fixed text is still valid Python.

    The running Python decides, except for syntax it is too old for (`lazy import`
    added for a 3.15 target, or a file already written for a newer Python): then
    LibCST's parser, which knows up to 3.15, has the last word.
    """
    if _python_parses(text):
        return True
    if original is not None and _python_parses(original):
        # Only the PEP 810 soft keyword may be new; everything else must still parse here.
        return "lazy " in text and _python_parses(_LAZY.sub(r"\1", text)) and _libcst_parses(text)
    return _libcst_parses(text)


_LAZY = re.compile(r"^([ \t]*)lazy (?=import |from )", re.MULTILINE)


def _libcst_parses(text: str) -> bool:
    from startlint.fixes.python.cst import parse  # LibCST: fixes already loaded it
    import libcst

    try:
        parse(text)
    except libcst.ParserSyntaxError:
        return False
    return True


def fix_python(
    checker: Checker,
    path: Path,
    rel: str,
    workspace: Workspace,
    unsafe: bool,
    cross_file: bool = True,
    failed: set[tuple[str, int, str]] | None = None,
    skipped: set[tuple[str, int, str]] | None = None,
) -> int:
    """Fix one Python file in the workspace; returns how many fixes were applied.

    `failed` collects the fixes that cannot be applied (and skips those already in it);
    a fix left out only because it rewrites other files (`cross_file` False) is not one:
    `skipped` collects those."""
    from startlint.fixes.python import FixAborted, apply_one

    failed = set() if failed is None else failed
    skipped = set() if skipped is None else skipped  # cross-file fixes left for a run with cross_file
    applied = 0
    for _ in range(MAX_ROUNDS):
        text = workspace.read(path)
        candidates = [
            v
            for v in checker.python_violations(text, rel, path)
            if allowed(v, unsafe) and (v.code, v.span.start_line, v.message) not in failed | skipped
        ]
        if not candidates:
            break
        violation = candidates[0]
        key = (violation.code, violation.span.start_line, violation.message)
        try:
            result = apply_one(text, violation, path, checker.catalogs, checker.project, workspace.read)
        except FixAborted:
            failed.add(key)
            continue
        if result.others and not cross_file:
            skipped.add(key)
            continue
        if result.text == text or not compiles(result.text, text):
            failed.add(key)
            continue
        if not all(compiles(t, workspace.read(o)) for o, t in result.others.items()):
            failed.add(key)
            continue
        workspace.texts[path] = result.text
        for other, other_text in result.others.items():
            workspace.read(other)
            workspace.texts[other] = other_text
        applied += 1
    return applied

