"""Rule metadata and documentation, one TOML file a rule in `rules/docs/`.

Each file has fixed sections (what it does, why it is bad, examples, fix safety);
`startlint explain`, `startlint rules`, the SARIF rule list and the README table
are all generated from them, and their examples are executed by the tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from startlint import toml
from startlint.errors import ConfigError
from startlint.findings import Severity
from startlint.resources import rules_dir

HELP_URI = "https://github.com/startlint/startlint/blob/main/rules/docs/{code}.toml"
INFORMATION_URI = "https://github.com/startlint/startlint"


@dataclass(frozen=True)
class Expectation:
    line: int
    col: int
    message: str


@dataclass(frozen=True)
class Example:
    path: str  # the file name the example is checked as
    bad: str
    expect: tuple[Expectation, ...]  # findings the bad example must produce, exactly
    good: str
    fixed: str | None  # the output of the fix applied to `bad`, where the rule has one


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    summary: str  # one line
    severity: Severity
    fix: str  # "safe", "unsafe", "sometimes" (safe or unsafe by situation) or "none"
    what_it_does: str
    why_bad: str
    fix_safety: str
    examples: tuple[Example, ...]

    @property
    def help_uri(self) -> str:
        return HELP_URI.format(code=self.code)

    @property
    def tags(self) -> tuple[str, ...]:
        """What SARIF viewers group the rule under."""
        return ("cold-start", "performance")

    def explain(self) -> str:
        """Plain-text documentation, as `startlint explain CODE` prints it."""
        out = [f"{self.code} {self.name}: {self.summary}", ""]
        out += [f"Default severity: {self.severity.value}.  Fix: {self.fix}.", ""]
        out += ["## What it does", self.what_it_does.strip(), ""]
        out += ["## Why is this bad?", self.why_bad.strip(), ""]
        for ex in self.examples:
            out += ["## Example", _indent(ex.bad), ""]
            out += ["## Use instead", _indent(ex.good), ""]
            if ex.fixed is not None:
                out += ["## Fixed by `startlint check --fix`", _indent(ex.fixed), ""]
        out += ["## Fix safety", self.fix_safety.strip(), ""]
        return "\n".join(out)


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.rstrip("\n").split("\n"))


_KEYS = {"code", "name", "summary", "severity", "fix", "what_it_does", "why_bad", "fix_safety", "example"}
_EXAMPLE_KEYS = {"path", "bad", "expect", "good", "fixed"}
_FIX_VALUES = {"safe", "unsafe", "sometimes", "none"}


def _parse(path: Path, data: dict[str, Any]) -> RuleDoc:
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}")
    missing = _KEYS - set(data)
    if missing:
        raise ConfigError(f"{path}: missing key(s) {sorted(missing)}")
    if data["code"] != path.stem:
        raise ConfigError(f"{path}: code {data['code']!r} does not match the file name")
    if data["fix"] not in _FIX_VALUES:
        raise ConfigError(f"{path}: fix must be one of {sorted(_FIX_VALUES)}")
    examples = []
    for raw in data["example"]:
        bad_keys = set(raw) - _EXAMPLE_KEYS
        if bad_keys:
            raise ConfigError(f"{path}: example: unknown key(s) {sorted(bad_keys)}")
        expect = tuple(Expectation(e["line"], e["col"], e["message"]) for e in raw.get("expect", []))
        examples.append(
            Example(raw.get("path", "example.py"), raw["bad"], expect, raw["good"], raw.get("fixed"))
        )
    return RuleDoc(
        code=data["code"],
        name=data["name"],
        summary=data["summary"],
        severity=Severity(data["severity"]),
        fix=data["fix"],
        what_it_does=data["what_it_does"],
        why_bad=data["why_bad"],
        fix_safety=data["fix_safety"],
        examples=tuple(examples),
    )


class LazyDocs(Mapping[str, RuleDoc]):
    """Rule docs by code, each file read when its rule is first looked up: a check
    that finds nothing reads none of them (start-up time, see BENCHMARKS.md)."""

    def __init__(self) -> None:
        self._paths = {p.stem: p for p in sorted((rules_dir() / "docs").glob("SL*.toml"))}
        self._loaded: dict[str, RuleDoc] = {}

    def __getitem__(self, code: str) -> RuleDoc:
        if code not in self._loaded:
            path = self._paths[code]
            self._loaded[code] = _parse(path, toml.load(path))
        return self._loaded[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


@cache
def all_docs() -> dict[str, RuleDoc]:
    """Every rule's documentation by code, in code order."""
    docs = {}
    for path in sorted((rules_dir() / "docs").glob("SL*.toml")):
        doc = _parse(path, toml.load(path))
        docs[doc.code] = doc
    return docs
