"""SL206 build-tools-in-final-stage: the deployed image installs compilers, build tools or
`-dev` packages (catalog data) and keeps them (no removal in the same RUN)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from startlint.docker.analysis import DockerContext, RunCommand
from startlint.findings import Violation

CODE = "SL206"
_VERSION = re.compile(r"(=|~=|>=|<=|>|<).*$")


def _package(word: str) -> str:
    return _VERSION.sub("", word).split(":", 1)[0]


def check(ctx: DockerContext) -> Iterator[Violation]:
    for index in ctx.model.final_image_stages():
        for instr in ctx.stages[index].instructions:
            if instr.keyword != "RUN":
                continue
            runs = ctx.runs(instr)
            kept: list[str] = []
            first: RunCommand | None = None
            for position, run in enumerate(runs):
                inst = run.install
                if inst is None or inst.tool not in ("apt", "apk", "yum"):
                    continue
                packages = [_package(w.text) for w in inst.positionals if not w.text.startswith("$")]
                tools = [p for p in packages if ctx.catalog.is_build_tool(p)]
                if not tools:
                    continue
                virtual = inst.values("-t", "--virtual")
                removed: set[str] = set()
                for later in runs[position + 1 :]:
                    name, argv = later.cmd.name, later.cmd.argv
                    verbs = [a for a in argv if not a.startswith("-")]
                    if name in ("apt-get", "apt") and verbs and verbs[0] in ("purge", "remove"):
                        removed |= {_package(v) for v in verbs[1:]}
                    if name in ("yum", "dnf", "microdnf") and verbs and verbs[0] in ("remove", "erase", "autoremove"):
                        removed |= {_package(v) for v in verbs[1:]}
                    if name == "apk" and verbs and verbs[0] == "del":
                        names = set(verbs[1:])
                        if names & set(virtual):
                            removed |= set(tools)
                        removed |= {_package(v) for v in names}
                new = [t for t in tools if t not in removed and t not in kept]
                if new and first is None:
                    first = run
                kept += new
            if kept and first is not None:
                yield Violation(
                    CODE,
                    ctx.command_span(first),
                    f"the deployed image keeps build tools ({', '.join(kept)}): every instance pulls them; "
                    "build what needs them in an earlier stage and copy only the result, "
                    "or remove them in the same RUN",
                )
