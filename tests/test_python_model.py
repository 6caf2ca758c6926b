"""The import-time model, tested against tables of small modules (STYLE.md pattern 2).

"Runs at import time" is defined once (startlint.python.import_time, RULES.md "Import
time: what counts"); these tables pin that definition down: which calls and imports are
recorded and with which context, how names resolve, how names are used, what is bound,
and where things are (1-based character columns).

Convention in the snippets: a call named `now...()` runs at import time, one named
`later...()` must not be recorded.
"""

from __future__ import annotations

from collections import Counter

import pytest

from helpers import check_source, model_of
from startlint.python import model as m

CallRow = tuple[str | None, int, tuple[str, ...]]  # (dotted, stmt_line, context)


def call_rows(src: str) -> list[CallRow]:
    return [(c.dotted, c.stmt_line, c.context) for c in model_of(src).calls]


def case(id_: str, *values: object) -> object:
    return pytest.param(*values, id=id_)


# -- 1. what runs at import time, and in which context ------------------------------------

IMPORT_TIME = [
    case("module body", "now()\n", [("now", 1, ())]),
    case("function body", "def f():\n    later()\n", []),
    case("async function body", "async def f():\n    await later()\n", []),
    case("nested function in a method", "class C:\n    def m(self):\n        def g():\n            later()\n", []),
    case("lambda body", "f = lambda: later()\n", []),
    case("lambda default runs", "f = lambda x=now(): later(x)\n", [("now", 1, (m.CTX_DEFAULT,))]),
    case("class body", "class C:\n    x = now()\n", [("now", 2, (m.CTX_CLASS_BODY,))]),
    case(
        "nested class body",
        "class C:\n    class D:\n        x = now()\n",
        [("now", 3, (m.CTX_CLASS_BODY,))],
    ),
    case(
        "decorator, on the decorator's first line",
        "@now(\n    now_arg(),\n)\ndef f():\n    later()\n",
        [("now", 1, (m.CTX_DECORATOR,)), ("now_arg", 1, (m.CTX_DECORATOR,))],
    ),
    case(
        "a bare decorator is called with the function when the def runs",
        "@functools.cache\ndef f():\n    later()\n",
        [("functools.cache", 1, (m.CTX_DECORATOR,))],
    ),
    case(
        "default value, on the def line",
        "def f(\n    a,\n    b=now(),\n    *,\n    c=now_kw(),\n):\n    later()\n",
        [("now", 1, (m.CTX_DEFAULT,)), ("now_kw", 1, (m.CTX_DEFAULT,))],
    ),
    case(
        "default of a decorated def is on the def line, not the decorator's",
        "@deco\ndef f(a=now()):\n    pass\n",
        [("deco", 1, (m.CTX_DECORATOR,)), ("now", 2, (m.CTX_DEFAULT,))],
    ),
    case(
        "method default and decorator in a class body",
        "class C:\n    @now_deco()\n    def m(self, x=now()):\n        later()\n",
        [("now_deco", 2, (m.CTX_CLASS_BODY, m.CTX_DECORATOR)), ("now", 3, (m.CTX_CLASS_BODY, m.CTX_DEFAULT))],
    ),
    case(
        "base classes and class keywords",
        "class C(now(), metaclass=now_meta()):\n    pass\n",
        [("now", 1, (m.CTX_BASE_CLASS,)), ("now_meta", 1, (m.CTX_BASE_CLASS,))],
    ),
    case(
        "evaluated annotations (no __future__ import)",
        "def f(x: now()) -> now_ret():\n    y: later() = 1\n\nz: now_mod()\n",
        [
            ("now", 1, (m.CTX_ANNOTATION,)),
            ("now_ret", 1, (m.CTX_ANNOTATION,)),
            ("now_mod", 4, (m.CTX_ANNOTATION,)),
        ],
    ),
    case(
        "class-body annotations are evaluated",
        "class C:\n    x: now() = 1\n",
        [("now", 2, (m.CTX_ANNOTATION, m.CTX_CLASS_BODY))],
    ),
    case(
        "`from __future__ import annotations`: annotations never run, defaults do",
        "from __future__ import annotations\n"
        "def f(x: later() = now()) -> later_ret():\n    pass\n"
        "y: later_mod() = now_value()\n",
        [("now", 2, (m.CTX_DEFAULT,)), ("now_value", 4, ())],
    ),
    case(
        "if TYPE_CHECKING: body never, else always",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    later()\nelse:\n    now()\n",
        [("now", 5, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "if typing.TYPE_CHECKING",
        "import typing\nif typing.TYPE_CHECKING:\n    later()\nelse:\n    now()\n",
        [("now", 5, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "TYPE_CHECKING = False idiom",
        "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    later()\n",
        [],
    ),
    case(
        "if not TYPE_CHECKING: body runs, else never",
        "from typing import TYPE_CHECKING\nif not TYPE_CHECKING:\n    now()\nelse:\n    later()\n",
        [("now", 3, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "if False / if 0",
        "if False:\n    later()\nelse:\n    now()\nif 0:\n    later_too()\n",
        [("now", 4, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "main guard, both spellings",
        'if __name__ == "__main__":\n    later()\nif "__main__" == __name__:\n    later_too()\nelse:\n    now()\n',
        [("now", 6, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "negated main guard: its else is the script-only branch",
        'if __name__ != "__main__":\n    now()\nelse:\n    later()\n',
        [("now", 2, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "if / elif / else all run; the test is outside the branch",
        "if now_a():\n    now_b()\nelif now_c():\n    now_d()\nelse:\n    now_e()\n",
        [
            ("now_a", 1, ()),
            ("now_b", 2, (m.CTX_CONDITIONAL,)),
            ("now_c", 3, (m.CTX_CONDITIONAL,)),
            ("now_d", 4, (m.CTX_CONDITIONAL,)),
            ("now_e", 6, (m.CTX_CONDITIONAL,)),
        ],
    ),
    case(
        "try / except / else / finally",
        "try:\n    now_a()\nexcept now_b() as e:\n    now_c()\nelse:\n    now_d()\nfinally:\n    now_e()\n",
        [
            ("now_a", 2, (m.CTX_TRY,)),
            ("now_b", 3, ()),
            ("now_c", 4, ()),
            ("now_d", 6, ()),
            ("now_e", 8, ()),
        ],
    ),
    case(
        "for: iterable outside the loop, body and else",
        "for i in now_it():\n    now_body()\nelse:\n    now_else()\n",
        [("now_it", 1, ()), ("now_body", 2, (m.CTX_LOOP,)), ("now_else", 4, ())],
    ),
    case(
        "while",
        "while now_test():\n    now_body()\n",
        [("now_test", 1, (m.CTX_LOOP,)), ("now_body", 2, (m.CTX_LOOP,))],
    ),
    case(
        "with: header and body",
        "with now_cm() as fh:\n    now_body(fh)\n",
        [("now_cm", 1, (m.CTX_WITH,)), ("now_body", 2, (m.CTX_WITH,))],
    ),
    case(
        "match: subject, case bodies",
        "match now_subject():\n    case 1:\n        now_a()\n    case _:\n        now_b()\n",
        [("now_subject", 1, ()), ("now_a", 3, (m.CTX_CONDITIONAL,)), ("now_b", 5, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "contexts nest",
        "for i in x:\n    try:\n        class C:\n            y = now()\n    except E:\n        pass\n",
        [("now", 4, (m.CTX_CLASS_BODY, m.CTX_LOOP, m.CTX_TRY))],
    ),
    case(
        "comprehensions at module level run",
        "xs = [now(x) for x in now_it()]\nd = {k: now_v(k) for k in y}\n",
        [("now", 1, ()), ("now_it", 1, ()), ("now_v", 2, ())],
    ),
    case(
        "multi-line call: stmt_line is the statement's first line",
        "CONFIG = dict(\n    a=1,\n    b=now(),\n)\n",
        [("dict", 1, ()), ("now", 1, ())],
    ),
    case(
        "two statements on one line",
        "a = now_a(); b = now_b()\n",
        [("now_a", 1, ()), ("now_b", 1, ())],
    ),
    case(
        "streamlit widget events guard their body, not their else",
        'import streamlit as st\nif st.button("go"):\n    later()\nelse:\n    now()\n',
        [("st.button", 2, ()), ("now", 5, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "streamlit: form_submit_button in an `and`",
        'import streamlit as st\nif st.form_submit_button("Save") and title:\n    later()\n',
        [("st.form_submit_button", 2, ())],
    ),
    case(
        "streamlit: chat_input walrus",
        'import streamlit as st\nif prompt := st.chat_input("Ask"):\n    later(prompt)\n',
        [("st.chat_input", 2, ())],
    ),
    case(
        "streamlit: a non-event widget is an ordinary condition",
        'import streamlit as st\nif st.checkbox("x"):\n    now()\n',
        [("st.checkbox", 2, ()), ("now", 3, (m.CTX_CONDITIONAL,))],
    ),
    case(
        "streamlit: a button on unpacked columns is an event too",
        'import streamlit as st\nleft, right = st.columns(2)\nif left.button("go"):\n    later()\n',
        [("st.columns", 2, ()), ("left.button", 3, ())],
    ),
    case(
        "without a streamlit import, button() is an ordinary condition",
        'if ui.button("go"):\n    now()\n',
        [("ui.button", 1, ()), ("now", 2, (m.CTX_CONDITIONAL,))],
    ),
]


@pytest.mark.parametrize(("src", "expected"), IMPORT_TIME)
def test_import_time_calls(src: str, expected: list[CallRow]) -> None:
    assert call_rows(src) == expected


# -- 2. imports: which statements import at import time, what they may load ---------------

ImportRow = tuple[str, tuple[str, ...], tuple[str, ...]]  # (kind, modules, context)

IMPORTS = [
    case("import a.b.c", "import a.b.c\n", [("import", ("a.b.c",), ())]),
    case("several names", "import os, a.b as c\n", [("import", ("os", "a.b"), ())]),
    case("from-import may load submodules", "from a.b import c, d as e\n", [("from", ("a.b", "a.b.c", "a.b.d"), ())]),
    case("relative imports keep their dots", "from . import x\nfrom ..p import q\n", [("from", (".x",), ()), ("from", ("..p", "..p.q"), ())]),
    case("star import", "from a import *\n", [("from", ("a",), ())]),
    case("__future__ is no import", "from __future__ import annotations\n", []),
    case("function body", "def f():\n    import a\n", []),
    case("lambda body", "f = lambda: __import__('a')\n", []),
    case("TYPE_CHECKING", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n", [("from", ("typing", "typing.TYPE_CHECKING"), ())]),
    case("main guard", 'if __name__ == "__main__":\n    import a\n', []),
    case(
        "__lazy_modules__ makes later module-level imports of its modules lazy (PEP 810)",
        '__lazy_modules__ = ["a", "b.c"]\nimport a\nimport b.c\nfrom a import x\nimport d\n'
        "try:\n    import a\nexcept ImportError:\n    pass\n",
        [("import", ("d",), ()), ("import", ("a",), (m.CTX_IMPORT_GUARD, m.CTX_TRY))],
    ),
    case("imports above __lazy_modules__ stay eager", 'import a\n__lazy_modules__ = ["a"]\n', [("import", ("a",), ())]),
    case("class body", "class C:\n    import a\n", [("import", ("a",), (m.CTX_CLASS_BODY,))]),
    case("conditional", "if x:\n    import a\nelse:\n    import b\n", [("import", ("a",), (m.CTX_CONDITIONAL,)), ("import", ("b",), (m.CTX_CONDITIONAL,))]),
    case(
        "try / except ImportError is an import guard",
        "try:\n    import a\nexcept ImportError:\n    a = None\n",
        [("import", ("a",), (m.CTX_IMPORT_GUARD, m.CTX_TRY))],
    ),
    case(
        "ModuleNotFoundError in a tuple is an import guard",
        "try:\n    import a\nexcept (ValueError, ModuleNotFoundError):\n    import b\n",
        [("import", ("a",), (m.CTX_IMPORT_GUARD, m.CTX_TRY)), ("import", ("b",), ())],
    ),
    case(
        "except Exception is a try, not an import guard",
        "try:\n    import a\nexcept Exception:\n    pass\n",
        [("import", ("a",), (m.CTX_TRY,))],
    ),
    case(
        "dynamic imports with a literal name",
        'import importlib\nimportlib.import_module("a.b")\nx = __import__("c")\n',
        [("import", ("importlib",), ()), ("dynamic", ("a.b",), ()), ("dynamic", ("c",), ())],
    ),
    case(
        "dynamic imports that name no absolute module",
        'import importlib\nimportlib.import_module(name)\nimportlib.import_module(".x", package="p")\n',
        [("import", ("importlib",), ())],
    ),
    case(
        "dynamic import through a from-import alias, in a decorator",
        'from importlib import import_module as load\n@register(load("a"))\ndef f():\n    pass\n',
        [("from", ("importlib", "importlib.import_module"), ()), ("dynamic", ("a",), (m.CTX_DECORATOR,))],
    ),
]


@pytest.mark.parametrize(("src", "expected"), IMPORTS)
def test_imports(src: str, expected: list[ImportRow]) -> None:
    assert [(i.kind, i.modules, i.context) for i in model_of(src).imports] == expected


def test_import_records_names_and_what_they_bind() -> None:
    (plain, aliased, sub), = [i.names for i in model_of("import a.b, a.c as d, e\n").imports]
    assert plain == m.ImportedName("a.b", None, "a")
    assert aliased == m.ImportedName("a.c", "d", "d")
    assert sub == m.ImportedName("e", None, "e")
    (imp,) = model_of("from .x import y as z\n").imports
    assert (imp.module, imp.level, imp.names) == ("x", 1, (m.ImportedName("y", "z", "z"),))


def test_dynamic_import_is_the_call_that_holds_it() -> None:
    # Import.pos of a dynamic import is its call's position; the rules find the call (and
    # its statement's first line, where findings go) through that position.
    model = model_of('import importlib\nMODS = [\n    importlib.import_module("a"),\n]\n')
    (_, dyn) = model.imports
    (call,) = [c for c in model.calls if c.pos == dyn.pos]
    assert (dyn.pos.line, call.qualname, call.stmt_line) == (3, "importlib.import_module", 2)


# -- 3. name resolution --------------------------------------------------------------------

RESOLUTION = [
    case("import a.b as c: c.x is a.b.x", "import a.b as c\nc.x()\n", "a.b.x"),
    case("import a.b binds a", "import a.b\na.b.f()\n", "a.b.f"),
    case("import a.b: a.other resolves through a", "import a.b\na.other()\n", "a.other"),
    case("from-import alias", "from a import b as c\nc.d()\n", "a.b.d"),
    case("from-import of a function", "from requests import get\nget(u)\n", "requests.get"),
    case("alias of an alias", "import boto3 as b\nmake = b.client\nmake('s3')\n", "boto3.client"),
    case("call results are written with ()", "import boto3\nboto3.Session().client('s3')\n", "boto3.Session().client"),
    case(
        "call results flow through assignments",
        "import boto3\ns = boto3.Session()\nc = s.client('s3')\nc.list_buckets()\n",
        "boto3.Session().client().list_buckets",
    ),
    case(
        "annotated assignment binds too",
        "import boto3\ns3: object = boto3.client('s3')\ns3.list_buckets()\n",
        "boto3.client().list_buckets",
    ),
    case(
        "with ... as binds the context manager's value",
        "import requests\nwith requests.Session() as s:\n    s.get(u)\n",
        "requests.Session().get",
    ),
    case(
        "chained calls",
        "from google.cloud import storage as gcs\ngcs.Client().bucket('b').blob('x')\n",
        "google.cloud.storage.Client().bucket().blob",
    ),
    case("relative import", "from .models import User\nUser()\n", ".models.User"),
    case("relative package import", "from .. import x\nx.y()\n", "..x.y"),
    case("local function", "def get_client():\n    pass\nclient = get_client()\nclient.list()\n", "<local>.get_client().list"),
    case("local class", "class Fake:\n    pass\nFake().get()\n", "<local>.Fake().get"),
    case(
        "rebinding an imported name",
        "import requests\nclass Fake:\n    pass\nrequests = Fake()\nrequests.get(u)\n",
        "<local>.Fake().get",
    ),
    case("for target rebinds", "import requests\nfor requests in xs:\n    requests.get(u)\n", None),
    case("del unbinds", "import requests\ndel requests\nrequests.get(u)\n", None),
    case(
        "class-scope names do not leak to module scope",
        "import requests\nclass C:\n    requests = Fake()\nrequests.get(u)\n",
        "requests.get",
    ),
    case("class-body import does not leak", "class C:\n    import json\njson.dumps(x)\n", None),
    case("class bodies see module names", "import json\nclass C:\n    x = json.dumps(1)\n", "json.dumps"),
    case("class bodies see their own names", "class C:\n    import json as j\n    x = j.dumps(1)\n", "json.dumps"),
    case(
        "the first iterable of a comprehension is evaluated in the enclosing scope",
        "import requests\n[requests for requests in requests.get(u).json()]\n",
        "requests.get().json",
    ),
    case(
        "a comprehension in a class body does not see the class's names",
        "import requests\nclass C:\n    requests = Fake()\n    xs = [requests.get(u) for u in us]\n",
        "requests.get",
    ),
    case(
        "tuple unpacking binds elements",
        "import streamlit as st\nleft, right = st.columns(2)\nright.button('x')\n",
        "streamlit.columns()[].button",
    ),
    case(
        "a for target is an element of the iterable",
        "import redis\nr = redis.Redis()\nfor key in r.scan_iter():\n    key.decode()\n",
        "redis.Redis().scan_iter()[].decode",
    ),
    case("an unbound name", "requests.get(u)\n", None),
    case("builtins", "open('f')\n", "builtins.open"),
    case("__import__", "__import__('x')\n", "builtins.__import__"),
    case(
        "a comprehension variable shadows the module-level name",
        "import requests\n[requests.get(u) for requests in sessions]\n",
        None,
    ),
]


@pytest.mark.parametrize(("src", "expected"), RESOLUTION)
def test_resolution_of_the_last_call(src: str, expected: str | None) -> None:
    calls = model_of(src).calls
    # The outermost call of the last statement is recorded first among that statement's calls.
    last_line = max(c.stmt_line for c in calls)
    assert [c.qualname for c in calls if c.stmt_line == last_line][0] == expected


def test_inner_calls_of_a_chain_are_recorded_outermost_first() -> None:
    src = "from google.cloud import storage\nstorage.Client().bucket('b').blob('x').download_as_text()\n"
    assert [c.qualname for c in model_of(src).calls] == [
        "google.cloud.storage.Client().bucket().blob().download_as_text",
        "google.cloud.storage.Client().bucket().blob",
        "google.cloud.storage.Client().bucket",
        "google.cloud.storage.Client",
    ]


def test_bound_to_is_the_directly_assigned_name() -> None:
    src = "import boto3\ns3 = boto3.client('s3')\nann: T = boto3.resource('x')\nwrap = f(boto3.client('sqs'))\na = b = g()\n"
    assert [(c.dotted, c.bound_to) for c in model_of(src).calls] == [
        ("boto3.client", "s3"),
        ("boto3.resource", "ann"),
        ("f", "wrap"),
        ("boto3.client", None),
        ("g", None),
    ]


def test_star_imports_are_recorded_only_at_import_time() -> None:
    src = (
        "from a import *\nfrom .b import *\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from c import *\n"
    )
    model = model_of(src)
    assert model.star_imports == ("a", ".b")
    # A name only a star import can have bound resolves to `*.name` (the rules resolve `*`
    # against catalog modules, rules.context.resolved_calls); without one it is unbound.
    assert model_of("from requests import *\nget(u)\n").calls[0].qualname == "*.get"
    assert model_of("get(u)\n").calls[0].qualname is None
    src = "from requests import *\ns = Session()\ns.get(u)\n"
    assert [c.qualname for c in model_of(src).calls] == ["*.Session", "*.Session().get"]


# -- 4. how names are used -----------------------------------------------------------------

UseRow = tuple[str, str, int, int]  # (name, kind, first_line, count)

USES = [
    case("read at import time", "x = torch.ones(1)\n", [("torch", m.USE_IMPORT_TIME, 1, 1)]),
    case("count and first line", "a = torch.x\nb = torch.y\n", [("torch", m.USE_IMPORT_TIME, 1, 2)]),
    case("function body", "def f():\n    return torch.ones(1)\n", [("torch", m.USE_DEFERRED, 2, 1)]),
    case("module-level lambda body", "f = lambda: torch.x\n", [("torch", m.USE_LATER_AT_TOP_LEVEL, 1, 1)]),
    case("lambda in a function", "def f():\n    return lambda: torch.x\n", [("torch", m.USE_DEFERRED, 2, 1)]),
    case(
        "lambda default is import time",
        "f = lambda t=torch.x: t\n",
        [("t", m.USE_LATER_AT_TOP_LEVEL, 1, 1), ("torch", m.USE_IMPORT_TIME, 1, 1)],
    ),
    case(
        "the __main__ block runs later, outside any function",
        'if __name__ == "__main__":\n    torch.x\n',
        [("__name__", m.USE_IMPORT_TIME, 1, 1), ("torch", m.USE_LATER_AT_TOP_LEVEL, 2, 1)],
    ),
    case(
        "parameter and return annotations",
        "def f(x: torch.Tensor) -> torch.Tensor:\n    pass\n",
        [("torch", m.USE_ANNOTATION, 1, 2)],
    ),
    case("module-level annotation", "x: torch.Tensor\n", [("torch", m.USE_ANNOTATION, 1, 1)]),
    case(
        "annotations stay annotations under the __future__ import",
        "from __future__ import annotations\ndef f(x: torch.Tensor):\n    pass\n",
        [("torch", m.USE_ANNOTATION, 2, 1)],
    ),
    case(
        "defaults, decorators and base classes are import time",
        "@torch.no_grad()\ndef f(x=torch.zeros(1)):\n    pass\nclass M(torch.nn.Module):\n    pass\n",
        [("torch", m.USE_IMPORT_TIME, 1, 3)],
    ),
    case(
        "class body is import time, method body deferred",
        "class M:\n    dtype = torch.float32\n    def f(self):\n        return torch.ones(1)\n",
        [("torch", m.USE_DEFERRED, 4, 1), ("torch", m.USE_IMPORT_TIME, 2, 1)],
    ),
    case(
        "uses are sorted by name and kind",
        "def f(a: pd.DataFrame):\n    return np.x, pd.y\nz = np.z\n",
        [
            ("np", m.USE_DEFERRED, 2, 1),
            ("np", m.USE_IMPORT_TIME, 3, 1),
            ("pd", m.USE_ANNOTATION, 1, 1),
            ("pd", m.USE_DEFERRED, 2, 1),
        ],
    ),
]


@pytest.mark.parametrize(("src", "expected"), USES)
def test_uses(src: str, expected: list[UseRow]) -> None:
    assert [(u.name, u.kind, u.first_line, u.count) for u in model_of(src).uses] == expected


# -- 5. module-level bindings --------------------------------------------------------------

BindRow = tuple[str, str, int]

BINDINGS = [
    case("import a.b binds a", "import a.b\n", [("a", "import", 1)]),
    case("import alias", "import a.b as c\n", [("c", "import", 1)]),
    case("from-import names", "from a import b as c, d\n", [("c", "import", 1), ("d", "import", 1)]),
    case("star import binds no known name", "from a import *\n", []),
    case(
        "assign, augassign, del",
        "x = 1\nx += 1\ndel x\n",
        [("x", "assign", 1), ("x", "augassign", 2), ("x", "del", 3)],
    ),
    case("def and class", "def f():\n    y = 1\nclass C:\n    z = 1\n", [("f", "def", 1), ("C", "class", 3)]),
    case("for and with targets", "for i, j in x:\n    pass\nwith f() as g:\n    pass\n", [("i", "other", 1), ("j", "other", 1), ("g", "assign", 3)]),
    case("except ... as", "try:\n    pass\nexcept E as e:\n    pass\n", [("e", "other", 3)]),
    case("walrus", "if (n := 1):\n    pass\n", [("n", "assign", 1)]),
    case("global in a function", "def f():\n    global cache\n    cache = 1\n", [("f", "def", 1), ("cache", "global", 2)]),
    case("TYPE_CHECKING imports bind nothing at run time", "if False:\n    import a\n", []),
]


@pytest.mark.parametrize(("src", "expected"), BINDINGS)
def test_bindings(src: str, expected: list[BindRow]) -> None:
    assert [(b.name, b.kind, b.line) for b in model_of(src).bindings] == expected


# -- 6. positions: 1-based columns in characters -------------------------------------------

PositionRow = tuple[int, int, int, int]

POSITIONS = [
    case("ascii", "requests.get(u)\n", (1, 1, 1, 16)),
    case("non-ascii before the call", 'x = "é"; requests.get(u)\n', (1, 10, 1, 25)),
    case("non-ascii inside the call", 'requests.get("é")\n', (1, 1, 1, 18)),
    case("CJK before the call", 'x = "日本語"; requests.get(u)\n', (1, 12, 1, 27)),
    case("astral character counts as one", 'x = "😀"; requests.get(u)\n', (1, 10, 1, 25)),
    case("multi-line end column", 'requests.get(\n    "é")\n', (1, 1, 2, 9)),
    case("other lines are not affected", 'x = "é"\n\nrequests.get(u)\n', (3, 1, 3, 16)),
    case(
        "a form feed line does not shift the lines after it",
        'x = "é"\n\x0c\ny = "é"; requests.get(u)\n',
        (3, 10, 3, 25),
    ),
    case(
        "a U+2028 inside a string does not shift the lines after it",
        'x = "\u2028"\ny = "é"; requests.get(u)\n',
        (2, 10, 2, 25),
    ),
]


@pytest.mark.parametrize(("src", "expected"), POSITIONS)
def test_call_positions(src: str, expected: PositionRow) -> None:
    (call,) = [c for c in model_of(src).calls if c.dotted == "requests.get"]
    assert (call.pos.line, call.pos.col, call.pos.end_line, call.pos.end_col) == expected


def test_import_position_in_characters() -> None:
    (imp,) = model_of('s = "日本"; import torch\n').imports
    assert (imp.pos.line, imp.pos.col, imp.pos.end_col) == (1, 11, 23)


def test_call_position_and_statement_line_differ_in_a_multi_line_statement() -> None:
    (outer, inner) = model_of("CONFIG = dict(\n    flags=requests.get(u),\n)\n").calls
    assert (outer.pos.line, outer.stmt_line) == (1, 1)
    assert (inner.pos.line, inner.pos.col, inner.stmt_line) == (2, 11, 1)


# -- 7. module facts -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("src", "expected"),
    [
        case("absent", "import a\n", False),
        case("present", "from __future__ import annotations\n", True),
        case("among other features", "from __future__ import division, annotations\n", True),
        case("after a docstring", '"""Doc."""\nfrom __future__ import annotations\n', True),
        case("another feature only", "from __future__ import generator_stop\n", False),
    ],
)
def test_future_annotations(src: str, expected: bool) -> None:
    assert model_of(src).future_annotations is expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        case("none", "import a\n", 0),
        case("one line", '"""Doc."""\nimport a\n', 1),
        case("several lines", '"""Doc.\n\nMore.\n"""\nimport a\n', 4),
        case("not first", 'import a\n"""Not a docstring."""\n', 0),
    ],
)
def test_docstring_end_line(src: str, expected: int) -> None:
    assert model_of(src).docstring_end_line == expected


def test_the_ast_extractor_records_no_lazy_imports() -> None:
    assert model_of("import a\n").lazy_imports == ()


# -- 8. rule output: one statement, at most one finding per code ---------------------------
# (The fixture harness compares sets of (line, code), so it cannot see duplicates.)

@pytest.mark.parametrize(
    ("src", "expected"),
    [
        case(
            "two network calls in one statement",
            "import requests\nA = requests.get(u) or requests.post(u)\n",
            {"SL102": 1},
        ),
        case(
            "client and request in one chain",
            "from google.cloud import storage\nT = storage.Client().bucket('b').blob('x').download_as_text()\n",
            {"SL102": 1, "SL103": 1},
        ),
        case(
            "nested blocking calls",
            "import subprocess\nX = subprocess.check_output(['e', subprocess.getoutput('d')])\n",
            {"SL105": 1},
        ),
        case(
            "a heavy from-import of several heavy submodules",
            "from torch import nn, optim\n",
            {"SL101": 1},
        ),
    ],
)
def test_one_finding_per_code_per_statement(src: str, expected: dict[str, int]) -> None:
    assert Counter(f.code for f in check_source(src)) == Counter(expected)


# -- 5. the cache's encoding --------------------------------------------------------------


@pytest.mark.parametrize(
    "src",
    [
        "import boto3\ns3 = boto3.client('s3')\n\n\ndef f(x=torch.zeros(1)):\n    return s3.get_object(Bucket='b')\n",
        "from . import x\nclass C(x.Base):\n    def __init__(self):\n        self.c = x.make()\n",
        '__lazy_modules__ = ["a"]\nimport a\nif __name__ == "__main__":\n    a.run()\n',
    ],
)
def test_codec_round_trip(src: str) -> None:
    """decode(encode(model)) == model, fields included (decode bypasses __init__)."""
    from startlint.python import model_codec

    model = model_of(src)
    again = model_codec.decode(model_codec.encode(model))
    assert again == model
    assert [vars(c) for c in again.calls] == [vars(c) for c in model.calls]
    assert [vars(u) for u in again.uses] == [vars(u) for u in model.uses]
    assert [vars(b) for b in again.bindings] == [vars(b) for b in model.bindings]
    assert {hash(c) for c in again.calls} == {hash(c) for c in model.calls}
