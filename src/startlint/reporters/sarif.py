"""The SARIF 2.1.0 report, shaped for GitHub code scanning.

One run. `tool.driver.rules` lists every rule passed in, sorted by code and
generated from the rule docs, plus a minimal entry for any other code a finding
carries. Locations are URIs relative to `%SRCROOT%` (the project root, given in
`originalUriBaseIds`) with columns in Unicode code points, as findings count them.

Each result carries `partialFingerprints["startlintFingerprint/v1"]`: a hash of
the code, the path, the finding's source line with surrounding whitespace
stripped, and which occurrence of that (code, path, line text) it is. It does not
change when lines above the finding move, so code scanning keeps one alert.

GitHub rejects a run with more than 25,000 results; past that the most severe
are kept and the invocation says how many were left out.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from startlint import __version__
from startlint.findings import Finding, Severity, Span
from startlint.reporters import SourceLines
from startlint.ruledocs import INFORMATION_URI

if TYPE_CHECKING:
    from collections.abc import Mapping

    from startlint.results import ReportOptions, RunResult
    from startlint.ruledocs import RuleDoc

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "startlintFingerprint/v1"
# GitHub code scanning's hard limits (larger uploads are rejected) and display limits.
MAX_RESULTS = 25_000
MAX_LOCATIONS = 1_000  # a result's related locations
MAX_TAGS = 10

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}

Json = dict[str, Any]


def render(result: RunResult, rules: Mapping[str, RuleDoc], options: ReportOptions) -> str:
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    fingerprinted = list(zip(findings, _fingerprints(findings, SourceLines(result.root))))
    kept = _keep_most_severe(fingerprinted, MAX_RESULTS)

    descriptors = [_rule(rules[code]) for code in sorted(rules)]
    index = {code: i for i, code in enumerate(sorted(rules))}
    for f, _ in sorted(kept, key=lambda pair: pair[0].code):
        if f.code not in index:
            index[f.code] = len(descriptors)
            descriptors.append(_third_party_rule(f))

    invocation: Json = {"executionSuccessful": True}
    if len(kept) < len(findings):
        left_out = len(findings) - len(kept)
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{left_out} of {len(findings)} findings left out: code scanning "
                    f"accepts at most {MAX_RESULTS} results a run; the most severe are kept."
                },
            }
        ]
    run: Json = {
        "tool": {
            "driver": {
                "name": "startlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(result.root)}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.code], fingerprint) for f, fingerprint in kept],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def _rule(doc: RuleDoc) -> Json:
    help_text = doc.explain()
    return {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.what_it_does.strip()},
        "help": {"text": help_text, "markdown": help_text},  # explain() is Markdown already
        "helpUri": doc.help_uri,
        "defaultConfiguration": {"level": _LEVEL[doc.severity]},
        "properties": {
            "tags": list(doc.tags[:MAX_TAGS]),
            "precision": "high",
            "problem.severity": _PROBLEM_SEVERITY[doc.severity],
        },
    }


def _third_party_rule(f: Finding) -> Json:
    """A code with no rule doc (merged from another tool): what the finding itself says."""
    rule: Json = {"id": f.code, "shortDescription": {"text": f.name or f.code}}
    if f.name:
        rule["name"] = f.name
    return rule


def _result(f: Finding, rule_index: int, fingerprint: str) -> Json:
    out: Json = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": _physical(f.path, f.span)}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    related = f.related[:MAX_LOCATIONS]
    if related:
        out["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(r.path, r.span), "message": {"text": r.message}}
            for i, r in enumerate(related, start=1)
        ]
        steps = [(r.path, r.span, r.message) for r in related] + [(f.path, f.span, f.message)]
        out["codeFlows"] = [
            {
                "threadFlows": [
                    {
                        "locations": [
                            {"location": {"physicalLocation": _physical(p, s), "message": {"text": m}}}
                            for p, s, m in steps
                        ]
                    }
                ]
            }
        ]
    fixes = [_fix(f)] if f.fix is not None and f.fix.edits else []
    if fixes:
        out["fixes"] = fixes
    return out


def _fix(f: Finding) -> Json:
    assert f.fix is not None
    by_path: dict[str, list[Json]] = defaultdict(list)  # insertion order: first edit's file first
    for edit in f.fix.edits:
        by_path[edit.path if edit.path is not None else f.path].append(
            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.content}}
        )
    return {
        "description": {"text": f.fix.message},
        "artifactChanges": [
            {"artifactLocation": _artifact(path), "replacements": replacements}
            for path, replacements in by_path.items()
        ],
        "properties": {"applicability": f.fix.applicability.value},
    }


def _physical(path: str, span: Span) -> Json:
    return {"artifactLocation": _artifact(path), "region": _region(span)}


def _artifact(path: str) -> Json:
    if Path(path).is_absolute():  # a file outside the project root
        return {"uri": Path(path).as_uri()}
    # RFC 3986: everything but unreserved characters and `/` percent-encoded (UTF-8),
    # so spaces, `%`, `#`, `?` and a `:` in the first segment cannot be misread.
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _region(span: Span) -> Json:
    return {
        "startLine": span.start_line,
        "startColumn": span.start_col,
        "endLine": span.end_line,
        "endColumn": span.end_col,
    }


def _root_uri(root: Path) -> str:
    uri = (root if root.is_absolute() else root.absolute()).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _fingerprints(findings: list[Finding], sources: SourceLines) -> list[str]:
    """Each finding's fingerprint: independent of its line number, unique among the findings."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out: list[str] = []
    for f in findings:
        line = sources.line(f.path, f.span.start_line)
        text = line.strip() if line is not None else f.message
        key = (f.code, f.path, text)
        occurrence = seen[key]
        seen[key] += 1
        data = "\0".join((f.code, f.path, text, str(occurrence)))
        out.append(hashlib.sha256(data.encode("utf-8")).hexdigest())
    return out


def _keep_most_severe(results: list[tuple[Finding, str]], limit: int) -> list[tuple[Finding, str]]:
    if len(results) <= limit:
        return results
    ranked = sorted(results, key=lambda pair: -pair[0].severity.rank)[:limit]  # stable sort
    return sorted(ranked, key=lambda pair: pair[0].sort_key)
