"""Apply Dockerfile and entry-script fixes (`startlint check --fix`).

The Dockerfile rules compute their edits when they check (they are plain text edits and
cheap), so fixing is one pass: every selected, unsuppressed finding of the Dockerfile and
of the scripts it runs whose fix is allowed (safe, or unsafe with --unsafe-fixes) is
applied, unless its edits overlap edits already taken for the same file. Edits to a
file other than the Dockerfile (an entry script, pyproject.toml) are only applied while
that file is unchanged in this run, so a script two Dockerfiles run is fixed once. A
Dockerfile that would no longer parse is left as it was.
"""

from __future__ import annotations

from pathlib import Path

from startlint.discovery import DOCKERFILE, SourceFile
from startlint.docker import edits
from startlint.engine import Checker
from startlint.findings import Edit, Finding
from startlint.fixes.runner import Workspace


def _allowed(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and bool(finding.fix.edits) and finding.fix.applies(unsafe)


def fix_dockerfile(
    checker: Checker, path: Path, rel: str, workspace: Workspace, unsafe: bool, only: Path | None = None
) -> int:
    """Fix one Dockerfile (and the files its fixes touch) in the workspace; returns how many
    fixes were applied. With `only`, just the findings reported in that file (an entry
    script the Dockerfile runs)."""
    from startlint.docker.parser import ParseError, parse

    root = checker.settings.root.resolve()
    own = path.resolve()
    text = workspace.read(own)
    findings = checker.check_file(SourceFile(own, DOCKERFILE), text=text, display_path=rel)
    taken: dict[Path, list[Edit]] = {}
    applied = 0
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if not _allowed(finding, unsafe):
            continue
        if only is not None and (root / finding.path).resolve() != only.resolve():
            continue
        assert finding.fix is not None
        grouped: dict[Path, list[Edit]] = {}
        for e in finding.fix.edits:
            target = (root / (e.path if e.path is not None else finding.path)).resolve()
            grouped.setdefault(target, []).append(Edit(e.span, e.content, None))
        usable = True
        for target, group in grouped.items():
            if target != own and not _unchanged(workspace, target):
                usable = False
            if edits.overlapping([*taken.get(target, []), *group]):
                usable = False
        if not usable:
            continue
        for target, group in grouped.items():
            taken.setdefault(target, []).extend(group)
        applied += 1
    results = {target: edits.apply(workspace.read(target), group) for target, group in taken.items()}
    if own in results and isinstance(parse(results[own]), ParseError):
        return 0
    workspace.texts.update(results)
    return applied


def _unchanged(workspace: Workspace, target: Path) -> bool:
    try:
        current = workspace.read(target)
    except OSError:
        return False
    from startlint.python.source import decode

    return decode(workspace.originals[target]) == current


def fix_entry_script(checker: Checker, path: Path, workspace: Workspace, unsafe: bool) -> int:
    """Fix an entry script named on its own, as the Dockerfile that runs it sees it (its
    fixes only); returns how many fixes were applied (none when no Dockerfile runs it)."""
    from startlint.docker.check import dockerfile_running
    from startlint.engine import relative

    found = dockerfile_running(path, checker.settings)
    if found is None:
        return 0
    dockerfile, _ = found
    rel = relative(dockerfile, checker.settings.root.resolve())
    return fix_dockerfile(checker, dockerfile, rel, workspace, unsafe, only=path)
