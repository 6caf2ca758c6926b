"""Stub of `requests`: answers from `RESPONSES` (url -> JSON payload), 404 otherwise."""

from __future__ import annotations

from typing import Any

import stubtrace

stubtrace.imported("requests")

RESPONSES: dict[str, Any] = {}


class HTTPError(Exception):
    pass


class JSONDecodeError(ValueError):
    pass


class Response:
    def __init__(self, url: str, status_code: int, payload: Any) -> None:
        self.url, self.status_code, self._payload = url, status_code, payload

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HTTPError(f"{self.status_code} for url: {self.url}")

    def json(self) -> Any:
        if self._payload is None:
            raise JSONDecodeError(f"no JSON body from {self.url}")
        return self._payload


def get(url: str, params: Any = None, **kwargs: Any) -> Response:
    stubtrace.called(f"requests.get {url}")
    if url in RESPONSES:
        return Response(url, 200, RESPONSES[url])
    return Response(url, 404, None)

