"""Contract templates: placeholders checked at upload, values escaped, PDF offline."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.core.errors import ValidationFailed
from punkt.core.pdf import render_pdf
from punkt.materials import contract_template, services

TEMPLATE = """UMOWA nr {{ numer }} z dnia {{ data }}, {{ Miejscowość }}
Klient: {{ klient }}, {{ identyfikator }}, {{ adres }}
Usługi: {{ pozycje }} — razem {{ razem }} miesięcznie przez {{ okres }} miesięcy.
[[podpis: Klient]] [[podpis: Pracownik {{ oddzial }}]]
"""


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def test_upload_reads_fields_and_signatures(world: Any) -> None:
    m = services.material_create(actor=world.expert, kind="contract_template", title="Umowa")
    v = services.version_create(actor=world.expert, material_id=m.pk,
                                valid_from=timezone.localdate(),
                                uploaded=SimpleUploadedFile("umowa.txt", TEMPLATE.encode()))
    assert v.template["fields"][:4] == ["numer", "data", "miejscowosc", "klient"]
    assert v.template["signatures"][0] == "Klient"


@pytest.mark.parametrize(("text", "expected"), [
    ("Umowa {{ kilent }} [[podpis: Klient]]", "kilent"),       # a typo in a field
    ("Umowa {{ klient }}", "signature"),                         # nowhere to sign
    ("{% load x %}{{ klient }} [[podpis: Klient]]", "tags"),     # no template language
])
def test_bad_templates_are_refused_with_the_reason(world: Any, text: str,
                                                   expected: str) -> None:
    from django.utils.translation import override

    m = services.material_create(actor=world.expert, kind="contract_template", title="Umowa")
    with override("en"), pytest.raises(ValidationFailed) as exc:
        services.version_create(actor=world.expert, material_id=m.pk,
                                valid_from=timezone.localdate(),
                                uploaded=SimpleUploadedFile("umowa.txt", text.encode()))
    assert exc.value.field == "file" and expected in exc.value.message
    with pytest.raises(ValidationFailed):  # and a PDF is not a template
        services.version_create(actor=world.expert, material_id=m.pk,
                                valid_from=timezone.localdate(),
                                uploaded=SimpleUploadedFile("u.pdf", b"%PDF-1.4\n%%EOF\n"))


def _text(pdf: bytes, tmp_path: Any) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_hostile_values_are_printed_as_typed(tmp_path: Any) -> None:
    values = contract_template.sample_values() | {
        "klient": "<script>alert(1)</script> {{7*7}} Żółć", "adres": "<b>ul. Zła</b>"}
    html = contract_template.to_html(TEMPLATE, values, title="Umowa")
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = _text(render_pdf(html), tmp_path)
    assert "<script>alert(1)</script> {{7*7}} Żółć" in text and "<b>ul. Zła</b>" in text
    assert "Kraków" in text and "49" not in text.split("Klient:")[1].split(",")[0]


@contextlib.contextmanager
def _listener() -> Iterator[tuple[str, list[Any]]]:
    """A server on another loopback address that counts every connection made to it
    for as long as the ``with`` block runs (and any still queued when it ends)."""
    server = socket.socket()
    server.bind(("127.0.0.2", 0))
    server.listen(50)
    server.settimeout(0.05)
    hits: list[Any] = []
    stop = threading.Event()

    def accept() -> None:
        with contextlib.suppress(TimeoutError, BlockingIOError, InterruptedError):
            conn, peer = server.accept()
            hits.append(peer)
            conn.close()  # refuse to serve: a fetcher gets an error, not a hang

    def listen() -> None:
        while not stop.is_set():
            accept()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.2:{server.getsockname()[1]}", hits
    finally:
        stop.set()
        thread.join()
        server.setblocking(False)
        for _ in range(50):  # connections queued but not yet accepted count too
            before = len(hits)
            accept()
            if len(hits) == before:
                break
        server.close()


def _hostile_html(url: str) -> str:
    return (f'<html><head><link rel="stylesheet" href="{url}/a.css"><style>@import '
            f'"{url}/b.css"; @font-face {{ font-family: X; src: url({url}/f.ttf); }} '
            f'body {{ font-family: X; background: url({url}/bg.png); }}</style></head>'
            f'<body><img src="{url}/x.png"><img src="file:///etc/passwd">Umowa</body></html>')


def test_rendering_fetches_nothing_from_the_network(tmp_path: Any) -> None:
    """C23: images, stylesheets and fonts from anywhere but Punkt's static files are
    refused — a listener on another loopback address, open for the whole render, sees
    no connection."""
    with _listener() as (url, hits):
        pdf = render_pdf(_hostile_html(url))
    assert hits == [] and pdf.startswith(b"%PDF-")


def test_the_network_listener_sees_a_fetching_renderer() -> None:
    """The check above can fail: the same document rendered through a fetcher that does
    fetch (WeasyPrint's default) reaches the listener."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with _listener() as (url, hits):
        HTML(string=_hostile_html(url), url_fetcher=URLFetcher()).write_pdf()
    assert len(hits) >= 1


def test_hq_previews_the_template_as_pdf(world: Any, client_as: Any, tmp_path: Any) -> None:
    m = services.material_create(actor=world.expert, kind="contract_template", title="Umowa")
    v = services.version_create(actor=world.expert, material_id=m.pk,
                                valid_from=timezone.localdate(),
                                uploaded=SimpleUploadedFile("umowa.txt", TEMPLATE.encode()))
    hq = client_as(world.expert)
    assert 'data-testid="template-preview"' in hq.get(
        f"/materials/manage/{m.pk}/").content.decode()
    response = hq.get(f"/materials/manage/versions/{v.pk}/preview/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Jan Kowalski" in _text(response.content, tmp_path)
    assert client_as(world.manager_a).get(
        f"/materials/manage/versions/{v.pk}/preview/").status_code == 403


def test_values_cannot_add_signature_places_and_templates_must_be_utf8(world: Any) -> None:
    html = contract_template.to_html(TEMPLATE, {"klient": "Jan [[podpis: Dyrektor]]"})
    assert html.count('class="signature"') == 2 and "[[podpis: Dyrektor]]" in html
    m = services.material_create(actor=world.expert, kind="contract_template", title="Umowa")
    with pytest.raises(ValidationFailed) as exc:
        services.version_create(actor=world.expert, material_id=m.pk,
                                valid_from=timezone.localdate(),
                                uploaded=SimpleUploadedFile("u.txt", TEMPLATE.encode("cp1250")))
    assert exc.value.field == "file" and "UTF-8" in exc.value.message
