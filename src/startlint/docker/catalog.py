"""The Dockerfile catalog (`rules/catalogs/docker.toml`): loaded once, validated strictly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

from startlint import toml
from startlint.errors import ConfigError
from startlint.resources import rules_dir


@dataclass(frozen=True)
class SlimImage:
    repository: str
    version: re.Pattern[str]
    distros: tuple[str, ...]
    style: str  # "slim-distro" or "distro-slim"
    untagged: str


@dataclass(frozen=True)
class DevelImage:
    repository: str
    devel: str
    runtime: str


@dataclass(frozen=True)
class DockerCatalog:
    codename_repositories: tuple[str, ...]
    codenames: tuple[str, ...]
    slim: tuple[SlimImage, ...]
    devel: tuple[DevelImage, ...]
    cuda_repositories: tuple[str, ...]
    cuda_tag_markers: tuple[str, ...]
    torch_packages: tuple[str, ...]
    cpu_index_markers: tuple[str, ...]
    cpu_index_url: str
    cpu_index_packages: tuple[str, ...]
    build_tools: tuple[str, ...]
    migrations: tuple[str, ...]
    installs: tuple[str, ...]
    downloads: tuple[str, ...]
    inline_downloads: tuple[str, ...]
    collectstatic: tuple[str, ...]
    http_clients: tuple[str, ...]
    local_hosts: tuple[str, ...]
    servers: tuple[str, ...]
    wrappers: dict[str, int]
    hadolint_rules: dict[str, str]  # hadolint code -> its short description

    def is_build_tool(self, package: str) -> bool:
        return any(fnmatchcase(package, p) for p in self.build_tools)

    def is_local_host(self, host: str) -> bool:
        return any(fnmatchcase(host.lower(), p) for p in self.local_hosts)

    def is_cpu_index(self, url: str) -> bool:
        return any(marker in url for marker in self.cpu_index_markers)


_SCHEMA: dict[str, dict[str, str]] = {
    "pinning": {"codename_repositories": "strings", "codenames": "strings"},
    "cuda": {"repositories": "strings", "tag_markers": "strings"},
    "torch": {
        "packages": "strings",
        "cpu_index_markers": "strings",
        "cpu_index_url": "string",
        "cpu_index_packages": "strings",
    },
    "build_tools": {"packages": "strings"},
    "entrypoint": {
        "migrations": "strings",
        "installs": "strings",
        "downloads": "strings",
        "inline_downloads": "strings",
        "collectstatic": "strings",
        "http_clients": "strings",
        "local_hosts": "strings",
        "servers": "strings",
        "wrappers": "table of integers",
    },
    "hadolint": {"rules": "table of strings"},
}
_ARRAYS: dict[str, dict[str, str]] = {
    "slim": {"repository": "string", "version": "string", "distros": "strings", "style": "string", "untagged": "string"},
    "devel": {"repository": "string", "devel": "string", "runtime": "string"},
}
_STYLES = ("slim-distro", "distro-slim")


def _check(value: Any, kind: str, where: str) -> Any:
    ok = {
        "string": isinstance(value, str),
        "strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "table of integers": isinstance(value, dict)
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values()),
        "table of strings": isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
    }[kind]
    if not ok:
        raise ConfigError(f"{where}: expected {kind}, got {value!r}")
    if kind == "strings":
        duplicates = sorted({v for v in value if value.count(v) > 1})
        if duplicates:
            raise ConfigError(f"{where}: duplicate entries {duplicates}")
        return tuple(value)
    return value


def load(path: Path) -> DockerCatalog:
    data = toml.load(path)
    unknown = set(data) - set(_SCHEMA) - set(_ARRAYS)
    if unknown:
        raise ConfigError(f"{path}: unknown table(s) {sorted(unknown)}")
    tables: dict[str, dict[str, Any]] = {}
    for section, keys in _SCHEMA.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: missing table [{section}]")
        extra = set(table) - set(keys)
        if extra:
            raise ConfigError(f"{path}: [{section}]: unknown key(s) {sorted(extra)}")
        missing = set(keys) - set(table)
        if missing:
            raise ConfigError(f"{path}: [{section}]: missing key(s) {sorted(missing)}")
        tables[section] = {k: _check(table[k], kind, f"{path}: [{section}].{k}") for k, kind in keys.items()}
    arrays: dict[str, list[dict[str, Any]]] = {}
    for section, keys in _ARRAYS.items():
        entries = data.get(section, [])
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: [[{section}]] must be an array of tables")
        arrays[section] = []
        for i, raw in enumerate(entries, start=1):
            where = f"{path}: [[{section}]] #{i}"
            if not isinstance(raw, dict):
                raise ConfigError(f"{where}: must be a table")
            extra = set(raw) - set(keys)
            if extra:
                raise ConfigError(f"{where}: unknown key(s) {sorted(extra)}")
            missing = set(keys) - set(raw)
            if missing:
                raise ConfigError(f"{where}: missing key(s) {sorted(missing)}")
            arrays[section].append({k: _check(raw[k], kind, f"{where}.{k}") for k, kind in keys.items()})
    slim = []
    for i, raw in enumerate(arrays["slim"], start=1):
        if raw["style"] not in _STYLES:
            raise ConfigError(f"{path}: [[slim]] #{i}.style: expected one of {list(_STYLES)}")
        try:
            version = re.compile(raw["version"])
        except re.error as exc:
            raise ConfigError(f"{path}: [[slim]] #{i}.version: bad regular expression ({exc})") from None
        slim.append(SlimImage(raw["repository"], version, raw["distros"], raw["style"], raw["untagged"]))
    devel = [DevelImage(r["repository"], r["devel"], r["runtime"]) for r in arrays["devel"]]
    pin, cuda, torch = tables["pinning"], tables["cuda"], tables["torch"]
    ep = tables["entrypoint"]
    return DockerCatalog(
        codename_repositories=pin["codename_repositories"],
        codenames=pin["codenames"],
        slim=tuple(slim),
        devel=tuple(devel),
        cuda_repositories=cuda["repositories"],
        cuda_tag_markers=cuda["tag_markers"],
        torch_packages=torch["packages"],
        cpu_index_markers=torch["cpu_index_markers"],
        cpu_index_url=torch["cpu_index_url"],
        cpu_index_packages=torch["cpu_index_packages"],
        build_tools=tables["build_tools"]["packages"],
        migrations=ep["migrations"],
        installs=ep["installs"],
        downloads=ep["downloads"],
        inline_downloads=ep["inline_downloads"],
        collectstatic=ep["collectstatic"],
        http_clients=ep["http_clients"],
        local_hosts=ep["local_hosts"],
        servers=ep["servers"],
        wrappers=dict(ep["wrappers"]),
        hadolint_rules=dict(tables["hadolint"]["rules"]),
    )


@cache
def shipped() -> DockerCatalog:
    return load(rules_dir() / "catalogs" / "docker.toml")
