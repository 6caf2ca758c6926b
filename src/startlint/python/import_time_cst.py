"""The import-time model of source newer than the running Python, parsed with LibCST.

`source.build_model` parses with stdlib `ast` first; only when that raises
SyntaxError does it come here. What runs at import time stays defined once, in
`import_time.py`: this module converts the LibCST tree into the `ast` tree the
newest CPython would build for the same source (node shapes, field order, load /
store / del contexts, line numbers and UTF-8 byte columns) and runs the same
`extract` over it. PEP 810's `lazy import x` / `lazy from x import y` become
`Import` / `ImportFrom` nodes with 3.15's `is_lazy` set, which the extractor
files in `Module.lazy_imports`.

Syntax the running `ast` has no node for is represented by stand-in classes
named and shaped like the newer CPython's nodes (`TypeAlias` and the type
parameters of 3.12, `TryStar` of 3.11, `TemplateStr` / `Interpolation` of
3.14), and `FunctionDef` / `ClassDef` gain the 3.12 `type_params` field, so
that `ast.walk` in the extractor sees what it would see on that CPython.

Positions. LibCST's `PositionProvider` counts columns in characters and splits
lines on `\\r\\n`, `\\r` and `\\n`, like the tokenizer; the converter turns them
into UTF-8 byte offsets so that `PositionMap` converts them back exactly as it
does for `ast`. Where LibCST's range for a node differs from `ast`'s, `ast`'s
wins: a parenthesised tuple or tuple pattern includes its own parentheses, a
value pattern excludes the parentheses around its value. Calls (from the callee,
its parentheses included, to the closing `)`), decorators (no `@`) and
statements (a decorated definition starts at `def` / `class`, a statement ends
before its `;` and comment) already agree. LibCST computes positions over its
own rendering of the tree, which loses a form feed in a statement's indentation
and the spaces after an f-string conversion (`f"{x!r  }"`); columns after those
are mapped back to the source. Identifiers are NFKC-normalised as `ast` does.

Remaining differences (checked over the whole standard library, and against the
`ast` of Python 3.12 and 3.13 on their standard libraries' newer syntax: see
tests/test_extractor_differential.py):
- LibCST 1.9 cannot parse a parenthesised annotated name (`(x): int = 1`),
  valid since Python 3.6; for such a file this returns None (the caller then
  reports its syntax error), where `ast` would build a model.
- LibCST's position pass recurses once per nesting level; source nested deeper
  than the recursion limit allows (pydoc_data/topics.py: one implicit string
  concatenation of thousands of parts) returns None, where `ast` copes.
- LibCST accepts some code CPython rejects (`lazy import` inside a function,
  `try` or `with`, `lazy from x import *`); it gets a model here instead of a
  syntax error: in a function it is deferred code like any import there, in a
  class body or under `try` / `with` it goes to `lazy_imports` with its
  context, and a lazy star import is also listed in `star_imports`.
- Constant text inside f-strings keeps its escapes undecoded and t-string
  interpolations carry no source text: no rule reads them.
"""

from __future__ import annotations

import ast
import re
import sys
import unicodedata
import warnings
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from startlint.python import model as m
from startlint.python.import_time import Tracked, extract

# The newest grammar LibCST 1.9 knows (PEP 695, 696, 701, 750, 758, 798, 810).
PYTHON_VERSION = "3.15"

_NEWLINE = re.compile(r"\r\n?|\n")
_LOAD = ast.Load()
_STORE = ast.Store()
_DEL = ast.Del()
_KEYWORD_CONSTANTS: dict[str, bool | None] = {"None": None, "True": True, "False": False}

_N = TypeVar("_N", bound=ast.AST)
_Stmts = Sequence[cst.BaseStatement | cst.BaseSmallStatement]


# -- nodes the running `ast` may lack: same names and fields as the newer CPython's --
class _TypeVar(ast.AST):
    _fields = ("name", "bound", "default_value")


class _ParamSpec(ast.AST):
    _fields = ("name", "default_value")


class _TypeVarTuple(ast.AST):
    _fields = ("name", "default_value")


class _TypeAlias(ast.stmt):
    _fields = ("name", "type_params", "value")


class _TryStar(ast.stmt):
    _fields = ("body", "handlers", "orelse", "finalbody")


class _TemplateStr(ast.expr):
    _fields = ("values",)


class _Interpolation(ast.expr):
    _fields = ("value", "str", "conversion", "format_spec")


class _FunctionDef(ast.FunctionDef):
    _fields = (*ast.FunctionDef._fields, "type_params")


class _AsyncFunctionDef(ast.AsyncFunctionDef):
    _fields = (*ast.AsyncFunctionDef._fields, "type_params")


class _ClassDef(ast.ClassDef):
    _fields = (*ast.ClassDef._fields, "type_params")


for _cls in (
    _TypeVar, _ParamSpec, _TypeVarTuple, _TypeAlias, _TryStar, _TemplateStr, _Interpolation,
    _FunctionDef, _AsyncFunctionDef, _ClassDef,
):
    _cls.__name__ = _cls.__qualname__ = _cls.__name__[1:]

_TRY_STAR: type[ast.stmt] = getattr(ast, "TryStar", _TryStar)
_TYPE_ALIAS: type[ast.stmt] = getattr(ast, "TypeAlias", _TypeAlias)
_HAS_TYPE_PARAMS = sys.version_info >= (3, 12)

_UNARY: dict[type[cst.BaseUnaryOp], type[ast.unaryop]] = {
    cst.Not: ast.Not,
    cst.Minus: ast.USub,
    cst.Plus: ast.UAdd,
    cst.BitInvert: ast.Invert,
}
_BINARY: dict[type[cst.CSTNode], type[ast.operator]] = {
    cst.Add: ast.Add,
    cst.Subtract: ast.Sub,
    cst.Multiply: ast.Mult,
    cst.Divide: ast.Div,
    cst.FloorDivide: ast.FloorDiv,
    cst.Modulo: ast.Mod,
    cst.Power: ast.Pow,
    cst.LeftShift: ast.LShift,
    cst.RightShift: ast.RShift,
    cst.BitOr: ast.BitOr,
    cst.BitAnd: ast.BitAnd,
    cst.BitXor: ast.BitXor,
    cst.MatrixMultiply: ast.MatMult,
    cst.AddAssign: ast.Add,
    cst.SubtractAssign: ast.Sub,
    cst.MultiplyAssign: ast.Mult,
    cst.DivideAssign: ast.Div,
    cst.FloorDivideAssign: ast.FloorDiv,
    cst.ModuloAssign: ast.Mod,
    cst.PowerAssign: ast.Pow,
    cst.LeftShiftAssign: ast.LShift,
    cst.RightShiftAssign: ast.RShift,
    cst.BitOrAssign: ast.BitOr,
    cst.BitAndAssign: ast.BitAnd,
    cst.BitXorAssign: ast.BitXor,
    cst.MatrixMultiplyAssign: ast.MatMult,
}
_COMPARE: dict[type[cst.BaseCompOp], type[ast.cmpop]] = {
    cst.Equal: ast.Eq,
    cst.NotEqual: ast.NotEq,
    cst.LessThan: ast.Lt,
    cst.LessThanEqual: ast.LtE,
    cst.GreaterThan: ast.Gt,
    cst.GreaterThanEqual: ast.GtE,
    cst.Is: ast.Is,
    cst.IsNot: ast.IsNot,
    cst.In: ast.In,
    cst.NotIn: ast.NotIn,
}


def extract_cst(text: str, all_functions: bool = False, tracked: Tracked | None = None) -> m.Module | None:
    """The import-time model of `text`, or None when LibCST cannot parse it either.

    `all_functions`, `tracked`: see `import_time.extract`."""
    try:
        module = cst.parse_module(text, cst.PartialParserConfig(python_version=PYTHON_VERSION))
        converter = _Converter(text, module)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in string literals
            tree = converter.module(module)
    except cst.ParserSyntaxError:
        return None
    except RecursionError:  # LibCST's position pass recurses once per nesting level
        return None
    return extract(tree, text, all_functions, tracked)


class _Converter:
    """LibCST -> the `ast` tree CPython would build, positions included."""

    def __init__(self, text: str, module: cst.Module) -> None:
        self.ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        self.lines = None if text.isascii() else _NEWLINE.split(text)
        self.dropped = _dropped_chars(text, module)

    # -- positions ---------------------------------------------------------
    def _char_col(self, line: int, col: int) -> int:
        """The column in `text` of a column LibCST computed over its own rendering."""
        fix = self.dropped.get(line)
        return col if fix is None or col >= len(fix) else fix[col]

    def _byte_col(self, line: int, col: int) -> int:
        if self.dropped:
            col = self._char_col(line, col)
        if self.lines is None or col == 0 or line > len(self.lines):
            return col
        text = self.lines[line - 1]
        if text.isascii():
            return col
        return len(text[:col].encode("utf-8", "surrogatepass"))

    def _place(self, node: _N, start: cst.CSTNode, end: cst.CSTNode | None = None) -> _N:
        first = self.ranges[start].start
        last = self.ranges[end if end is not None else start].end
        setattr(node, "lineno", first.line)
        setattr(node, "col_offset", self._byte_col(first.line, first.column))
        setattr(node, "end_lineno", last.line)
        setattr(node, "end_col_offset", self._byte_col(last.line, last.column))
        return node

    def _place_parenthesized(
        self, node: _N, c: cst.Tuple | cst.MatchTuple
    ) -> _N:
        """`ast` puts a tuple's own (innermost) parentheses in its range; LibCST does not."""
        if c.lpar and c.rpar:
            return self._place(node, c.lpar[-1], c.rpar[0])
        return self._place(node, c)

    # -- statements --------------------------------------------------------
    def module(self, module: cst.Module) -> ast.Module:
        return ast.Module(body=self._stmts(module.body), type_ignores=[])

    def _suite(self, suite: cst.BaseSuite) -> list[ast.stmt]:
        body: _Stmts = suite.body
        return self._stmts(body)

    def _stmts(self, body: _Stmts) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in body:
            if isinstance(s, cst.SimpleStatementLine):
                out.extend(self._small(small) for small in s.body)
            elif isinstance(s, cst.BaseSmallStatement):
                out.append(self._small(s))
            elif isinstance(s, cst.BaseCompoundStatement):
                out.append(self._compound(s))
        return out

    def _small(self, s: cst.BaseSmallStatement) -> ast.stmt:
        node: ast.stmt
        if isinstance(s, cst.Expr):
            node = ast.Expr(value=self.expr(s.value))
        elif isinstance(s, cst.Assign):
            node = ast.Assign(
                targets=[self.expr(t.target, _STORE) for t in s.targets],
                value=self.expr(s.value),
                type_comment=None,
            )
        elif isinstance(s, cst.AnnAssign):
            node = _make(
                ast.AnnAssign,
                target=self.expr(s.target, _STORE),
                annotation=self.expr(s.annotation.annotation),
                value=self._opt(s.value),
                simple=int(isinstance(s.target, cst.Name) and not s.target.lpar),
            )
        elif isinstance(s, cst.AugAssign):
            node = _make(
                ast.AugAssign,
                target=self.expr(s.target, _STORE),
                op=_BINARY[type(s.operator)](),
                value=self.expr(s.value),
            )
        elif isinstance(s, (cst.Import, cst.LazyImport)):
            node = ast.Import(names=[self._alias(a) for a in s.names])
        elif isinstance(s, (cst.ImportFrom, cst.LazyImportFrom)):
            node = self._import_from(s)
        elif isinstance(s, cst.Return):
            node = ast.Return(value=self._opt(s.value))
        elif isinstance(s, cst.Raise):
            node = ast.Raise(
                exc=self._opt(s.exc), cause=self.expr(s.cause.item) if s.cause else None
            )
        elif isinstance(s, cst.Assert):
            node = ast.Assert(test=self.expr(s.test), msg=self._opt(s.msg))
        elif isinstance(s, cst.Del):
            target = s.target
            targets = (
                [e.value for e in target.elements]
                if isinstance(target, cst.Tuple) and not target.lpar
                else [target]
            )
            node = ast.Delete(targets=[self.expr(t, _DEL) for t in targets])
        elif isinstance(s, cst.Global):
            node = ast.Global(names=[_ident(n.name) for n in s.names])
        elif isinstance(s, cst.Nonlocal):
            node = ast.Nonlocal(names=[_ident(n.name) for n in s.names])
        elif isinstance(s, cst.TypeAlias):
            node = self._type_alias(s)
        elif isinstance(s, cst.Break):
            node = ast.Break()
        elif isinstance(s, cst.Continue):
            node = ast.Continue()
        else:  # Pass, and any small statement a newer LibCST adds
            node = ast.Pass()
        self._place(node, s)
        if isinstance(s, (cst.LazyImport, cst.LazyImportFrom)):
            setattr(node, "is_lazy", 1)  # the 3.15 field: the extractor files it in lazy_imports
        return node

    def _alias(self, a: cst.ImportAlias) -> ast.alias:
        asname = a.asname.name if a.asname else None
        node = ast.alias(
            name=_dotted(a.name), asname=_ident(asname) if isinstance(asname, cst.Name) else None
        )
        return self._place(node, a)

    def _import_from(self, s: cst.ImportFrom | cst.LazyImportFrom) -> ast.ImportFrom:
        if isinstance(s.names, cst.ImportStar):
            names = [self._place(ast.alias(name="*", asname=None), s.names)]
        else:
            names = [self._alias(a) for a in s.names]
        module = _dotted(s.module) if s.module is not None else None
        return ast.ImportFrom(module=module, names=names, level=len(s.relative))

    def _type_alias(self, s: cst.TypeAlias) -> ast.stmt:
        name = self._place(ast.Name(id=_ident(s.name), ctx=_STORE), s.name)
        params = self._type_params(s.type_parameters)
        value = self.expr(s.value)
        return _make(_TYPE_ALIAS, name=name, type_params=params, value=value)

    def _type_params(self, tp: cst.TypeParameters | None) -> list[ast.AST]:
        if tp is None:
            return []
        out: list[ast.AST] = []
        for p in tp.params:
            param = p.param
            default = None
            if p.default is not None:
                default = self.expr(p.default)
                if p.star:
                    default = self._place(ast.Starred(value=default, ctx=_LOAD), p.default)
            node: ast.AST
            if isinstance(param, cst.TypeVar):
                bound = self._opt(param.bound)
                node = _make(_TypeVar, name=_ident(param.name), bound=bound, default_value=default)
            elif isinstance(param, cst.TypeVarTuple):
                node = _make(_TypeVarTuple, name=_ident(param.name), default_value=default)
            else:
                node = _make(_ParamSpec, name=_ident(param.name), default_value=default)
            out.append(self._place(node, p))
        return out

    def _compound(self, s: cst.BaseCompoundStatement) -> ast.stmt:
        node: ast.stmt
        if isinstance(s, cst.FunctionDef):
            node = self._function(s)
        elif isinstance(s, cst.ClassDef):
            node = self._class(s)
        elif isinstance(s, cst.If):
            node = self._if(s)
        elif isinstance(s, cst.For):
            cls_for: type[ast.For | ast.AsyncFor] = ast.AsyncFor if s.asynchronous else ast.For
            node = cls_for(
                target=self.expr(s.target, _STORE),
                iter=self.expr(s.iter),
                body=self._suite(s.body),
                orelse=self._else(s.orelse),
                type_comment=None,
            )
        elif isinstance(s, cst.While):
            node = ast.While(
                test=self.expr(s.test), body=self._suite(s.body), orelse=self._else(s.orelse)
            )
        elif isinstance(s, cst.With):
            cls_with: type[ast.With | ast.AsyncWith] = (
                ast.AsyncWith if s.asynchronous else ast.With
            )
            node = cls_with(
                items=[self._with_item(i) for i in s.items],
                body=self._suite(s.body),
                type_comment=None,
            )
        elif isinstance(s, (cst.Try, cst.TryStar)):
            node = _make(
                ast.Try if isinstance(s, cst.Try) else _TRY_STAR,
                body=self._suite(s.body),
                handlers=[self._handler(h) for h in s.handlers],
                orelse=self._else(s.orelse),
                finalbody=self._suite(s.finalbody.body) if s.finalbody else [],
            )
        elif isinstance(s, cst.Match):
            node = ast.Match(
                subject=self.expr(s.subject), cases=[self._case(c) for c in s.cases]
            )
        else:  # a compound statement a newer LibCST adds: nothing to model
            node = ast.Pass()
        return self._place(node, s)

    def _else(self, orelse: cst.Else | None) -> list[ast.stmt]:
        return self._suite(orelse.body) if orelse is not None else []

    def _if(self, s: cst.If) -> ast.If:
        orelse: list[ast.stmt]
        if isinstance(s.orelse, cst.If):
            orelse = [self._place(self._if(s.orelse), s.orelse)]
        else:
            orelse = self._else(s.orelse)
        return ast.If(test=self.expr(s.test), body=self._suite(s.body), orelse=orelse)

    def _function(self, s: cst.FunctionDef) -> ast.stmt:
        fields = {
            "name": _ident(s.name),
            "args": self._arguments(s.params),
            "body": self._suite(s.body),
            "decorator_list": [self.expr(d.decorator) for d in s.decorators],
            "returns": self.expr(s.returns.annotation) if s.returns else None,
            "type_comment": None,
        }
        params = self._type_params(s.type_parameters)
        if _HAS_TYPE_PARAMS:
            cls: type[ast.stmt] = ast.AsyncFunctionDef if s.asynchronous else ast.FunctionDef
        elif params:
            cls = _AsyncFunctionDef if s.asynchronous else _FunctionDef
        else:
            cls = ast.AsyncFunctionDef if s.asynchronous else ast.FunctionDef
        if params or _HAS_TYPE_PARAMS:
            fields["type_params"] = params
        return _make(cls, **fields)

    def _class(self, s: cst.ClassDef) -> ast.stmt:
        bases, keywords = self._call_args((*s.bases, *s.keywords))
        fields = {
            "name": _ident(s.name),
            "bases": bases,
            "keywords": keywords,
            "body": self._suite(s.body),
            "decorator_list": [self.expr(d.decorator) for d in s.decorators],
        }
        params = self._type_params(s.type_parameters)
        cls: type[ast.stmt] = _ClassDef if params and not _HAS_TYPE_PARAMS else ast.ClassDef
        if params or _HAS_TYPE_PARAMS:
            fields["type_params"] = params
        return _make(cls, **fields)

    def _with_item(self, item: cst.WithItem) -> ast.withitem:
        target = self.expr(item.asname.name, _STORE) if item.asname else None
        return ast.withitem(context_expr=self.expr(item.item), optional_vars=target)

    def _handler(self, h: cst.ExceptHandler | cst.ExceptStarHandler) -> ast.ExceptHandler:
        name = h.name.name if h.name else None
        node = ast.ExceptHandler(
            type=self._opt(h.type),
            name=_ident(name) if isinstance(name, cst.Name) else None,
            body=self._suite(h.body),
        )
        return self._place(node, h)

    def _case(self, c: cst.MatchCase) -> ast.match_case:
        return ast.match_case(
            pattern=self._pattern(c.pattern), guard=self._opt(c.guard), body=self._suite(c.body)
        )

    # -- patterns ----------------------------------------------------------
    def _pattern(self, p: cst.MatchPattern) -> ast.pattern:
        node: ast.pattern
        if isinstance(p, cst.MatchValue):
            return self._place(ast.MatchValue(value=self.expr(p.value)), p.value)
        if isinstance(p, cst.MatchSingleton):
            value = _KEYWORD_CONSTANTS.get(p.value.value)
            return self._place(ast.MatchSingleton(value=value), p.value)
        if isinstance(p, cst.MatchSequence):
            patterns = [self._sequence_element(e) for e in p.patterns]
            if isinstance(p, cst.MatchTuple):
                return self._place_parenthesized(ast.MatchSequence(patterns=patterns), p)
            node = ast.MatchSequence(patterns=patterns)
        elif isinstance(p, cst.MatchMapping):
            node = ast.MatchMapping(
                keys=[self.expr(e.key) for e in p.elements],
                patterns=[self._pattern(e.pattern) for e in p.elements],
                rest=_ident(p.rest) if p.rest else None,
            )
        elif isinstance(p, cst.MatchClass):
            node = ast.MatchClass(
                cls=self.expr(p.cls),
                patterns=[self._pattern(e.value) for e in p.patterns],
                kwd_attrs=[_ident(k.key) for k in p.kwds],
                kwd_patterns=[self._pattern(k.pattern) for k in p.kwds],
            )
        elif isinstance(p, cst.MatchAs):
            node = ast.MatchAs(
                pattern=self._pattern(p.pattern) if p.pattern else None,
                name=_ident(p.name) if p.name else None,
            )
        elif isinstance(p, cst.MatchOr):
            node = ast.MatchOr(patterns=[self._pattern(e.pattern) for e in p.patterns])
        else:  # a pattern a newer LibCST adds
            node = ast.MatchAs(pattern=None, name=None)
        return self._place(node, p)

    def _sequence_element(self, e: cst.MatchSequenceElement | cst.MatchStar) -> ast.pattern:
        if isinstance(e, cst.MatchStar):
            star = ast.MatchStar(name=_ident(e.name) if e.name else None)
            return self._place(star, e)
        return self._pattern(e.value)

    # -- expressions -------------------------------------------------------
    def _opt(self, e: cst.BaseExpression | None) -> ast.expr | None:
        return self.expr(e) if e is not None else None

    def expr(self, e: cst.BaseExpression, ctx: ast.expr_context = _LOAD) -> ast.expr:
        node = self._expr(e, ctx)
        if isinstance(e, cst.Tuple):
            return self._place_parenthesized(node, e)
        return self._place(node, e)

    def _expr(self, e: cst.BaseExpression, ctx: ast.expr_context) -> ast.expr:
        if isinstance(e, cst.Name):
            if e.value in _KEYWORD_CONSTANTS:
                return ast.Constant(value=_KEYWORD_CONSTANTS[e.value], kind=None)
            return ast.Name(id=_ident(e), ctx=ctx)
        if isinstance(e, cst.Attribute):
            return ast.Attribute(value=self.expr(e.value), attr=_ident(e.attr), ctx=ctx)
        if isinstance(e, cst.Call):
            args, keywords = self._call_args(e.args)
            return ast.Call(func=self.expr(e.func), args=args, keywords=keywords)
        if isinstance(e, cst.SimpleString):
            return ast.Constant(value=_string_value(e.value), kind=None)
        if isinstance(e, (cst.Integer, cst.Float, cst.Imaginary)):
            return ast.Constant(value=_number_value(e.value), kind=None)
        if isinstance(e, cst.Subscript):
            return ast.Subscript(value=self.expr(e.value), slice=self._slice(e), ctx=ctx)
        if isinstance(e, (cst.Tuple, cst.List, cst.Set)):
            elts = [self._element(el, ctx) for el in e.elements]
            if isinstance(e, cst.Tuple):
                return ast.Tuple(elts=elts, ctx=ctx)
            if isinstance(e, cst.List):
                return ast.List(elts=elts, ctx=ctx)
            return ast.Set(elts=elts)
        if isinstance(e, cst.BinaryOperation):
            return ast.BinOp(
                left=self.expr(e.left), op=_BINARY[type(e.operator)](), right=self.expr(e.right)
            )
        if isinstance(e, cst.BooleanOperation):
            return self._bool_op(e)
        if isinstance(e, cst.UnaryOperation):
            return ast.UnaryOp(op=_UNARY[type(e.operator)](), operand=self.expr(e.expression))
        if isinstance(e, cst.Comparison):
            return ast.Compare(
                left=self.expr(e.left),
                ops=[_COMPARE[type(t.operator)]() for t in e.comparisons],
                comparators=[self.expr(t.comparator) for t in e.comparisons],
            )
        if isinstance(e, cst.Dict):
            keys: list[ast.expr | None] = []
            values: list[ast.expr] = []
            for el in e.elements:
                if isinstance(el, cst.DictElement):
                    keys.append(self.expr(el.key))
                else:
                    keys.append(None)
                values.append(self.expr(el.value))
            return ast.Dict(keys=keys, values=values)
        if isinstance(e, (cst.ConcatenatedString, cst.FormattedString, cst.TemplatedString)):
            return self._string(e)
        if isinstance(e, cst.Lambda):
            return ast.Lambda(args=self._arguments(e.params), body=self.expr(e.body))
        if isinstance(e, cst.IfExp):
            return ast.IfExp(
                test=self.expr(e.test), body=self.expr(e.body), orelse=self.expr(e.orelse)
            )
        if isinstance(e, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            elt = self._element_value(e.elt)
            gens = self._generators(e.for_in)
            if isinstance(e, cst.ListComp):
                return ast.ListComp(elt=elt, generators=gens)
            if isinstance(e, cst.SetComp):
                return ast.SetComp(elt=elt, generators=gens)
            return ast.GeneratorExp(elt=elt, generators=gens)
        if isinstance(e, cst.DictComp):
            return ast.DictComp(
                key=self.expr(e.key), value=self.expr(e.value), generators=self._generators(e.for_in)
            )
        if isinstance(e, cst.StarredDictComp):  # PEP 798 `{**d for d in ds}`: 3.15 `value` is None
            return ast.DictComp(
                key=self.expr(e.value), value=None, generators=self._generators(e.for_in)  # type: ignore[arg-type,unused-ignore]
            )
        if isinstance(e, cst.Await):
            return ast.Await(value=self.expr(e.expression))
        if isinstance(e, cst.Yield):
            if isinstance(e.value, cst.From):
                return ast.YieldFrom(value=self.expr(e.value.item))
            return ast.Yield(value=self._opt(e.value))
        if isinstance(e, cst.NamedExpr):
            return _make(ast.NamedExpr, target=self.expr(e.target, _STORE), value=self.expr(e.value))
        if isinstance(e, cst.StarredElement):
            return ast.Starred(value=self.expr(e.value, ctx), ctx=ctx)
        if isinstance(e, cst.Ellipsis):
            return ast.Constant(value=..., kind=None)
        raise NotImplementedError(f"LibCST expression {type(e).__name__}")

    def _element(self, el: cst.BaseElement, ctx: ast.expr_context) -> ast.expr:
        if isinstance(el, cst.StarredElement):
            return self.expr(el, ctx)
        return self.expr(el.value, ctx)

    def _element_value(self, e: cst.BaseExpression) -> ast.expr:
        return self.expr(e)

    def _bool_op(self, e: cst.BooleanOperation) -> ast.BoolOp:
        """`a and b and c` is one BoolOp in `ast` (a parenthesised operand is not merged)."""
        op_type = type(e.operator)
        values: list[ast.expr] = []
        pending: list[cst.BaseExpression] = [e]
        while pending:
            node = pending.pop()
            if isinstance(node, cst.BooleanOperation) and type(node.operator) is op_type and (
                node is e or not node.lpar
            ):
                pending.extend((node.right, node.left))
            else:
                values.append(self.expr(node))
        op: ast.boolop = ast.And() if op_type is cst.And else ast.Or()
        return ast.BoolOp(op=op, values=values)

    def _call_args(self, args: Sequence[cst.Arg]) -> tuple[list[ast.expr], list[ast.keyword]]:
        positional: list[ast.expr] = []
        keywords: list[ast.keyword] = []
        for a in args:
            if a.keyword is not None or a.star == "**":
                kw = ast.keyword(arg=_ident(a.keyword) if a.keyword else None, value=self.expr(a.value))
                keywords.append(self._place(kw, a))
            elif a.star == "*":
                positional.append(self._place(ast.Starred(value=self.expr(a.value), ctx=_LOAD), a))
            else:
                positional.append(self.expr(a.value))
        return positional, keywords

    def _slice(self, e: cst.Subscript) -> ast.expr:
        elements = e.slice
        if len(elements) == 1 and not isinstance(elements[0].comma, cst.Comma):
            only = elements[0].slice
            if not (isinstance(only, cst.Index) and only.star):
                return self._slice_element(only)
        elts = [self._slice_element(el.slice) for el in elements]
        return self._place(ast.Tuple(elts=elts, ctx=_LOAD), elements[0], elements[-1])

    def _slice_element(self, s: cst.BaseSlice) -> ast.expr:
        if isinstance(s, cst.Index):
            value = self.expr(s.value)
            if s.star:
                return self._place(ast.Starred(value=value, ctx=_LOAD), s)
            return value
        assert isinstance(s, cst.Slice)
        node = ast.Slice(lower=self._opt(s.lower), upper=self._opt(s.upper), step=self._opt(s.step))
        return self._place(node, s)

    def _generators(self, comp: cst.CompFor | None) -> list[ast.comprehension]:
        out: list[ast.comprehension] = []
        while comp is not None:
            out.append(
                ast.comprehension(
                    target=self.expr(comp.target, _STORE),
                    iter=self.expr(comp.iter),
                    ifs=[self.expr(i.test) for i in comp.ifs],
                    is_async=int(comp.asynchronous is not None),
                )
            )
            comp = comp.inner_for_in
        return out

    def _arguments(self, p: cst.Parameters) -> ast.arguments:
        positional = (*p.posonly_params, *p.params)
        star = p.star_arg if isinstance(p.star_arg, cst.Param) else None
        return ast.arguments(
            posonlyargs=[self._arg(a) for a in p.posonly_params],
            args=[self._arg(a) for a in p.params],
            vararg=self._arg(star) if star else None,
            kwonlyargs=[self._arg(a) for a in p.kwonly_params],
            kw_defaults=[self._opt(a.default) for a in p.kwonly_params],
            kwarg=self._arg(p.star_kwarg) if p.star_kwarg else None,
            defaults=[self.expr(a.default) for a in positional if a.default is not None],
        )

    def _arg(self, p: cst.Param) -> ast.arg:
        annotation = self.expr(p.annotation.annotation) if p.annotation else None
        return self._place(ast.arg(arg=_ident(p.name), annotation=annotation, type_comment=None), p)

    # -- strings -----------------------------------------------------------
    def _string(
        self, e: cst.ConcatenatedString | cst.FormattedString | cst.TemplatedString
    ) -> ast.expr:
        parts: list[cst.BaseString] = []
        pending: list[cst.BaseExpression] = [e]
        while pending:
            node = pending.pop()
            if isinstance(node, cst.ConcatenatedString):
                pending.extend((node.right, node.left))
            elif isinstance(node, cst.BaseString):
                parts.append(node)
        if all(isinstance(p, cst.SimpleString) for p in parts):
            values = [_string_value(p.value) for p in parts if isinstance(p, cst.SimpleString)]
            joined: str | bytes = values[0][:0]
            for v in values:
                joined += v  # type: ignore[operator]  # one kind: mixing is a syntax error
            return ast.Constant(value=joined, kind=None)
        template = any(isinstance(p, cst.TemplatedString) for p in parts)
        out: list[ast.expr] = []
        for p in parts:
            if isinstance(p, cst.SimpleString):
                out.append(self._place(ast.Constant(value=_string_value(p.value), kind=None), p))
            elif isinstance(p, (cst.FormattedString, cst.TemplatedString)):
                out.extend(self._fstring_parts(p.parts, template))
        if template:
            return _make(_TemplateStr, values=out)
        return ast.JoinedStr(values=out)

    def _fstring_parts(
        self,
        parts: Sequence[cst.BaseFormattedStringContent | cst.BaseTemplatedStringContent],
        template: bool,
    ) -> list[ast.expr]:
        out: list[ast.expr] = []
        for part in parts:
            if isinstance(part, (cst.FormattedStringText, cst.TemplatedStringText)):
                out.append(self._place(ast.Constant(value=part.value.replace("{{", "{").replace("}}", "}"), kind=None), part))
                continue
            assert isinstance(part, (cst.FormattedStringExpression, cst.TemplatedStringExpression))
            value = self.expr(part.expression)
            conversion = ord(part.conversion) if part.conversion else -1
            spec: ast.expr | None = None
            if part.format_spec is not None:
                spec = ast.JoinedStr(values=self._fstring_parts(part.format_spec, template))
                self._place(spec, part)
            if part.equal is not None and conversion == -1 and spec is None:
                conversion = ord("r")
            node: ast.expr
            if template:
                node = _make(
                    _Interpolation, value=value, str="", conversion=conversion, format_spec=spec
                )
            else:
                node = ast.FormattedValue(value=value, conversion=conversion, format_spec=spec)
            out.append(self._place(node, part))
        return out


def _dropped_chars(text: str, module: cst.Module) -> dict[int, list[int]]:
    """Per line LibCST renders differently, the source column of each rendered column.

    LibCST computes positions over its rendering of the tree, and 1.9 loses a few
    characters of the source there: a form feed in a statement's indentation, the
    spaces after an f-string conversion (`f"{x!r  }"`). Columns after them are short.
    """
    code = module.code
    if code == text:
        return {}
    source = _NEWLINE.split(text)
    rendered = _NEWLINE.split(code)
    if len(source) != len(rendered):
        return {}
    fixes: dict[int, list[int]] = {}
    for number, (src, out) in enumerate(zip(source, rendered), start=1):
        if src == out:
            continue
        mapping: list[int] = []
        i = 0
        for ch in out:
            while i < len(src) and src[i] != ch:
                i += 1
            mapping.append(i)
            i += 1
        if i > len(src):  # not a subsequence: leave the line alone
            continue
        mapping.append(i)  # the end of the line
        fixes[number] = mapping
    return fixes


def _make(cls: type[_N], **fields: object) -> _N:
    """An `ast` node built field by field (stand-in classes have no typed constructor)."""
    return cls(**fields)


def _ident(name: cst.Name) -> str:
    """An identifier as `ast` holds it: NFKC-normalised (PEP 3131)."""
    value = name.value
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def _dotted(e: cst.BaseExpression) -> str:
    parts: list[str] = []
    while isinstance(e, cst.Attribute):
        parts.append(_ident(e.attr))
        e = e.value
    if isinstance(e, cst.Name):
        parts.append(_ident(e))
    return ".".join(reversed(parts))


def _string_value(raw: str) -> str | bytes:
    """The value of one string literal token (no f-string)."""
    quote = min(i for i in (raw.find("'"), raw.find('"')) if i >= 0)
    prefix = raw[:quote].lower()
    body = raw[quote:]
    width = 3 if body[:3] in ('"""', "'''") else 1
    body = body[width:-width]
    if "\\" in body and "r" not in prefix:
        value: str | bytes = ast.literal_eval(raw)
        return value
    body = _NEWLINE.sub("\n", body) if "\r" in body else body
    return body.encode("utf-8") if "b" in prefix else body


def _number_value(raw: str) -> int | float | complex:
    if raw.isdigit() and (raw[0] != "0" or len(raw) == 1):
        return int(raw)
    value: int | float | complex = ast.literal_eval(raw)
    return value
