"""C20 headers, C21 CSRF and no writes on GET, C3 mass assignment, error bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_isolation import punkt_routes


def _no_arg_routes() -> list[str]:
    from django.urls import NoReverseMatch

    names = []
    for name, cb in punkt_routes():
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        names.append(name)
    return names


SIMPLE_GETS = [n for n in _no_arg_routes() if n != "account_email_disabled"]
#: Reads of personal data that are themselves audited (C26): their one write is the audit row
#: (an access log a client could skip would prove nothing, so it is not a separate POST).
AUDITED_READS = {"customers:customer_export", "customers:customer_detail", "analytics:export",
                 "analytics:goals_export", "analytics:kpis_export", "surveys:results_export",
                 "analytics:campaigns_export", "pipeline:funnel_export",
                 "analytics:loyalty_export", "analytics:segments_export"}


#: the chat widget's script and style: public, the same for everyone, cached by browsers
EMBEDDED_ASSETS = {"chat:widget_js", "chat:widget_css"}


@pytest.mark.parametrize("url_name", SIMPLE_GETS)

def test_headers_and_no_writes_on_get(url_name: str, world: Any, client_as: Any) -> None:
    for user in (world.admin, world.expert, world.manager_a,
                 world.cashier_a):  # the first allowed to open it
        client = client_as(user)
        client.get("/")  # settle the session's last-seen stamp
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(url_name), follow=False)
        if response.status_code != 403:
            break
    assert response.status_code in (200, 302, 405)  # 405: a POST-only action
    writes = [q["sql"] for q in ctx.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
              and "django_session" not in q["sql"]
              and not (url_name in AUDITED_READS and "core_auditevent" in q["sql"])]
    assert not writes, writes
    csp = response["Content-Security-Policy"]
    if response["Content-Type"].startswith(("text/html", "application/json")):
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    else:  # a file (export, sample, PDF): loads and runs nothing
        assert csp.startswith("default-src 'none';"), csp
    if response.status_code == 200 and response["Content-Type"].startswith("text/html") \
            and b"<html" in response.content and b"<script" in response.content:
        assert "'nonce-" in csp  # a full page's scripts run by nonce (a page without any,
        # like the public contact form, gets no script-src exception at all)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if url_name in EMBEDDED_ASSETS:  # loaded by the company's own site, the same for all
        assert response["Cache-Control"].startswith("public")
    else:
        assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_files_get_a_strict_csp(world: Any, client_as: Any) -> None:
    """C20: downloads and PDFs built by views (not only stored files) load and run nothing:
    ``default-src 'none'`` with ``sandbox``; PDFs (which browsers will not show sandboxed)
    may be framed only by Punkt itself."""
    from punkt.core.files import file_csp

    sample = client_as(world.expert).get(reverse("cashdesk:invoice_import_sample"))
    assert sample.status_code == 200
    assert sample["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert file_csp("application/pdf") == "default-src 'none'; frame-ancestors 'self'"
    page = client_as(world.expert).get(reverse("core:dashboard"))
    assert "default-src 'self'" in page["Content-Security-Policy"]  # pages keep theirs


def test_post_without_csrf_token_is_refused(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin, backend="punkt.organization.backends.EmployeeBackend")
    response = client.post(reverse("organization:branch_create"), {"code": "X"})
    assert response.status_code == 403
    response = client.post("/api/v1/branches", json.dumps({"code": "X"}),
                           content_type="application/json")
    assert response.status_code == 403


def test_api_token_requests_need_no_csrf(world: Any, client: Client) -> None:
    from punkt.organization.services import api_token_create

    _t, secret = api_token_create(actor=world.expert, name="t")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/branches", json.dumps({
        "code": "NEW-01", "name": "Nowy", "street": "ul. A 1", "postal_code": "00-001",
        "city": "Łódź"}), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201, response.content
    assert response.json()["city"] == "Łódź"


def test_mass_assignment_is_rejected(world: Any, client_as: Any) -> None:
    client = client_as(world.expert)
    response = client.patch(f"/api/v1/branches/{world.a.pk}",
                            json.dumps({"name": "X", "kind": "hq", "id": 999}),
                            content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["field"] in ("kind", "id")
    world.a.refresh_from_db()
    assert world.a.name == "Oddział A" and world.a.kind == "branch"
    # The page form ignores fields it does not have.
    client.post(f"/organisation/branches/{world.a.pk}/edit/", {
        "code": "AAA-01", "name": "Oddział A", "street": "ul. Testowa 1",
        "postal_code": "00-001", "city": "Warszawa", "is_active": "on", "kind": "hq"})
    world.a.refresh_from_db()
    assert world.a.kind == "branch"


def test_employee_api_cannot_set_staff_flags(world: Any, client_as: Any) -> None:
    response = client_as(world.admin).patch(
        f"/api/v1/employees/{world.service_a.pk}", json.dumps({"is_superuser": True}),
        content_type="application/json")
    assert response.status_code == 422
    world.service_a.refresh_from_db()
    assert not world.service_a.is_superuser


def test_api_validation_error_names_field(world: Any, client_as: Any) -> None:
    response = client_as(world.expert).post("/api/v1/branches", json.dumps({
        "code": "NEW-01", "name": "Nowy", "street": "ul. A 1", "postal_code": "00001",
        "city": "Łódź"}), content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "field": "postal_code",
                               "message": response.json()["message"]}


def test_api_refusal_is_403_with_reason(world: Any, client_as: Any) -> None:
    response = client_as(world.manager_a).post("/api/v1/branches", json.dumps({
        "code": "NEW-01", "name": "Nowy", "street": "ul. A 1", "postal_code": "00-001",
        "city": "Łódź"}), content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert response.json()["message"]


def test_form_error_is_shown_next_to_field(world: Any, client_as: Any) -> None:
    response = client_as(world.expert).post(reverse("organization:branch_create"), {
        "code": "NEW-01", "name": "Nowy", "street": "ul. A 1", "postal_code": "00001",
        "city": "Łódź"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_postal_code_error"' in html


def test_hostile_text_is_inert(world: Any, client_as: Any) -> None:
    from punkt.organization.services import branch_update

    branch_update(actor=world.admin, branch_id=world.a.pk, name="<script>alert(1)</script>{{7*7}}")
    html = client_as(world.admin).get(f"/organisation/branches/{world.a.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "{{7*7}}" in html


def test_server_error_shows_no_trace(world: Any, settings: Any) -> None:
    settings.DEBUG = False
    from django.test import RequestFactory

    from punkt.core.handlers import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Traceback" not in response.content


def test_polish_is_the_default_even_for_english_browsers(world: Any, client_as: Any) -> None:
    client = client_as(world.manager_a)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="pl"' in html and "Pulpit" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html and "Dashboard" in html


def test_polish_plural_forms(world: Any, client_as: Any) -> None:
    from django.template import engines
    from django.utils import translation

    tpl = engines["django"].from_string(
        "{% blocktranslate count counter=n %}{{ counter }} record{% plural %}"
        "{{ counter }} records{% endblocktranslate %}")
    with translation.override("pl"):
        assert [tpl.render({"n": n}) for n in (1, 2, 5, 12, 22, 101)] == [
            "1 rekord", "2 rekordy", "5 rekordów", "12 rekordów", "22 rekordy", "101 rekordów"]


def test_nul_characters_get_a_clear_400(world: Any, client_as: Any) -> None:
    client = client_as(world.admin)
    response = client.get("/api/v1/branches?kind=a%00b")
    assert response.status_code == 400 and response.json()["field"] == "kind"
    response = client.post("/api/v1/branches", '{"code": "A\\u0000B"}',
                           content_type="application/json")
    assert response.status_code == 400
    response = client.get("/organisation/employees/?q=x%00")
    assert response.status_code == 400 and b"q" in response.content


def test_employee_language_setting_applies_without_cookie(world: Any, client_as: Any) -> None:
    world.manager_a.language = "en"
    world.manager_a.save()
    html = client_as(world.manager_a).get("/").content.decode()
    assert 'lang="en"' in html
