from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fresh_layer_and_limits(settings: Any) -> Iterator[None]:
    """Each test gets a new in-memory channel layer (its queues belong to one event loop)
    and an empty rate-limit cache; the sockets' database work stays on one thread on
    PostgreSQL."""
    from channels.layers import channel_layers
    from django.core.cache import cache

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # The sockets' thread pool keeps a connection per thread; on PostgreSQL those would
    # outlive the test and hold the test database open; on SQLite in memory (shared cache)
    # two threads writing at once get "table is locked" instead of waiting.
    settings.PUNKT_CHAT_PARALLEL_DB = False
    channel_layers.backends = {}
    cache.clear()
    yield
    channel_layers.backends = {}
