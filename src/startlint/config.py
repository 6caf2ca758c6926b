"""Configuration: found once, validated strictly, frozen into `Settings`.

Sources, nearest to the checked path first: `.startlint.toml`, `startlint.toml`
(keys at the top level) and `pyproject.toml` (under `[tool.startlint]`; a
pyproject without that table is skipped). `--config PATH` overrides the search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from startlint import catalog
from startlint.config_files import find_config as find_config  # re-exported: where config lives
from startlint.config_files import startlint_table
from startlint.errors import ConfigError
from startlint.findings import Severity


DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pypackages__", "node_modules",
    "site-packages", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".startlint_cache", "build", "dist",
)


@dataclass(frozen=True)
class Settings:
    root: Path
    config_path: Path | None = None
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    fail_on: Severity = Severity.ERROR
    target_version: tuple[int, int] = (3, 10)
    entrypoints: tuple[str, ...] = ()
    fix: bool = False
    unsafe_fixes: bool = False
    lazy_style: str = "auto"
    report_off_path: bool = True
    cache_dir: str | None = None
    target: str | None = None  # the Dockerfile build stage that is deployed (docker build --target)
    require_digest: bool = False  # SL201: every base image needs an @sha256: digest
    hadolint: bool = False  # also run hadolint on the checked Dockerfiles
    catalog: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


# key -> (what is expected, converter)
_KEYS: dict[str, str] = {
    "select": "a list of rule codes or prefixes",
    "ignore": "a list of rule codes or prefixes",
    "extend-select": "a list of rule codes or prefixes",
    "per-file-ignores": "a table of glob = list of rule codes",
    "exclude": "a list of glob patterns",
    "extend-exclude": "a list of glob patterns",
    "respect-gitignore": "true or false",
    "fail-on": "one of 'error', 'warning', 'info'",
    "target-version": "a Python version such as '3.11' or 'py311'",
    "entrypoints": "a list of entrypoints such as 'app.main:app' or 'worker.py'",
    "catalog": "a table of catalog extensions",
    "fix": "true or false",
    "report-off-path": "true or false",
    "cache-dir": "a directory path (relative to the configuration file)",
    "unsafe-fixes": "true or false",
    "lazy-style": "one of 'auto', 'function-local', 'lazy-keyword', 'lazy-modules'",
    "target": "the name of the Dockerfile build stage that is deployed (as docker build --target)",
    "require-digest": "true or false",
    "hadolint": "true or false",
}


def load_settings(path: Path | None, known_codes: tuple[str, ...], cwd: Path) -> Settings:
    """Settings from a config file (or defaults, rooted at `cwd`, when there is none)."""
    if path is None:
        return Settings(root=cwd)
    return _from_table(startlint_table(path), path, known_codes)


def _from_table(table: Any, path: Path, known: tuple[str, ...]) -> Settings:
    text = _read(path)
    section = "[tool.startlint]" if path.name == "pyproject.toml" else "the file"

    def fail(key: str, why: str) -> ConfigError:
        line = _inner_line(text, why) or _line_of(text, key)
        where = f"{path}:{line}" if line else str(path)
        return ConfigError(f"{where}: '{key}' in {section}: {why}")

    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {section} must be a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise fail(key, f"unknown key (expected one of: {', '.join(sorted(_KEYS))})")
        try:
            values[key] = _convert(key, value, known)
        except ValueError as exc:
            raise fail(key, f"{exc}; expected {_KEYS[key]}") from None
    settings = Settings(root=path.parent, config_path=path)
    mapping = {
        "select": "select", "ignore": "ignore", "extend-select": "extend_select",
        "per-file-ignores": "per_file_ignores", "exclude": "exclude",
        "extend-exclude": "extend_exclude", "respect-gitignore": "respect_gitignore",
        "fail-on": "fail_on", "target-version": "target_version", "entrypoints": "entrypoints",
        "catalog": "catalog", "fix": "fix", "unsafe-fixes": "unsafe_fixes", "lazy-style": "lazy_style",
        "report-off-path": "report_off_path", "cache-dir": "cache_dir",
        "target": "target", "require-digest": "require_digest", "hadolint": "hadolint",
    }
    return replace(settings, **{mapping[k]: v for k, v in values.items()})


def _convert(key: str, value: Any, known: tuple[str, ...]) -> Any:
    if key in ("select", "ignore", "extend-select"):
        return parse_codes(_string_list(value), known)
    if key in ("exclude", "extend-exclude"):
        return tuple(check_glob(g) for g in _string_list(value))
    if key == "entrypoints":
        return tuple(_string_list(value))
    if key == "lazy-style":
        if value not in ("auto", "function-local", "lazy-keyword", "lazy-modules"):
            raise ValueError(f"got {value!r}")
        return value
    if key == "cache-dir":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"got {value!r}")
        return value
    if key == "target":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"got {value!r}")
        return value.strip()
    if key in ("respect-gitignore", "fix", "unsafe-fixes", "require-digest", "hadolint", "report-off-path"):
        if not isinstance(value, bool):
            raise ValueError(f"got {value!r}")
        return value
    if key == "fail-on":
        return parse_severity(value)
    if key == "target-version":
        return parse_version(value)
    if key == "per-file-ignores":
        if not isinstance(value, dict):
            raise ValueError(f"got {type(value).__name__}")
        return tuple(
            (check_glob(glob), parse_codes(_string_list(codes), known)) for glob, codes in value.items()
        )
    if key == "catalog":
        try:
            return catalog.validate_extension(value, "catalog")
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
    raise AssertionError(key)  # pragma: no cover


def _string_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"got {value!r}")
    return value


# hadolint's codes (DL3008) and the ShellCheck codes it reports (SC2086), or their prefixes:
# selectable like startlint's own when `--hadolint` merges them into the report.
_EXTERNAL_CODE = re.compile(r"(DL|SC)\d{0,4}")


def parse_codes(codes: list[str], known: tuple[str, ...]) -> tuple[str, ...]:
    """Rule codes or prefixes (`SL1`, `SL101`, `ALL`, hadolint's `DL3008`); unknown ones are an error."""
    out = []
    for raw in codes:
        code = raw.strip().upper()
        if code != "ALL" and not any(k.startswith(code) for k in known) and not _EXTERNAL_CODE.fullmatch(code):
            raise ValueError(f"unknown rule code or prefix {raw!r}")
        out.append(code)
    return tuple(out)


def parse_severity(value: Any) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise ValueError(f"got {value!r}") from None


def parse_version(value: Any) -> tuple[int, int]:
    match = re.fullmatch(r"(?:py)?3\.?(\d{1,2})", str(value))
    if not isinstance(value, str) or match is None:
        raise ValueError(f"got {value!r}")
    return (3, int(match.group(1)))


def check_glob(glob: str) -> str:
    """Reject patterns gitignore-style matching cannot compile (an unclosed `[`, say).

    pathspec (which matches them) rejects exactly a lone `!` and a trailing unescaped
    backslash; checking those here keeps its import (~30 ms) off the one-file path.
    """
    trailing = len(glob) - len(glob.rstrip("\\"))
    if glob == "!" or trailing % 2 == 1:
        raise ValueError(f"bad glob {glob!r} (invalid git pattern)")
    if glob.count("[") != glob.count("]"):
        raise ValueError(f"bad glob {glob!r} (unbalanced brackets)")
    return glob


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _line_of(text: str, key: str) -> int | None:
    """The line of `key = ...`, else of a table header naming it (`[tool.startlint.catalog]`)."""
    match = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", text, re.MULTILINE) or re.search(
        rf"^[ \t]*\[[^\]\n]*\b{re.escape(key)}\b[^\]\n]*\]", text, re.MULTILINE
    )
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1


def _inner_line(text: str, why: str) -> int | None:
    """The line of what a nested table's error names (`'catalog.heavy-modules'`, `'SL999'`)."""
    for quoted in re.findall(r"'([^'\n]+)'", why):
        inner = quoted.rsplit(".", 1)[-1]
        line = _line_of(text, inner)
        if line is None:  # a value, such as a rule code in a list
            at = text.find(f'"{inner}"')
            line = text.count("\n", 0, at) + 1 if at >= 0 else None
        if line is not None:
            return line
    return None
