"""Reading Python source and building its import-time model, or saying why not."""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from dataclasses import dataclass

from startlint.python.import_time import Tracked, extract
from startlint.python.model import Module


@dataclass(frozen=True)
class ParseFailure:
    line: int
    col: int  # 1-based
    message: str


def decode(data: bytes) -> str:
    """Decode per PEP 263 (BOM, coding cookie, UTF-8 default). Raises SyntaxError/UnicodeError."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def build_model(
    text: str, filename: str, all_functions: bool = False, tracked: Tracked | None = None
) -> Module | ParseFailure:
    """The module's import-time model: stdlib `ast` first, LibCST for newer syntax.

    `all_functions`, `tracked`: see `import_time.extract`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        failure = ParseFailure(exc.lineno or 1, (exc.offset or 1), exc.msg)
        return _newer_syntax(text, all_functions, tracked) or failure
    except ValueError as exc:  # NUL bytes
        return ParseFailure(1, 1, str(exc))
    return extract(tree, text, all_functions, tracked)


def _newer_syntax(text: str, all_functions: bool = False, tracked: Tracked | None = None) -> Module | None:
    """Syntax newer than the running Python (PEP 695, 701, 758, 810): LibCST parses it."""
    try:
        from startlint.python.import_time_cst import extract_cst
    except ImportError:  # pragma: no cover - libcst is a dependency
        return None
    return extract_cst(text, all_functions, tracked)
