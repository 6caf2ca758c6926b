"""Stub of `google.cloud.pubsub_v1`: a publisher that keeps its messages in `PUBLISHED`."""

from __future__ import annotations

import stubtrace

stubtrace.imported("google.cloud.pubsub_v1")

PUBLISHED: list[tuple[str, bytes, dict[str, str]]] = []  # (topic path, data, attributes)


class Future:
    def __init__(self, message_id: str) -> None:
        self._message_id = message_id

    def result(self, timeout: float | None = None) -> str:
        return self._message_id


class PublisherClient:
    def __init__(self) -> None:
        stubtrace.called("pubsub_v1.PublisherClient()")

    @staticmethod
    def topic_path(project: str, topic: str) -> str:
        return f"projects/{project}/topics/{topic}"

    def publish(self, topic: str, data: bytes, **attrs: str) -> Future:
        PUBLISHED.append((topic, data, attrs))
        return Future(str(len(PUBLISHED)))
