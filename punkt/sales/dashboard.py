"""Menu entries and dashboard panels."""

from __future__ import annotations
