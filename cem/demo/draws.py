"""Fast scalar random draws for the demo's per-customer loops.

>>> import numpy as np
>>> d = Draws(np.random.default_rng(1), block=4)
>>> all(0 <= d.uniform() < 1 for _ in range(10)) and 2 <= d.integer(2, 3) <= 3
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


class Draws:
    """Fast scalar random draws for the per-customer loops, served from blocks that a
    numpy ``Generator`` fills (so everything still follows from one seed)."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16) -> None:
        self._rng = rng
        self._block = block
        self._u: list[float] = []
        self._n: list[float] = []

    def uniform(self) -> float:
        if not self._u:
            self._u = self._rng.random(self._block).tolist()
        return self._u.pop()

    def normal(self) -> float:
        if not self._n:
            self._n = self._rng.standard_normal(self._block).tolist()
        return self._n.pop()

    def chance(self, p: float) -> bool:
        return self.uniform() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.uniform() * len(items))]

    def expo(self, mean: float) -> float:
        return -math.log(1.0 - self.uniform()) * mean

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.uniform()

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.uniform() * (high - low + 1))
