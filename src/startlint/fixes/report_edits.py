"""Fill planned fixes with their edits, for output formats that carry them (JSON, SARIF)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from startlint.engine import Checker, relative
from startlint.findings import Edit, Finding, Fix, Violation
from startlint.fixes.edits import edit_between
from startlint.fixes.runner import Workspace, compiles


def with_edits(findings: tuple[Finding, ...], checker: Checker, texts: dict[str, str] | None = None) -> tuple[Finding, ...]:
    """Each Python finding's fix, computed alone on the file as it is (or dropped if it can't be)."""
    root = checker.settings.root.resolve()
    workspace = Workspace()
    out = []
    for finding in findings:
        fix = finding.fix
        if fix is None or fix.edits or not finding.code.startswith("SL1"):
            out.append(finding)
            continue
        path = (root / finding.path).resolve()
        text = texts[finding.path] if texts and finding.path in texts else workspace.read(path)
        violation = _violation_for(checker, text, finding, path)
        edits: tuple[Edit, ...] = ()
        if violation is not None:
            from startlint.fixes.python import FixAborted, apply_one  # LibCST: only now

            try:
                result = apply_one(text, violation, path, checker.catalogs, checker.project, workspace.read)
            except FixAborted:
                result = None
            if result is not None and compiles(result.text, text):
                own = edit_between(text, result.text)
                others = [
                    edit_between(workspace.read(p), t, relative(p, root)) for p, t in sorted(result.others.items())
                ]
                edits = tuple(e for e in (own, *others) if e is not None)
        out.append(replace(finding, fix=Fix(fix.applicability, fix.message, edits) if edits else None))
    return tuple(out)


def _violation_for(checker: Checker, text: str, finding: Finding, path: Path) -> Violation | None:
    for v in checker.python_violations(text, finding.path, path):
        if v.code == finding.code and v.span == finding.span:
            return v
    return None
