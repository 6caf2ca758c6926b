"""Python fixes on LibCST: one planned fix applied to one module's text at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from startlint.findings import Violation
from startlint.fixes import plan
from startlint.fixes.python.accessor import fix_accessor, rewrite_importer
from startlint.fixes.python.cst import FixAborted, parse
from startlint.fixes.python.move_import import fix_heavy_import
from startlint.project import Project, module_name, owners

__all__ = ["FixAborted", "FixedText", "apply_one"]


@dataclass(frozen=True)
class FixedText:
    text: str
    others: dict[Path, str]  # other files the fix rewrote, with their new text


def apply_one(
    text: str,
    violation: Violation,
    path: Path,
    is_heavy: Callable[[str], bool],
    project: Project,
    read: Callable[[Path], str],
) -> FixedText:
    """Apply the violation's planned fix; raises FixAborted when it cannot be done safely."""
    assert violation.fix is not None
    kind = plan.strategy(violation.fix)
    module = parse(text)
    line = violation.span.start_line
    if kind == plan.ACCESSOR:
        new, name, getter = fix_accessor(module, line)
        others: dict[Path, str] = {}
        importers = project.importers(path, frozenset({name})).get(name, [])
        # One rewrite per importing file, however many sites it has.
        for site_path in dict.fromkeys(site.path for site in importers if site.rewritable):
            other_text = read(site_path)
            source = module_name(path.resolve())
            rewritten = rewrite_importer(parse(other_text), source, name, getter, owners(other_text, site_path, source))
            others[site_path] = rewritten.code
        return FixedText(new.code, others)
    return FixedText(fix_heavy_import(module, line, kind, is_heavy).code, {})
