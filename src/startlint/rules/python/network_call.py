"""SL102 network-call-at-import: an import-time call that does network I/O."""

from __future__ import annotations

from collections.abc import Iterator

from startlint.catalog import Catalogs
from startlint.findings import Applicability, Violation
from startlint.fixes import plan
from startlint.python.model import Module
from startlint.rules.context import PythonContext, call_span, display, resolved_calls

CODE = "SL102"

_WHAT = {
    "google.auth.default": "a credential lookup that queries the metadata server",
    "nltk.download": "a download",
    "huggingface_hub.hf_hub_download": "a download from the Hugging Face Hub",
    "huggingface_hub.snapshot_download": "a download from the Hugging Face Hub",
}


def check(module: Module, ctx: PythonContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for call, qual in resolved_calls(module, ctx):
        if call.stmt_line in seen:
            continue  # one finding per statement
        network = ctx.catalogs.is_network(qual)
        client = None if network else client_of(qual, ctx.catalogs)
        if not network and client is None:
            continue
        seen.add(call.stmt_line)
        what = _WHAT.get(qual, "a network round trip")
        if client is not None:
            what = f"a request through the {client.replace('()', '')} client built at import"
        yield Violation(
            CODE,
            call_span(call),
            f"{display(call, qual)} runs at import time: {what} before the service can serve, "
            "and a slow or unreachable host delays or fails every cold start; "
            "make the call on first use (a functools.cache'd accessor)",
            fix=plan.accessor(module, call, ctx.fix_options, Applicability.UNSAFE, plan.CACHE_DATA),
        )


def client_of(qual: str, catalogs: Catalogs) -> str | None:
    """The client a method call is made on, when the method does I/O (`s3.list_buckets()`)."""
    start = 0
    while True:
        idx = qual.find("()", start)
        if idx < 0:
            return None
        if catalogs.is_client(qual[:idx]):
            # Every call between the client and this one must have built a local handle:
            # a method on what a request returned (`s3.list_buckets().get(...)`) sends nothing.
            rest = qual[idx + 2 :]
            if not rest.startswith("."):
                return None
            *between, last = rest.split("()")
            if "[]" in last or any(
                "[]" in step or not catalogs.is_local_handle(step.rsplit(".", 1)[-1])
                for step in between
            ):
                return None
            if catalogs.is_local_handle(last.rsplit(".", 1)[-1]):
                return None
            return qual[: idx + 2]
        start = idx + 2
