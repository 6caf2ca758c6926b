"""Stub of `torch`: a 1-D float tensor with the few operations the example uses."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from typing import Any

import stubtrace

stubtrace.imported("torch")

float32 = "float32"


class Tensor:
    def __init__(self, data: Sequence[float] | float) -> None:
        self._data: list[float] | float = [float(x) for x in data] if isinstance(data, Sequence) else float(data)

    def norm(self) -> Tensor:
        assert isinstance(self._data, list), "norm() of a 1-D tensor only"
        return Tensor(math.sqrt(sum(x * x for x in self._data)))

    def __truediv__(self, other: Tensor | float) -> Tensor:
        divisor = float(other)
        assert isinstance(self._data, list)
        return Tensor([x / divisor for x in self._data])

    def __float__(self) -> float:
        assert isinstance(self._data, float), "only a scalar tensor converts to float"
        return self._data

    def tolist(self) -> Any:  # as in torch: a list for 1-D, a number for 0-D
        return list(self._data) if isinstance(self._data, list) else self._data


def tensor(data: Sequence[float], dtype: str | None = None) -> Tensor:
    return Tensor(data)


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    yield
