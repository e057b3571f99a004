"""Storing and serving material files: size limit, type decided by content, random names
on disk, safe download names (C24)."""

from __future__ import annotations

import codecs
import uuid
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _

from punkt.core.errors import NotFound, ValidationFailed

MAX_SIZE = 20 * 1024 * 1024
#: kind → (extension, content type)
KINDS = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpeg": ("jpg", "image/jpeg"),
    "docx": ("docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("pptx",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "text": ("txt", "text/plain; charset=utf-8"),
    "csv": ("csv", "text/csv; charset=utf-8"),
}


def material_dir() -> Path:
    path = Path(settings.VAR_DIR) / "materials"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(path: Path, name: str) -> str:
    """The file's kind from its bytes; the name only tells CSV from plain text."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            names = set()
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(n.startswith(prefix) for n in names):
                return kind
    elif b"\x00" not in head:
        # Incremental: a character cut at the 4 KB boundary is not an encoding error.
        for decoder in (codecs.getincrementaldecoder("utf-8")(),
                        codecs.getincrementaldecoder("cp1250")()):
            try:
                decoder.decode(head, final=False)
            except UnicodeDecodeError:
                continue
            return "csv" if name.lower().endswith(".csv") else "text"
    raise ValidationFailed("invalid_file", _(
        "This file type is not accepted: send PDF, DOCX, XLSX, PPTX, PNG, JPG, CSV or text."),
        field="file")


def store(uploaded: Any) -> tuple[str, str, str, int]:
    """Save an upload under a random name: (original name, stored name, content type,
    size). Nothing stays on disk when the file is refused."""
    if uploaded is None:
        raise ValidationFailed("required", _("Choose a file."), field="file")
    if uploaded.size > MAX_SIZE:
        raise ValidationFailed("too_large", _("The file is larger than 20 MB."), field="file")
    original = Path(str(uploaded.name or "plik")).name[:200] or "plik"
    temp = material_dir() / f"{uuid.uuid4().hex}.part"
    try:
        with open(temp, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        ext, content_type = KINDS[sniff(temp, original)]
        stored = f"{uuid.uuid4().hex}.{ext}"
        temp.rename(material_dir() / stored)
    finally:
        temp.unlink(missing_ok=True)
    # Downloaded under the type found, not the one claimed: "cennik.bat" → "cennik.txt".
    stem = Path(original).stem or "plik"
    return f"{stem}.{ext}", stored, content_type, int(uploaded.size)


def response_for(stored_name: str, file_name: str, content_type: str) -> FileResponse:
    """The file for the browser: PDFs and images shown inline, anything else downloaded;
    the Polish file name kept (RFC 6266 ``filename*``), nothing run from it."""
    try:
        handle = open(path_of(stored_name), "rb")  # noqa: SIM115 - FileResponse closes it
    except (OSError, ValueError):
        raise NotFound(_("The file is missing.")) from None
    inline = content_type.startswith(("application/pdf", "image/"))
    response = FileResponse(handle, as_attachment=not inline, filename=file_name,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Browsers refuse to show a PDF under "sandbox"; PDFs still load nothing else.
    response["Content-Security-Policy"] = (
        "default-src 'none'; frame-ancestors 'self'" if content_type == "application/pdf"
        else "default-src 'none'; sandbox")
    return response


def path_of(stored_name: str) -> Path:
    path = (material_dir() / stored_name).resolve()
    if path.parent != material_dir().resolve():  # never outside the directory
        raise ValueError("bad stored name")
    return path
