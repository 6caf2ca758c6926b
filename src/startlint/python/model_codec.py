"""The import-time model as plain tuples, for the cache (marshal-able, fast to rebuild)."""

from __future__ import annotations

from typing import Any

from startlint.python import model as m

FORMAT = 9  # bump whenever what a model holds changes: old cache entries are then ignored


def _pos(p: m.Position) -> tuple[int, int, int, int]:
    return (p.line, p.col, p.end_line, p.end_col)


def _call(c: m.Call) -> tuple[Any, ...]:
    return (c.qualname, c.dotted, _pos(c.pos), c.stmt_line, c.context, c.bound_to)


def _import(i: m.Import) -> tuple[Any, ...]:
    names = tuple((n.name, n.asname, n.bound) for n in i.names)
    return (i.kind, i.module, i.level, names, _pos(i.pos), i.context)


def encode(module: m.Module) -> tuple[Any, ...]:
    return (
        FORMAT,
        tuple(_import(i) for i in module.imports),
        tuple(_import(i) for i in module.lazy_imports),
        tuple(_call(c) for c in module.calls),
        tuple((b.name, b.kind, b.line) for b in module.bindings),
        tuple((u.name, u.kind, u.first_line, u.count) for u in module.uses),
        module.star_imports,
        module.future_annotations,
        module.docstring_end_line,
        tuple((f.name, f.line, tuple(_call(c) for c in f.calls)) for f in module.functions),
        tuple((s.line, s.end_line, s.kind, s.binds, s.reads) for s in module.statements),
        tuple((f.cls, f.bases, f.name, f.line, f.reads) for f in module.fields),
        _index(module.index),
    )


def _index(index: m.FunctionIndex | None) -> tuple[Any, ...] | None:
    if index is None:
        return None
    return (index.names, index.spans, index.scope, index.streamlit)


_CALL_FIELDS = ("qualname", "dotted", "pos", "stmt_line", "context", "bound_to")
_POSITION_FIELDS = ("line", "col", "end_line", "end_col")
_BINDING_FIELDS = ("name", "kind", "line")
_USE_FIELDS = ("name", "kind", "first_line", "count")
_STATEMENT_FIELDS = ("line", "end_line", "kind", "binds", "reads")
_INDEX_FIELDS = ("names", "spans", "scope", "streamlit")


def _built(cls: type[Any], fields: tuple[str, ...], values: Any) -> Any:
    """A frozen dataclass instance without its __init__ (one object.__setattr__ per
    field): decoding warm-cache models is most of a warm run's time."""
    obj = object.__new__(cls)
    obj.__dict__.update(zip(fields, values))
    return obj


def _decode_call(t: tuple[Any, ...]) -> m.Call:
    pos = _built(m.Position, _POSITION_FIELDS, t[2])
    call: m.Call = _built(m.Call, _CALL_FIELDS, (t[0], t[1], pos, t[3], tuple(t[4]), t[5]))
    return call


def _decode_import(t: tuple[Any, ...]) -> m.Import:
    names = tuple(m.ImportedName(*n) for n in t[3])
    return m.Import(t[0], t[1], t[2], names, m.Position(*t[4]), tuple(t[5]))


def _decode_index(t: tuple[Any, ...] | None) -> m.FunctionIndex | None:
    if t is None:
        return None
    # marshal and pickle give the tuples back as tuples: no copy needed.
    index: m.FunctionIndex = _built(m.FunctionIndex, _INDEX_FIELDS, (tuple(t[0]), tuple(t[1]), tuple(map(tuple, t[2])), bool(t[3])))
    return index


def decode(data: tuple[Any, ...]) -> m.Module:
    """Rebuild a model; raises ValueError for anything that is not a current-format entry."""
    try:
        if data[0] != FORMAT:
            raise ValueError("another model format")
        return m.Module(
            imports=tuple(_decode_import(i) for i in data[1]),
            lazy_imports=tuple(_decode_import(i) for i in data[2]),
            calls=tuple(_decode_call(c) for c in data[3]),
            bindings=tuple([_built(m.Binding, _BINDING_FIELDS, b) for b in data[4]]),
            uses=tuple([_built(m.NameUse, _USE_FIELDS, u) for u in data[5]]),
            star_imports=tuple(data[6]),
            future_annotations=bool(data[7]),
            docstring_end_line=int(data[8]),
            functions=tuple(
                m.FunctionBody(f[0], f[1], tuple(_decode_call(c) for c in f[2])) for f in data[9]
            ),
            statements=tuple(
                [_built(m.Statement, _STATEMENT_FIELDS, (s[0], s[1], s[2], tuple(s[3]), tuple(s[4]))) for s in data[10]]
            ),
            fields=tuple(m.ClassField(f[0], tuple(f[1]), f[2], f[3], tuple(f[4])) for f in data[11]),
            index=_decode_index(data[12]),
        )
    except (TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"not a model: {exc}") from None
