"""Measure the import cost of heavy modules and write startlint's heavy-module catalog.

For every entry of ``ENTRIES`` this script

1. creates a fresh virtual environment for the entry's PyPI package (one venv per
   package, under ``--work-dir``; ``--reuse`` keeps an existing one),
2. pip-installs the package (the pinned version when the entry has one, else the
   latest) and records the installed version,
3. runs ``python -X importtime -c "import <module>"`` once unmeasured (so the
   ``.pyc`` files are written) and then ``--runs`` times in fresh processes, takes the
   *cumulative* microseconds of the top-level importtime line whose name is exactly the
   module, and records the median, minimum and maximum,

then writes ``rules/catalogs/heavy_modules.toml`` (the catalog the SL101 rule loads) and
``tools/import_costs.md`` (a human report with the machine it ran on).

``--only torch,pandas`` measures a subset and merges it into the existing catalog and
report, so the script can be re-run incrementally.

PyTorch: torch is never installed unpinned. A venv whose package needs torch gets
``torch==TORCH_VERSION`` first and then the package, constrained to that torch; a venv
that ends up with another torch or with ``nvidia-*`` distributions is deleted and the
entry falls back to its citation.

Standard library only; Python 3.10+.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: merging into an existing catalog needs 3.11+
    tomllib = None

REPO = Path(__file__).resolve().parent.parent
CATALOG = REPO / "rules" / "catalogs" / "heavy_modules.toml"
REPORT = REPO / "tools" / "import_costs.md"
SCRIPT = "tools/measure_import_costs.py"

#: The CPU build of this torch lies on this machine's disk; never let pip pick another.
TORCH_VERSION = "2.13.0"
#: Optional (non-required) entries are kept only when they cost at least this much.
THRESHOLD_MS = 100
PIP_TIMEOUT_S = 3600
IMPORT_TIMEOUT_S = 600


@dataclasses.dataclass(frozen=True)
class Entry:
    """One catalog entry and how to measure it."""

    name: str  # catalog name: dotted module, or a glob such as "langchain_*"
    package: str  # PyPI distribution to install
    module: str = ""  # module to import when it differs from ``name``
    version: str | None = None  # pin; None installs the latest release
    torch: bool = False  # install torch==TORCH_VERSION into the venv first
    exclude_deps: tuple[str, ...] = ()  # dependencies not to install (e.g. torchvision)
    required: bool = True  # False: kept only when it measures >= THRESHOLD_MS
    note: str = ""
    also: tuple[
        str, ...
    ] = ()  # further imports measured in the same venv, for the report
    # Used when the package cannot be installed or imported here: a fixed cost, or the
    # cost of another catalog entry (``cited_from``) as a lower bound.
    cited_ms: int | None = None
    cited_from: str = ""
    cited_source: str = ""

    @property
    def import_name(self) -> str:
        return self.module or self.name


# The catalog. Edit this table, then re-run the script (``--only NAME`` for one entry).
ENTRIES: tuple[Entry, ...] = (
    # PyTorch and what pulls it in.
    Entry("torch", "torch", version=TORCH_VERSION, torch=True),
    Entry(
        "timm",
        "timm",
        torch=True,
        exclude_deps=("torchvision",),
        note="import timm imports torch and torchvision; PyPI's torchvision does not load "
        "beside the CPU torch used here, so timm could not be imported: the cost is torch's "
        "measured cost, a lower bound",
        cited_from="torch",
        cited_source="https://github.com/huggingface/pytorch-image-models/blob/main/"
        "timm/layers/create_norm.py (imports torchvision.ops at import time); "
        "lower bound: torch as measured here",
    ),
    Entry(
        "torchvision",
        "torchvision",
        torch=True,
        note="PyPI's torchvision does not load beside the CPU torch used here; importing it "
        "imports torch, so torch's measured cost is its lower bound",
        cited_from="torch",
        cited_source="torchvision/__init__.py imports torch at import time; lower bound: torch as measured here",
    ),
    Entry(
        "torchaudio",
        "torchaudio",
        torch=True,
        note="PyPI's torchaudio does not load beside the CPU torch used here; importing it "
        "imports torch, so torch's measured cost is its lower bound",
        cited_from="torch",
        cited_source="torchaudio/__init__.py imports torch at import time; lower bound: torch as measured here",
    ),
    Entry(
        "diffusers",
        "diffusers",
        torch=True,
        note="measured with torch installed, as it is deployed",
    ),
    Entry("peft", "peft", torch=True),
    Entry("accelerate", "accelerate", torch=True),
    Entry(
        "sentence_transformers",
        "sentence-transformers",
        torch=True,
    ),
    # Other deep-learning frameworks.
    Entry("tensorflow", "tensorflow"),
    Entry("jax", "jax"),
    Entry(
        "transformers",
        "transformers",
        note="measured without torch installed; transformers loads its submodules lazily",
    ),
    # NLP, vision, runtime.
    Entry("spacy", "spacy"),
    Entry(
        "nltk",
        "nltk",
        note="nltk alone; where scikit-learn is installed, import nltk imports it too "
        "(nltk.classify.scikitlearn), adding the sklearn cost",
    ),
    Entry("cv2", "opencv-python-headless"),
    Entry("onnxruntime", "onnxruntime"),
    # Data and science stacks, plotting.
    Entry("pandas", "pandas"),
    Entry("scipy", "scipy"),
    Entry("sklearn", "scikit-learn"),
    Entry("matplotlib.pyplot", "matplotlib"),
    # LLM frameworks.
    Entry(
        "langchain",
        "langchain",
        module="langchain.agents",
        also=("langchain", "langchain.chat_models", "langchain.messages"),
        note="cost of import langchain.agents, the entry point of langchain 1.x; "
        "import langchain alone loads almost nothing (see tools/import_costs.md)",
    ),
    Entry(
        "langchain_*",
        "langchain-core",
        module="langchain_core",
        also=("langchain_core.messages", "langchain_core.language_models"),
        note="glob over the langchain_* packages; cost of import langchain_core, which "
        "every one of them imports; import langchain_community alone measured below "
        "100 ms (it loads its integrations lazily; see tools/import_costs.md)",
    ),
    Entry(
        "langchain_community",
        "langchain-community",
        required=False,
        also=("langchain_community.vectorstores", "langchain_community.chat_models"),
    ),
    Entry(
        "llama_index",
        "llama-index-core",
        module="llama_index.core",
        note="cost of import llama_index.core (package llama-index-core); "
        "llama_index itself is a namespace package",
    ),
    # Vertex AI.
    Entry("vertexai", "google-cloud-aiplatform"),
    Entry("google.cloud.aiplatform", "google-cloud-aiplatform"),
    # Optional: kept only when they measure >= THRESHOLD_MS.
    Entry("seaborn", "seaborn", required=False),
    Entry(
        "statsmodels.api",
        "statsmodels",
        required=False,
        note="import statsmodels alone is cheap; statsmodels.api loads the models",
    ),
    Entry("sympy", "sympy", required=False),
    Entry("polars", "polars", required=False),
    Entry("pyarrow", "pyarrow", required=False),
    Entry(
        "plotly.express",
        "plotly",
        required=False,
        note="measured with pandas installed, which plotly.express needs",
    ),
    Entry("lightgbm", "lightgbm", required=False),
    Entry(
        "xgboost",
        "xgboost-cpu",
        module="xgboost",
        required=False,
        note="package xgboost-cpu (the xgboost wheel without the CUDA NCCL dependency)",
    ),
    Entry("gensim", "gensim", required=False),
    Entry("librosa", "librosa", required=False, also=("librosa.core",)),
)

#: Extra packages an entry's import needs beyond the package's own dependencies.
EXTRA_PACKAGES: Mapping[str, tuple[str, ...]] = {
    "plotly": ("pandas",),
}


@dataclasses.dataclass(frozen=True)
class Result:
    """The outcome for one entry; ``source`` is "measured" or "cited: ..."."""

    name: str
    module: str
    package: str
    version: str
    cost_ms: int
    source: str
    note: str = ""
    median_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    runs: int = 0
    samples_ms: tuple[float, ...] = ()
    load: float | None = None  # 1-minute load average before the measured runs
    also: tuple[tuple[str, float, float, float], ...] = ()  # (module, median, min, max)


class MeasureError(Exception):
    """An entry could not be installed or measured."""

    def __init__(self, message: str, version: str = "") -> None:
        super().__init__(message)
        self.version = version  # the installed version, when the install got that far


def log(message: str) -> None:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# --- importtime parsing ---------------------------------------------------------------

_IMPORTTIME = re.compile(r"^import time:\s*(\d+)\s*\|\s*(\d+)\s*\|(.*)$")


def parse_importtime(stderr: str, module: str) -> int | None:
    """Return the cumulative microseconds of ``module`` in ``-X importtime`` output.

    The line whose last column is exactly ``module`` is used, preferring a top-level
    one (no indentation): for ``import a.b`` CPython logs one top-level line ``a.b``
    whose cumulative time includes the parent package ``a``, which appears nested.
    """
    nested: int | None = None
    for line in stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match is None:
            continue
        column = match.group(3)
        if column.strip() != module:
            continue
        cumulative = int(match.group(2))
        indent = len(column) - len(column.lstrip(" ")) - 1
        if indent <= 0:
            return cumulative
        if nested is None:
            nested = cumulative
    return nested


# --- subprocess and venv helpers ------------------------------------------------------


def clean_env() -> dict[str, str]:
    """The environment for child processes, without variables that change imports."""
    env = dict(os.environ)
    for key in (
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONPYCACHEPREFIX",
        "PYTHONNOUSERSITE",
        "VIRTUAL_ENV",
    ):
        env.pop(key, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(
    cmd: Sequence[str], *, timeout: float, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(cmd),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_env(),
        cwd=cwd,
        check=False,
    )


def checked(cmd: Sequence[str], *, timeout: float = PIP_TIMEOUT_S) -> str:
    proc = run(cmd, timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise MeasureError(
            f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}"
        )
    return proc.stdout


def venv_python(venv: Path) -> Path:
    if os.name == "nt":  # pragma: no cover
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def slug(package: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", package.lower()).strip("-")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_PY_HELPER = """
import importlib.metadata as m, json, sys
dists = sorted({d.metadata['Name'] for d in m.distributions() if d.metadata['Name']})
def version(name):
    try:
        return m.version(name)
    except m.PackageNotFoundError:
        return None
print(json.dumps({"dists": dists, "versions": {n: version(n) for n in sys.argv[1:]}}))
"""

_REQUIRES_HELPER = """
import importlib.metadata as m, json, sys
from pip._vendor.packaging.requirements import Requirement
out = []
for text in m.requires(sys.argv[1]) or []:
    req = Requirement(text)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        continue
    req.marker = None
    out.append([req.name, str(req)])
print(json.dumps(out))
"""


def inspect_venv(
    python: Path, names: Iterable[str]
) -> tuple[list[str], dict[str, str | None]]:
    data = json.loads(checked([str(python), "-c", _PY_HELPER, *names], timeout=120))
    return list(data["dists"]), dict(data["versions"])


def pip_install(python: Path, args: Sequence[str], constraints: Path | None) -> None:
    cmd = [str(python), "-m", "pip", "install", "--progress-bar", "off"]
    if constraints is not None:
        cmd += ["-c", str(constraints)]
    log("  pip install " + " ".join(args))
    checked(cmd + list(args))


def inherited_constraints(python: Path) -> list[str]:
    """Constraint files pip already applies from its configuration.

    A ``-c`` on the command line replaces the configured ones, so the file written for
    torch venvs includes them again.
    """
    proc = run([str(python), "-m", "pip", "config", "list"], timeout=120)
    found: list[str] = []
    for line in proc.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.strip().endswith(".constraint"):
            for item in value.strip().strip("'\"").split():
                if item and Path(item).is_file():
                    found.append(item)
    env_value = os.environ.get("PIP_CONSTRAINT", "")
    found += [item for item in env_value.split() if Path(item).is_file()]
    return list(dict.fromkeys(found))


def torch_guard(dists: Sequence[str], versions: Mapping[str, str | None]) -> None:
    torch = versions.get("torch")
    if torch is None or not torch.startswith(TORCH_VERSION):
        raise MeasureError(f"torch is {torch!r}, not {TORCH_VERSION}")
    nvidia = [d for d in dists if canonical(d).startswith("nvidia-")]
    if nvidia:
        raise MeasureError("nvidia packages were installed: " + ", ".join(nvidia))


def install_requested(entry: Entry) -> str:
    return f"{entry.package}=={entry.version}" if entry.version else entry.package


def prepare_venv(
    entry: Entry, work_dir: Path, reuse: bool, ready: dict[str, Path]
) -> Path:
    """Create (or reuse) the venv for ``entry.package`` and install it; return its python."""
    key = slug(entry.package)
    if key in ready:
        return ready[key]
    venv = work_dir / key
    python = venv_python(venv)
    if reuse and python.exists():
        dists, versions = inspect_venv(python, [entry.package, "torch"])
        usable = bool(versions.get(entry.package)) and (
            entry.version is None
            or versions[entry.package] == entry.version
            or str(versions[entry.package]).startswith(entry.version + "+")
        )
        if usable and entry.torch:
            try:
                torch_guard(dists, versions)
            except MeasureError as error:
                log(f"  not reusing {venv}: {error}")
                usable = False
        if usable:
            log(f"  reusing {venv}")
            ready[key] = python
            return python
    if venv.exists():
        shutil.rmtree(venv)
    log(f"  creating venv {venv}")
    checked([sys.executable, "-m", "venv", str(venv)], timeout=600)
    try:
        constraints: Path | None = None
        if entry.torch:
            pip_install(python, [f"torch=={TORCH_VERSION}"], None)
            _, versions = inspect_venv(python, ["torch"])
            constraints = venv / "torch-constraints.txt"
            lines = [f"-c {path}" for path in inherited_constraints(python)]
            lines.append(f"torch=={versions['torch']}")
            constraints.write_text("\n".join(lines) + "\n", encoding="utf-8")
        requested = install_requested(entry)
        extra = list(EXTRA_PACKAGES.get(entry.package, ()))
        if entry.exclude_deps:
            pip_install(python, ["--no-deps", requested], constraints)
            reqs = json.loads(
                checked(
                    [str(python), "-c", _REQUIRES_HELPER, entry.package], timeout=120
                )
            )
            excluded = {canonical(name) for name in entry.exclude_deps}
            deps = [spec for name, spec in reqs if canonical(name) not in excluded]
            if deps or extra:
                pip_install(python, deps + extra, constraints)
        else:
            pip_install(python, [requested, *extra], constraints)
        dists, versions = inspect_venv(python, ["torch"])
        present = {canonical(d) for d in dists}
        for name in entry.exclude_deps:
            if canonical(name) in present:
                raise MeasureError(f"{name} was installed although excluded")
        if entry.torch:
            torch_guard(dists, versions)
        elif any(canonical(d).startswith("nvidia-") for d in dists):
            raise MeasureError("nvidia packages were installed")
    except (MeasureError, subprocess.TimeoutExpired):
        log(f"  deleting {venv}")
        shutil.rmtree(venv, ignore_errors=True)
        raise
    ready[key] = python
    return python


def measure_import(python: Path, module: str, runs: int) -> list[float]:
    """Median-ready samples (ms) of ``import module``: one warm-up run, then ``runs``."""
    cmd = [str(python), "-X", "importtime", "-c", f"import {module}"]
    samples: list[float] = []
    with tempfile.TemporaryDirectory(prefix="importcost-cwd-") as cwd:
        # cwd is an empty directory so nothing in the checkout shadows the module.
        for index in range(runs + 1):
            proc = run(cmd, timeout=IMPORT_TIMEOUT_S, cwd=Path(cwd))
            if proc.returncode != 0:
                tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
                raise MeasureError(f"import {module} failed:\n{tail}")
            micro = parse_importtime(proc.stderr, module)
            if micro is None:
                raise MeasureError(f"no importtime line for {module}")
            if index == 0:
                log(f"  warm-up: {micro / 1000:.0f} ms (not counted)")
                continue
            samples.append(micro / 1000)
    return samples


def wait_for_quiet(max_load: float | None, max_wait: float) -> None:
    """Wait (at most ``max_wait`` s) until the 1-minute load average is <= ``max_load``."""
    if max_load is None or not hasattr(os, "getloadavg"):
        return
    deadline = time.monotonic() + max_wait
    load = os.getloadavg()[0]
    if load <= max_load:
        return
    log(f"  load {load:.2f} > {max_load}: waiting up to {max_wait:.0f} s")
    while load > max_load and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    log(f"  load now {load:.2f}")


def measure_entry(
    entry: Entry, work_dir: Path, runs: int, reuse: bool, ready: dict[str, Path]
) -> Result:
    python = prepare_venv(entry, work_dir, reuse, ready)
    _, versions = inspect_venv(python, [entry.package])
    version = versions.get(entry.package)
    if not version:
        raise MeasureError(f"{entry.package} is not installed in {python}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    try:
        samples = measure_import(python, entry.import_name, runs)
    except MeasureError as error:
        raise MeasureError(str(error), version) from error
    median = statistics.median(samples)
    log(
        f"  {entry.import_name}: median {median:.0f} ms, "
        f"min {min(samples):.0f}, max {max(samples):.0f} ({entry.package} {version})"
    )
    also: list[tuple[str, float, float, float]] = []
    for module in entry.also:
        extra = measure_import(python, module, runs)
        log(f"  also {module}: median {statistics.median(extra):.0f} ms")
        also.append((module, statistics.median(extra), min(extra), max(extra)))
    return Result(
        name=entry.name,
        module=entry.import_name,
        package=entry.package,
        version=version,
        cost_ms=round(median),
        source="measured",
        note=entry.note,
        median_ms=median,
        min_ms=min(samples),
        max_ms=max(samples),
        runs=len(samples),
        samples_ms=tuple(round(s, 1) for s in samples),
        load=None if load is None else round(load, 2),
        also=tuple(also),
    )


def cited_result(
    entry: Entry, error: Exception, modules: Mapping[str, Mapping[str, Any]]
) -> Result | None:
    """The fallback for an entry that could not be measured, or None when it has none."""
    cost = entry.cited_ms
    if entry.cited_from and entry.cited_from in modules:
        cost = int(modules[entry.cited_from]["cost_ms"])
    if cost is None or not entry.cited_source:
        return None
    reason = str(error).splitlines()[0]
    if entry.note:
        note = entry.note
    else:
        note = f"not measured here: {reason}"
    return Result(
        name=entry.name,
        module=entry.import_name,
        package=entry.package,
        version=getattr(error, "version", "") or "",
        cost_ms=cost,
        source=f"cited: {entry.cited_source}",
        note=note,
    )


# --- machine description --------------------------------------------------------------


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown CPU"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "cpu model"):
            return " ".join(value.split())
    return platform.processor() or "unknown CPU"


def machine_text() -> str:
    cores = os.cpu_count() or 0
    return f"{platform.platform()}; {cpu_model()}; {cores} cores"


def method_text(runs: int) -> str:
    return (
        f'python -X importtime -c "import <module>" in a fresh virtual environment per '
        f"PyPI package; cost is the cumulative time of the module's top-level importtime "
        f"line, median of {runs} fresh processes after one unmeasured run "
        f"(warm .pyc, cold process)"
    )


# --- catalog and report I/O -----------------------------------------------------------

MODULE_KEYS = ("name", "cost_ms", "version", "package", "source", "note")
HEADER_KEYS = ("script", "method", "machine", "python", "date")


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def load_catalog(path: Path) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    if not path.exists():
        return {}, {}
    if tomllib is None:  # pragma: no cover
        raise SystemExit(
            "merging into an existing catalog needs Python 3.11+ (tomllib)"
        )
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    header = {k: str(v) for k, v in data.get("measurement", {}).items()}
    modules = {str(m["name"]): dict(m) for m in data.get("module", [])}
    return header, modules


def render_catalog(
    header: Mapping[str, str], modules: Mapping[str, Mapping[str, Any]]
) -> str:
    lines = [
        f"# Generated by {SCRIPT}; edit the ENTRIES table in that script, then re-run it.",
        "[measurement]",
    ]
    lines += [f"{key} = {toml_str(header[key])}" for key in HEADER_KEYS]
    for name in sorted(modules):
        module = modules[name]
        lines += ["", "[[module]]"]
        for key in MODULE_KEYS:
            value = module.get(key, "")
            lines.append(
                f"{key} = {int(value)}"
                if key == "cost_ms"
                else f"{key} = {toml_str(str(value))}"
            )
    return "\n".join(lines) + "\n"


_DATA_MARK = "<!-- measurements:"
_EXCLUDED_MARK = "<!-- excluded:"


def load_report_rows(path: Path, mark: str = _DATA_MARK) -> dict[str, dict[str, Any]]:
    """The rows a previous run embedded in the report, so a partial run can merge."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    start = text.find(mark)
    if start < 0:
        return {}
    end = text.find("-->", start)
    rows = json.loads(text[start + len(mark) : end])
    return {row["name"]: row for row in rows}


def fmt_ms(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def render_report(
    header: Mapping[str, str],
    rows: Mapping[str, Mapping[str, Any]],
    excluded: Mapping[str, Mapping[str, Any]],
    cores: int,
    python_version: str,
) -> str:
    out = [
        "# Import costs of heavy modules",
        "",
        f"Generated by `{SCRIPT}`; it also writes `rules/catalogs/heavy_modules.toml`.",
        "Re-run it (or `--only NAME,...` for some entries) after editing its `ENTRIES` table.",
        "",
        "## Method",
        "",
        header["method"] + ".",
        "",
        (
            "The time is the `cumulative` column of the line whose last column is the module "
            "name itself; for a dotted name (`matplotlib.pyplot`) CPython logs one top-level "
            "line for the full name, which includes its parent packages. Each package is "
            "measured alone in its venv, with only its own dependencies: a module that imports "
            "optional libraries when they are installed costs more beside them (`nltk` imports "
            "`sklearn` when scikit-learn is installed). Packages that need PyTorch were "
            f"installed beside torch {TORCH_VERSION} (CPU build), constrained to it. `load` is "
            "the 1-minute load average just before the measured runs; a machine busy with "
            "other work inflates the times."
        ),
        "",
        "## Machine",
        "",
        f"- platform: {platform.platform()}",
        f"- CPU: {cpu_model()}",
        f"- cores: {cores}",
        f"- Python: {python_version}",
        f"- date: {header['date']}",
        "",
        "## Results",
        "",
        (
            "| catalog name | imported as | package | version | median ms | min–max ms | runs "
            "| load | source |"
        ),
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for name in sorted(rows):
        out.append(_report_line(rows[name]))
    notes = [
        (name, rows[name]["note"]) for name in sorted(rows) if rows[name].get("note")
    ]
    if notes:
        out += ["", "Notes:", ""]
        out += [f"- `{name}`: {note}" for name, note in notes]
    also = [
        (name, item)
        for name in sorted({**rows, **excluded})
        for item in ({**rows, **excluded}[name].get("also") or ())
    ]
    if also:
        out += [
            "",
            "## Other imports measured in the same environments (not catalog entries)",
            "",
            "| for entry | imported as | median ms | min–max ms |",
            "|---|---|---:|---:|",
        ]
        out += [
            f"| `{name}` | `{item[0]}` | {fmt_ms(item[1])} | {fmt_ms(item[2])}–"
            f"{fmt_ms(item[3])} |"
            for name, item in also
        ]
    if excluded:
        out += [
            "",
            f"## Measured but left out of the catalog (optional entries below {THRESHOLD_MS} ms)",
            "",
            (
                "| name | imported as | package | version | median ms | min–max ms | runs "
                "| load | source |"
            ),
            "|---|---|---|---|---:|---:|---:|---:|---|",
        ]
        out += [_report_line(excluded[name]) for name in sorted(excluded)]
    out += [
        "",
        _DATA_MARK
        + " "
        + json.dumps([rows[n] for n in sorted(rows)], ensure_ascii=False)
        + " -->",
        _EXCLUDED_MARK
        + " "
        + json.dumps([excluded[n] for n in sorted(excluded)], ensure_ascii=False)
        + " -->",
        "",
    ]
    return "\n".join(out)


def _report_line(row: Mapping[str, Any]) -> str:
    spread = (
        f"{fmt_ms(row.get('min_ms'))}–{fmt_ms(row.get('max_ms'))}"
        if row.get("min_ms") is not None
        else ""
    )
    median = fmt_ms(row.get("median_ms")) or f"({row['cost_ms']})"
    load = "" if row.get("load") is None else f"{row['load']:.2f}"
    return (
        f"| `{row['name']}` | `{row['module']}` | {row['package']} | {row['version']} | "
        f"{median} | {spread} | {row.get('runs') or ''} | {load} | {row['source']} |"
    )


def result_row(result: Result) -> dict[str, Any]:
    row = dataclasses.asdict(result)
    row["samples_ms"] = list(result.samples_ms)
    row["also"] = [list(item) for item in result.also]
    return row


# --- main -----------------------------------------------------------------------------


def select(only: str | None) -> list[Entry]:
    if not only:
        return list(ENTRIES)
    wanted = {item.strip() for item in only.split(",") if item.strip()}
    chosen = [e for e in ENTRIES if wanted & {e.name, e.import_name, e.package}]
    matched = {key for e in chosen for key in (e.name, e.import_name, e.package)}
    unknown = sorted(wanted - matched)
    if unknown:
        raise SystemExit(f"unknown entries in --only: {', '.join(unknown)}")
    return chosen


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--only", help="comma-separated entry, module or package names")
    parser.add_argument(
        "--runs", type=int, default=7, help="measured processes per module (>= 5)"
    )
    parser.add_argument(
        "--work-dir", type=Path, help="where the venvs go (default: a temporary dir)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse an existing venv in --work-dir"
    )
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument(
        "--max-load",
        type=float,
        help="before each entry, wait while the 1-minute load average is above this",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=300,
        help="seconds to wait at most for --max-load (default 300)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be measured"
    )
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    entries = select(args.only)
    if args.dry_run:
        for entry in entries:
            print(f"{entry.name}\t{entry.import_name}\t{install_requested(entry)}")
        return 0

    temporary = args.work_dir is None
    work_dir: Path = (
        Path(tempfile.mkdtemp(prefix="importcost-")) if temporary else args.work_dir
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    python_version = platform.python_version()
    started = time.monotonic()

    header, modules = load_catalog(args.catalog)
    rows = load_report_rows(args.report)
    machine = machine_text()
    if header.get("machine") and header["machine"] != machine:
        log(f"warning: the existing catalog was measured on {header['machine']!r}")

    ready: dict[str, Path] = {}
    excluded = load_report_rows(args.report, _EXCLUDED_MARK)
    failures: list[str] = []
    try:
        for number, entry in enumerate(entries, 1):
            log(
                f"[{number}/{len(entries)}] {entry.name} (import {entry.import_name}, "
                f"package {install_requested(entry)})"
            )
            wait_for_quiet(args.max_load, args.max_wait)
            try:
                result = measure_entry(entry, work_dir, args.runs, args.reuse, ready)
            except (
                MeasureError,
                subprocess.TimeoutExpired,
                OSError,
                ValueError,
            ) as error:
                reason = str(error).splitlines()[0]
                log(f"  FAILED: {error}")
                ready.pop(slug(entry.package), None)
                cited = cited_result(entry, error, modules)
                if cited is None:
                    failures.append(f"{entry.name}: {reason}")
                    if entry.name in modules:
                        log("  keeping the existing catalog entry")
                    continue
                log(f"  using the citation: {cited.cost_ms} ms ({cited.source})")
                result = cited
            if (
                not entry.required
                and result.source == "measured"
                and result.cost_ms < THRESHOLD_MS
            ):
                log(f"  below {THRESHOLD_MS} ms: not in the catalog")
                excluded[entry.name] = result_row(result)
                modules.pop(entry.name, None)
                rows.pop(entry.name, None)
                continue
            excluded.pop(entry.name, None)
            modules[entry.name] = {
                "name": result.name,
                "cost_ms": result.cost_ms,
                "version": result.version,
                "package": result.package,
                "source": result.source,
                "note": result.note,
            }
            rows[entry.name] = result_row(result)
    finally:
        if temporary:
            shutil.rmtree(work_dir, ignore_errors=True)

    if not args.only:
        known = {entry.name for entry in ENTRIES}
        for name in sorted(set(modules) - known):
            log(f"dropping {name!r}: no longer in ENTRIES")
            modules.pop(name)
        for name in sorted(set(excluded) - known):
            excluded.pop(name)

    header = {
        "script": SCRIPT,
        "method": method_text(args.runs),
        "machine": machine,
        "python": python_version,
        "date": dt.date.today().isoformat(),
    }
    args.catalog.parent.mkdir(parents=True, exist_ok=True)
    args.catalog.write_text(render_catalog(header, modules), encoding="utf-8")
    # Entries kept from an earlier catalog but with no report row get a minimal one.
    for name, module in modules.items():
        rows.setdefault(
            name,
            {
                "name": name,
                "module": name,
                "package": module["package"],
                "version": module["version"],
                "cost_ms": module["cost_ms"],
                "source": module["source"],
                "note": module["note"],
            },
        )
    for name in list(rows):
        if name not in modules:
            rows.pop(name)
    args.report.write_text(
        render_report(header, rows, excluded, os.cpu_count() or 0, python_version),
        encoding="utf-8",
    )
    log(
        f"wrote {args.catalog} ({len(modules)} entries) and {args.report} "
        f"in {time.monotonic() - started:.0f} s"
    )
    for failure in failures:
        log(f"not measured, no citation: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
