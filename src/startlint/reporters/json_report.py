"""The JSON report: a versioned, documented format for scripts.

The JSON Schema of this format is `docs/json-output.schema.json`; a test checks
real output against it. `version` changes only when a field is removed or its
meaning changes; new fields may appear within a version.

Top level, an object::

    {
      "version": 1,
      "tool": {"name": "startlint", "version": "0.1.0"},
      "summary": {
        "files": 5,                # files checked
        "findings": 3,             # len(findings)
        "by_severity": {"error": 2, "warning": 1, "info": 0},   # every key, always
        "fixable": 1,              # findings with a safe fix (`--fix`)
        "unsafe_fixable": 1        # findings with an unsafe fix (`--unsafe-fixes`)
      },
      "findings": [...]            # sorted by (path, line, column, code)
    }

Each finding::

    {
      "code": "SL101",             # permanent rule code
      "name": "heavy-import",      # rule name
      "severity": "error",         # "error" | "warning" | "info"
      "path": "app/main.py",       # POSIX, relative to the project root
      "line": 3, "column": 1,      # 1-based; columns count characters (code points)
      "end_line": 3, "end_column": 13,   # end column is exclusive
      "message": "...",
      "fix": null | {
        "applicability": "safe" | "unsafe",
        "message": "...",          # what the fix does
        "edits": [                 # replace the text between the two positions with content
          {"path": null | "other.py",   # null: the finding's own file
           "line": 3, "column": 1, "end_line": 3, "end_column": 13, "content": "..."}
        ]
      },
      "related": [                 # other places that explain the finding, in order
        {"path": "...", "line": 1, "column": 1, "end_line": 1, "end_column": 5, "message": "..."}
      ]
    }

Text is written as UTF-8 without escaping non-ASCII characters, indented by two
spaces, with a final newline.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from startlint import __version__
from startlint.findings import Edit, Finding, RelatedLocation, Severity, Span

if TYPE_CHECKING:
    from collections.abc import Mapping

    from startlint.results import ReportOptions, RunResult
    from startlint.ruledocs import RuleDoc

SCHEMA_VERSION = 1


def render(result: RunResult, rules: Mapping[str, RuleDoc], options: ReportOptions) -> str:
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    report = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "startlint", "version": __version__},
        "summary": {
            "files": result.files_checked,
            "findings": len(findings),
            "by_severity": {s.value: sum(1 for f in findings if f.severity is s) for s in _SEVERITIES},
            "fixable": result.fixable,
            "unsafe_fixable": result.unsafe_fixable,
        },
        "findings": [_finding(f) for f in findings],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def _finding(f: Finding) -> dict[str, Any]:
    fix = None
    if f.fix is not None:
        fix = {
            "applicability": f.fix.applicability.value,
            "message": f.fix.message,
            "edits": [_edit(e) for e in f.fix.edits],
        }
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "path": f.path,
        **_span(f.span),
        "message": f.message,
        "fix": fix,
        "related": [_related(r) for r in f.related],
    }


def _span(span: Span) -> dict[str, int]:
    return {
        "line": span.start_line,
        "column": span.start_col,
        "end_line": span.end_line,
        "end_column": span.end_col,
    }


def _edit(edit: Edit) -> dict[str, Any]:
    return {"path": edit.path, **_span(edit.span), "content": edit.content}


def _related(rel: RelatedLocation) -> dict[str, Any]:
    return {"path": rel.path, **_span(rel.span), "message": rel.message}
