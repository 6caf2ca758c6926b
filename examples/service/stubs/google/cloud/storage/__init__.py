"""Stub of `google.cloud.storage`: buckets and blobs kept in memory (`BLOBS`)."""

from __future__ import annotations

import stubtrace

stubtrace.imported("google.cloud.storage")

BLOBS: dict[tuple[str, str], bytes] = {}  # (bucket, object name) -> content


class Blob:
    def __init__(self, bucket: str, name: str) -> None:
        self.bucket, self.name = bucket, name

    def upload_from_string(self, data: str | bytes, content_type: str = "text/plain") -> None:
        BLOBS[(self.bucket, self.name)] = data.encode() if isinstance(data, str) else data

    def download_as_bytes(self) -> bytes:
        return BLOBS[(self.bucket, self.name)]


class Bucket:
    def __init__(self, name: str) -> None:
        self.name = name

    def blob(self, name: str) -> Blob:
        return Blob(self.name, name)


class Client:
    def __init__(self, project: str | None = None) -> None:
        stubtrace.called("storage.Client()")
        self.project = project

    def bucket(self, name: str) -> Bucket:
        return Bucket(name)

    def list_blobs(self, bucket: str, prefix: str = "") -> list[Blob]:
        return [Blob(b, n) for b, n in sorted(BLOBS) if b == bucket and n.startswith(prefix)]
