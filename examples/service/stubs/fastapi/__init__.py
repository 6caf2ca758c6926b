"""Stub of `fastapi`: routers that record their routes, and the exception and response types.

Decorators return the endpoint unchanged, as FastAPI's do, so tests call endpoints directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import stubtrace

stubtrace.imported("fastapi")

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    endpoint: Callable[..., Any]


class HTTPException(Exception):
    def __init__(self, status_code: int, detail: Any = None) -> None:
        super().__init__(status_code, detail)
        self.status_code, self.detail = status_code, detail


class Response:
    def __init__(self, content: str | bytes = b"", media_type: str | None = None) -> None:
        self.body = content.encode() if isinstance(content, str) else content
        self.media_type = media_type


class APIRouter:
    def __init__(self, prefix: str = "", tags: list[str] | None = None) -> None:
        self.prefix, self.tags = prefix, tags or []
        self.routes: list[Route] = []

    def add_api_route(self, path: str, endpoint: Callable[..., Any], methods: list[str]) -> None:
        self.routes += [Route(m, self.prefix + path, endpoint) for m in methods]

    def _route(self, method: str, path: str) -> Callable[[Endpoint], Endpoint]:
        def register(endpoint: Endpoint) -> Endpoint:
            self.add_api_route(path, endpoint, [method])
            return endpoint

        return register

    def get(self, path: str, **kwargs: Any) -> Callable[[Endpoint], Endpoint]:
        return self._route("GET", path)

    def post(self, path: str, **kwargs: Any) -> Callable[[Endpoint], Endpoint]:
        return self._route("POST", path)

    def include_router(self, router: APIRouter, prefix: str = "") -> None:
        self.routes += [Route(r.method, prefix + r.path, r.endpoint) for r in router.routes]


class FastAPI(APIRouter):
    def __init__(self, title: str = "FastAPI", version: str = "0.1.0") -> None:
        super().__init__()
        self.title, self.version = title, version
