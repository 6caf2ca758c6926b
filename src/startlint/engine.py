"""Run the checks: one file at a time to violations, then selection, severity and suppression.

Rules are pure; everything that depends on the user's settings (which codes
run, per-file ignores, suppression comments) is applied here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from startlint import suppression
from startlint.cache import ModelCache
from startlint.catalog import Catalogs
from startlint.config import Settings
from startlint.discovery import DOCKERFILE, PYTHON, SCRIPT, SourceFile
from startlint.findings import Finding, Severity, Span, Violation
from startlint.fixes.plan import FixOptions
from startlint.project import Project, all_names
from startlint.python.model import FunctionBody, Module
from startlint.python.source import ParseFailure, build_model, decode
from startlint.ruledocs import RuleDoc
from startlint.rules import python_checks
from startlint.rules.context import PythonContext

PARSE_ERROR = "SL001"
# Below this many Python files a process pool costs more than it saves (measured:
# see BENCHMARKS.md); pre-commit and editors never start one.
PARALLEL_MIN_FILES = 64
ALL_FUNCTIONS_KEY = b"\0all-functions"  # appended to a file's bytes: the cache key of its all-functions model
PARALLEL_MIN_BODIES = 16  # files whose every function is summarised (a re-parse each)


class InternalError(Exception):
    """A rule crashed: names the rule and the file."""


@dataclass(frozen=True)
class Selection:
    """Which codes are reported, from select / extend-select / ignore / per-file-ignores."""

    settings: Settings

    def enabled(self, code: str) -> bool:
        s = self.settings
        chosen = _matches(code, (*s.select, *s.extend_select))
        return chosen and not _matches(code, s.ignore)

    def enabled_for(self, code: str, rel_path: str) -> bool:
        if not self.enabled(code):
            return False
        for glob, codes in self.settings.per_file_ignores:
            if _glob_matches(rel_path, glob) and _matches(code, codes):
                return False
        return True


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(sel == "ALL" or code.startswith(sel) for sel in selectors)


def _glob_matches(rel_path: str, glob: str) -> bool:
    name = rel_path.rsplit("/", 1)[-1]
    return fnmatchcase(rel_path, glob) or fnmatchcase(name, glob) or (
        glob.endswith("/") and rel_path.startswith(glob)
    ) or fnmatchcase(rel_path, glob.rstrip("/") + "/*")


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class Checker:
    settings: Settings
    catalogs: Catalogs
    docs: Mapping[str, RuleDoc]
    cache: ModelCache | None = None
    jobs: int = 1  # worker processes for large runs (see check_files)
    project: Project = field(init=False)
    # Import-time models of the Python files seen in this run: the startup-path
    # analysis reads them instead of parsing a file twice.
    models: dict[Path, Module] = field(init=False)
    # Every function summary of the files other modules call into (see all_function_bodies).
    _all_bodies: dict[Path, tuple[FunctionBody, ...]] = field(init=False, repr=False)
    _variant: bytes = field(init=False, repr=False)  # what a model depends on beyond the file

    root: Path = field(init=False)  # settings.root, resolved once

    def __post_init__(self) -> None:
        object.__setattr__(self, "project", Project(self.settings))
        object.__setattr__(self, "models", {})
        object.__setattr__(self, "_all_bodies", {})
        object.__setattr__(self, "root", self.settings.root.resolve())
        # Models record deferred uses only of what heavy imports bind (the rules ask
        # about nothing else), so a cached model also depends on the heavy catalog.
        heavy = "\n".join(sorted(h.name for h in self.catalogs.heavy))
        object.__setattr__(self, "_variant", b"\0heavy:" + heavy.encode())

    def _tracked(self, module: str) -> bool:
        return self.catalogs.heavy_module(module) is not None

    def _key(self, data: bytes) -> str:
        """The cache key of a file's model."""
        assert self.cache is not None
        return self.cache.key(data + self._variant)

    def model_of(self, path: Path) -> Module | None:
        """The model of a first-party file (read and parsed if this run has not yet)."""
        if path not in self.models:
            path = path.resolve()
        if path not in self.models:
            try:
                data = path.read_bytes()
                model = self._model(decode(data), str(path), data)
            except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
                return None
            if isinstance(model, ParseFailure):
                return None
            self.models[path] = model
        return self.models[path]

    def known_function_bodies(self, path: Path) -> tuple[FunctionBody, ...] | None:
        """all_function_bodies(path) if this run has it or the cache holds it, else None."""
        path = path.resolve()
        if path not in self._all_bodies and self.cache is not None:
            try:
                found = self.cache.get(self._key(path.read_bytes() + ALL_FUNCTIONS_KEY))
            except OSError:
                found = None
            if isinstance(found, Module):
                self._all_bodies[path] = found.functions
        return self._all_bodies.get(path)

    def load_function_bodies(self, paths: Iterable[Path]) -> None:
        """Build all_function_bodies for many files, in worker processes when they are many."""
        todo = sorted({p.resolve() for p in paths} - set(self._all_bodies))
        if self.jobs > 1 and len(todo) >= PARALLEL_MIN_BODIES:
            from startlint.parallel import all_bodies_in_pool

            for path, bodies in all_bodies_in_pool(self, todo):
                self._all_bodies[path] = bodies
            return
        for path in todo:
            self.all_function_bodies(path)

    def all_function_bodies(self, path: Path) -> tuple[FunctionBody, ...]:
        """Every function summary of a first-party file (a model holds only those its
        own import-time calls reach); built when another module calls into it."""
        path = path.resolve()
        if path not in self._all_bodies:
            bodies: tuple[FunctionBody, ...] = ()
            try:
                data = path.read_bytes()
                model = self._model(decode(data), str(path), data, all_functions=True)
            except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
                model = None
            if isinstance(model, Module):
                bodies = model.functions
            self._all_bodies[path] = bodies
        return self._all_bodies[path]

    def _model(self, text: str, rel: str, data: bytes | None, all_functions: bool = False) -> Module | ParseFailure:
        """Build a model, or take it from the cache when the file's bytes are known."""
        if self.cache is None or data is None:
            return build_model(text, rel, all_functions, self._tracked)
        key = self._key(data + ALL_FUNCTIONS_KEY if all_functions else data)
        found = self.cache.get(key)
        if found is None:
            found = build_model(text, rel, all_functions, self._tracked)
            self.cache.put(key, found)
        return found

    def check_files(self, files: Iterable[SourceFile]) -> Iterator[Finding]:
        """Findings for many files, each once (an entry script two Dockerfiles run is
        checked with each of them)."""
        seen: set[tuple[str, int, int, str, str]] = set()
        for finding in self._check_files(files):
            key = (finding.path, finding.span.start_line, finding.span.start_col, finding.code, finding.message)
            if key not in seen:
                seen.add(key)
                yield finding

    def _check_files(self, files: Iterable[SourceFile]) -> Iterator[Finding]:
        """Findings for many files; large runs are spread over worker processes."""
        files = list(files)
        if self.jobs > 1 and sum(1 for f in files if f.kind == PYTHON) >= PARALLEL_MIN_FILES:
            # Files whose model is cached are checked here (decoding a model is cheaper
            # than shipping it back from a worker); the pool gets the rest, if enough.
            cached = {f.path: data for f in files if f.kind == PYTHON and (data := self._cached(f.path)) is not None}
            rest = [f for f in files if f.path not in cached]
            for source in files:
                if source.path in cached:
                    yield from self.check_file(source, data=cached[source.path])
            if sum(1 for f in rest if f.kind == PYTHON) >= PARALLEL_MIN_FILES:
                from startlint.parallel import check_in_pool

                for findings, models in check_in_pool(self, rest):
                    self.models.update(models)
                    yield from findings
                return
            files = rest
        for source in files:
            yield from self.check_file(source)

    def _cached(self, path: Path) -> bytes | None:
        """The file's bytes if the cache holds its model, else None."""
        if self.cache is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return data if self.cache.contains(self._key(data)) else None

    def check_file(
        self,
        source: SourceFile,
        text: str | None = None,
        display_path: str | None = None,
        data: bytes | None = None,
    ) -> list[Finding]:
        """Findings for one file; `text` overrides reading it (editor mode), `data` is
        its bytes when already read."""
        rel = display_path or relative(source.path, self.root)
        if text is None:
            try:
                data = source.path.read_bytes() if data is None else data
            except OSError as exc:
                return self._finalise(rel, "", [_unreadable(f"cannot read file: {exc.strerror or exc}")])
            if b"\0" in data:
                return self._finalise(rel, "", [_unreadable("cannot read file: it is binary (contains NUL bytes)")])
            try:
                text = decode(data)
            except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
                return self._finalise(rel, "", [_unreadable(f"cannot decode file: {exc}", _where(exc, data))])
        else:
            data = None  # editor mode: no cache entry for unsaved text
        if source.kind == PYTHON:
            return self._finalise(rel, text, self._python(text, rel, source.path, data))
        if source.kind == DOCKERFILE:
            return self._dockerfile(source.path, text, rel)
        if source.kind == SCRIPT:
            return self._entry_script(source.path, rel)
        return []

    def _entry_script(self, path: Path, rel: str) -> list[Finding]:
        """A shell script named on its own: checked as the entry script of the Dockerfile
        that runs it (nothing when none does)."""
        from startlint.docker.check import check_entry_script

        out: list[Finding] = []
        for checked in check_entry_script(path, self.settings):
            selected = [v for v in checked.violations if self._enabled(v.code, rel)]
            out += self._finalise(rel, checked.text, selected, comment_above=True)
        return out

    def _dockerfile(self, path: Path, text: str, rel: str) -> list[Finding]:
        """A Dockerfile and the entry scripts it runs (each reported in its own file)."""
        from startlint.docker.check import check_dockerfile

        out: list[Finding] = []
        root = self.root
        for checked in check_dockerfile(path, text, self.settings):
            checked_rel = rel if checked.path == path else relative(checked.path, root)
            selected = [v for v in checked.violations if self._enabled(v.code, checked_rel)]
            # Comments on the line above an instruction or command suppress it.
            out += self._finalise(checked_rel, checked.text, selected, comment_above=True)
        return out

    def fix_options(self, path: Path, text: str = "") -> FixOptions:
        def imported_elsewhere(name: str) -> bool:
            return bool(self.project.importers(path, frozenset({name})).get(name))

        def assigned_elsewhere(name: str) -> bool:
            return any(site.written for site in self.project.importers(path, frozenset({name})).get(name, []))

        exports: list[frozenset[str]] = []  # read only if a fix asks

        def exported(name: str) -> bool:
            if not exports:
                exports.append(all_names(text))
            return name in exports[0]

        s = self.settings
        return FixOptions(
            s.target_version,
            s.lazy_style,
            imported_elsewhere,
            assigned_elsewhere,
            exported,
            frozenset(self.catalogs.annotation_readers),
            self.catalogs.does_io,
        )

    def _python(self, text: str, rel: str, path: Path, data: bytes | None = None) -> list[Violation]:
        model = self._model(text, rel, data)
        if isinstance(model, ParseFailure):
            span = Span(model.line, model.col, model.line, model.col + 1)
            return [Violation(PARSE_ERROR, span, f"could not parse: {model.message}")]
        self.models[path if path.is_absolute() else path.resolve()] = model
        ctx = PythonContext(self.catalogs, self.fix_options(path, text))
        selection = Selection(self.settings)
        out: list[Violation] = []
        for code, check in python_checks().items():
            if not selection.enabled_for(code, rel):
                continue
            try:
                out.extend(check(model, ctx))
            except Exception as exc:  # a crashing rule must not lose the other findings
                raise InternalError(f"rule {code} crashed on {rel}: {exc!r}") from exc
        return out

    def _enabled(self, code: str, rel: str) -> bool:
        return Selection(self.settings).enabled_for(code, rel)

    def python_violations(self, text: str, rel: str, path: Path) -> list[Violation]:
        """The violations a Python text would be reported with (selected, not suppressed)."""
        return self._kept(rel, text, self._python(text, rel, path))

    def _kept(
        self, rel: str, text: str, violations: list[Violation], comment_above: bool = False
    ) -> list[Violation]:
        if not violations:
            return []  # most files: no suppression comment to read
        selection = Selection(self.settings)
        marks = suppression.parse(text)
        above = suppression.parse(text, shift=1) if comment_above else None
        return [
            v
            for v in violations
            if selection.enabled_for(v.code, rel)
            and not (
                v.code != PARSE_ERROR
                and (
                    marks.suppresses(v.code, v.span.start_line, v.span.end_line)
                    or (above is not None and above.suppresses(v.code, v.span.start_line, v.span.start_line))
                )
            )
        ]

    def finalise(
        self, rel: str, text: str, violations: list[Violation], comment_above: bool = False
    ) -> list[Finding]:
        """Findings for a file's violations: selected, not suppressed, with name and severity."""
        return self._finalise(rel, text, violations, comment_above)

    def _finalise(
        self, rel: str, text: str, violations: list[Violation], comment_above: bool = False
    ) -> list[Finding]:
        out = []
        for v in self._kept(rel, text, violations, comment_above):
            doc = self.docs[v.code]
            out.append(
                Finding(
                    code=v.code,
                    name=doc.name,
                    severity=v.severity or doc.severity,
                    path=rel,
                    span=v.span,
                    message=v.message,
                    fix=v.fix,
                    related=v.related,
                )
            )
        return out


def _unreadable(message: str, at: tuple[int, int] = (1, 1)) -> Violation:
    return Violation(PARSE_ERROR, Span(at[0], at[1], at[0], at[1]), message, Severity.ERROR)


def _where(exc: Exception, data: bytes) -> tuple[int, int]:
    """The line and (byte) column a decoding error points at: the first undecodable byte,
    or the line of a bad coding cookie."""
    if isinstance(exc, UnicodeDecodeError):
        start = exc.start
        return data.count(b"\n", 0, start) + 1, start - (data.rfind(b"\n", 0, start) + 1) + 1
    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno, 1
    return 1, 1
