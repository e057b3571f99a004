"""Demo data: each app registers a seeder; ``punkt demo`` runs them in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DEMO_PASSWORD = "punkt-demo-2026"
SEEDERS: list[tuple[int, Callable[[Any], list[str]]]] = []


def seeder(order: int) -> Callable[[Callable[[Any], list[str]]], Callable[[Any], list[str]]]:
    def register(fn: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
        SEEDERS.append((order, fn))
        SEEDERS.sort(key=lambda s: s[0])
        return fn

    return register
