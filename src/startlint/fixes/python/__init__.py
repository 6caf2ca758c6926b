"""Python fixes on LibCST: one planned fix applied to one module's text at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from startlint.catalog import Catalogs
from startlint.findings import Violation
from startlint.fixes import plan
from startlint.fixes.python.accessor import fix_accessor, rename_in_all, rewrite_importer
from startlint.fixes.python.cst import FixAborted, parse, streamlit_alias
from startlint.fixes.python.group import fix_group
from startlint.fixes.python.move_import import fix_heavy_import
from startlint.fixes.python.settings_field import fix_settings_field, rewrite_settings_importer
from startlint.python.source import ParseFailure, build_model
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
    catalogs: Catalogs,
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
        new = rename_in_all(new, name, getter)
        return FixedText(new.code, _rewrite_importers(path, {name: getter}, project, read))
    if kind == plan.ACCESSOR_GROUP:
        model = build_model(text, str(path))
        if isinstance(model, ParseFailure):
            raise FixAborted("the file does not parse")
        new, getters = fix_group(module, model, line, catalogs.does_io)
        for name, getter in getters.items():
            new = rename_in_all(new, name, getter)
        return FixedText(new.code, _rewrite_importers(path, getters, project, read))
    if kind == plan.STREAMLIT_CACHE:
        cache = plan.CACHE_DATA if f"st.{plan.CACHE_DATA}" in violation.fix.message else plan.CACHE_RESOURCE
        new, name, getter = fix_accessor(module, line, f"{streamlit_alias(module)}.{cache}")
        return FixedText(new.code, {})
    if kind == plan.SETTINGS_FIELD:
        new, instance, getters = fix_settings_field(module, line, project.settings.target_version)
        return FixedText(new.code, _rewrite_settings_readers(path, instance, getters, project, read))
    def is_heavy(name: str) -> bool:
        return catalogs.heavy_module(name) is not None

    return FixedText(fix_heavy_import(module, line, kind, is_heavy, text).code, {})


def _rewrite_importers(path: Path, getters: dict[str, str], project: Project, read: Callable[[Path], str]) -> dict[Path, str]:
    """Other first-party modules that import a renamed name, rewritten to call its getter;
    a module that re-exports it (`__all__`, or others import it from there) passes it on."""
    others: dict[Path, str] = {}
    pending = [(path.resolve(), name, getter) for name, getter in getters.items()]
    done: set[tuple[Path, str]] = set()
    while pending:
        source_path, name, getter = pending.pop(0)
        if (source_path, name) in done:
            continue
        done.add((source_path, name))
        source = module_name(source_path)
        sites = project.importers(source_path, frozenset({name})).get(name, [])
        # One rewrite per importing file, however many sites it has.
        for site_path in dict.fromkeys(site.path for site in sites if site.rewritable):
            other_text = others.get(site_path) or read(site_path)
            rewritten = rewrite_importer(parse(other_text), source, name, getter, owners(other_text, site_path, source))
            # It may re-export the name: in its `__all__`, or to modules importing it from there.
            others[site_path] = rename_in_all(rewritten, name, getter).code
            pending.append((site_path.resolve(), name, getter))
    return others


def _rewrite_settings_readers(
    path: Path, instance: str, getters: dict[str, str], project: Project, read: Callable[[Path], str]
) -> dict[Path, str]:
    """Other first-party modules that read the moved fields through the instance."""
    source = module_name(path.resolve())
    sites = project.importers(path.resolve(), frozenset({instance})).get(instance, [])
    if any(site.written for site in sites):
        raise FixAborted(f"another module assigns or deletes {source}.{instance}")
    others: dict[Path, str] = {}
    for site_path in dict.fromkeys(site.path for site in sites if site.rewritable):
        text = read(site_path)
        rewritten = rewrite_settings_importer(parse(text), instance, getters, owners(text, site_path, source)).code
        if rewritten != text:
            others[site_path] = rewritten
    return others
