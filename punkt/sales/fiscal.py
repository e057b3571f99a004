"""The fiscal register behind one small interface (Punkt is not a fiscal device: VAT Act
art. 111 — the receipt is printed by the register).

``PUNKT_FISCAL_BACKEND`` chooses: ``file`` (default: each receipt a JSON file in
``var/fiscal/``, for the demo, where a real register's driver would pick it up) or a
dotted path to a class with ``print_receipt(receipt) -> str`` (the receipt number) that
raises :class:`FiscalError` when the register refuses.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class FiscalError(Exception):
    pass


class FiscalRegister(Protocol):
    def print_receipt(self, receipt: dict[str, Any]) -> str: ...


class FileRegister:
    def print_receipt(self, receipt: dict[str, Any]) -> str:
        folder = Path(settings.VAR_DIR) / "fiscal"
        folder.mkdir(parents=True, exist_ok=True)
        number = f"PAR-{uuid.uuid4().hex[:12].upper()}"
        (folder / f"{receipt['document']}.json").write_text(
            json.dumps({**receipt, "receipt_number": number}, ensure_ascii=False, default=str),
            encoding="utf-8")
        return number


def register() -> FiscalRegister:
    backend = getattr(settings, "PUNKT_FISCAL_BACKEND", "file")
    if backend == "file":
        return FileRegister()
    cls: Any = import_string(backend)
    return cls()  # type: ignore[no-any-return]
