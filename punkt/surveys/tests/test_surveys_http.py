"""Pages of surveys: the customer's public page (no sign-in, a GET writes nothing, the link
expires, one answer, nothing of another customer), the staff's pages by role and branch."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.core.models import AuditEvent
from punkt.surveys import services
from punkt.surveys.models import FollowUp, Invitation, Response
from punkt.surveys.tests.factories import customer, invitation, questionnaire, scores

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("survey_answer", args=[token])


def test_the_public_page_shows_the_questions_and_writes_nothing_on_get(world: Any,
                                                                        client: Any) -> None:
    inv, token = invitation(world)
    before = (AuditEvent.objects.count(), Response.objects.count())
    page = client.get(_url(token))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Jak oceniasz uprzejmość pracownika?" in text
    assert text.count("<fieldset") == 2 and text.count("<legend>") == 2
    assert 'type="radio"' in text and "<script" not in text
    assert inv.customer.last_name not in text and inv.customer.email not in text
    assert (AuditEvent.objects.count(), Response.objects.count()) == before
    assert Invitation.objects.get(pk=inv.pk).answered_at is None


def test_the_page_in_english_for_a_customer_abroad(world: Any, client: Any) -> None:
    cust = customer(world, country="DE", postal_code="10115", city="Berlin")
    inv, token = invitation(world, cust=cust)
    text = client.get(_url(token)).content.decode()
    assert "How courteous was the employee?" in text and '<html lang="en">' in text


def test_answering_through_the_page_then_again(world: Any, client: Any) -> None:
    inv, token = invitation(world)
    q = inv.questionnaire
    done = client.post(_url(token), {**scores(q, 2, 4), "comment": "Długo czekałem."})
    assert done.status_code == 200 and "Dziękujemy" in done.content.decode()
    assert Response.objects.get().comment == "Długo czekałem."
    assert FollowUp.objects.count() == 1
    again = client.post(_url(token), scores(q, 5, 5))
    assert again.status_code == 409
    assert "Ta ankieta została już wypełniona" in again.content.decode()
    assert Response.objects.count() == 1


def test_a_missing_score_is_shown_and_nothing_is_saved(world: Any, client: Any) -> None:
    inv, token = invitation(world)
    first = inv.questionnaire.questions.all()[0]
    page = client.post(_url(token), {f"q{first.pk}": "4"})
    assert page.status_code == 422 and 'role="alert"' in page.content.decode()
    assert 'value="4" required checked' in page.content.decode()
    assert not Response.objects.exists()


def test_an_expired_or_unknown_link_shows_nothing(world: Any, client: Any) -> None:
    inv, token = invitation(world)
    Invitation.objects.filter(pk=inv.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get(_url(token))
    assert expired.status_code == 410
    assert "Jak oceniasz" not in expired.content.decode()
    assert client.post(_url(token), scores(inv.questionnaire, 5, 5)).status_code == 410
    assert client.get(_url("nieznany-token")).status_code == 404
    assert not Response.objects.exists()


def test_a_token_of_one_customer_shows_nothing_of_another(world: Any, client: Any) -> None:
    q = questionnaire(world)
    first, first_token = invitation(world, q)
    second, _token = invitation(world, q, customer(world, first_name="Adam",
                                                   last_name="Nowak", email="adam@example.pl"))
    text = client.get(_url(first_token)).content.decode()
    assert "Nowak" not in text and "adam@example.pl" not in text
    client.post(_url(first_token), scores(q, 3, 3))
    assert Invitation.objects.get(pk=second.pk).answered_at is None
    assert Response.objects.get().invitation_id == first.pk


def test_staff_pages_by_role(world: Any, client_as: Any) -> None:
    inv, token = invitation(world)
    services.answer_submit(token=token, scores=scores(inv.questionnaire, 2, 5))
    f = FollowUp.objects.get()
    retention = client_as(world.retention_a)
    detail = retention.get(reverse("surveys:followup_detail", args=[f.pk]))
    text = detail.content.decode()
    assert detail.status_code == 200
    assert reverse("customers:customer_detail", args=[inv.customer_id]) in text
    # the sale the survey was about, linked for those who may open sales
    manager_page = client_as(world.manager_a).get(reverse("surveys:followup_detail",
                                                          args=[f.pk])).content.decode()
    assert reverse("sales:sale_detail", args=[int(inv.source_id)]) in manager_page
    assert "Jak oceniasz uprzejmość pracownika?" in text
    assert retention.get(reverse("surveys:followup_list")).status_code == 200
    assert f.number in retention.get(reverse("surveys:followup_list")).content.decode()
    assert client_as(world.service_a).get(
        reverse("surveys:followup_detail", args=[f.pk])).status_code == 403
    assert client_as(world.manager_b).get(
        reverse("surveys:followup_detail", args=[f.pk])).status_code == 404
    closed = retention.post(reverse("surveys:followup_move", args=[f.pk, "close"]),
                            {"outcome": "resolved", "note": "Wyjaśnione."})
    assert closed.status_code == 302
    assert FollowUp.objects.get().status == "closed"
    # results: the manager sees his branch, HQ all; the editor is HQ's
    results = client_as(world.manager_a).get(reverse("surveys:results"))
    assert results.status_code == 200 and inv.customer.last_name in results.content.decode()
    assert client_as(world.service_a).get(reverse("surveys:results")).status_code == 403
    assert client_as(world.manager_a).get(
        reverse("surveys:questionnaire_list")).status_code == 403
    assert client_as(world.expert).get(reverse("surveys:questionnaire_list")).status_code == 200


def test_the_call_names_the_complaint_registered_and_links_it(world: Any,
                                                              client_as: Any) -> None:
    from punkt.complaints.tests.factories import complaint

    inv, token = invitation(world)
    services.answer_submit(token=token, scores=scores(inv.questionnaire, 2, 2))
    f = FollowUp.objects.get()
    theirs = complaint(world, cust=inv.customer)
    retention = client_as(world.retention_a)
    page = retention.get(reverse("surveys:followup_detail", args=[f.pk])).content.decode()
    assert f'<option value="{theirs.pk}">{theirs.number}' in page
    assert reverse("complaints:complaint_new") + f"?customer_id={inv.customer_id}" in page
    url = reverse("surveys:followup_move", args=[f.pk, "close"])
    refused = retention.post(url, {"outcome": "complaint"}, follow=True)
    assert "Najpierw zarejestruj reklamację" in refused.content.decode()
    assert FollowUp.objects.get().status == "open"
    retention.post(url, {"outcome": "complaint", "complaint_id": str(theirs.pk)})
    page = retention.get(reverse("surveys:followup_detail", args=[f.pk])).content.decode()
    assert reverse("complaints:complaint_detail", args=[theirs.pk]) in page
    api = retention.get(f"/api/v1/survey-followups/{f.pk}").json()
    assert api["complaint_id"] == theirs.pk


def test_hq_creates_a_questionnaire_through_the_page(world: Any, client_as: Any) -> None:
    expert = client_as(world.expert)
    bad = expert.post(reverse("surveys:questionnaire_create"), {
        "name": "Po zakupie", "title_pl": "Jak oceniasz zakup?", "questions": "",
        "quiet_days": "30", "reminder_days": "7", "valid_days": "30"})
    assert bad.status_code == 422
    made = expert.post(reverse("surveys:questionnaire_create"), {
        "name": "Po zakupie", "title_pl": "Jak oceniasz zakup?", "title_en": "Your purchase",
        "questions": "Obsługa | Service\nCena", "rules": ["first_sale", "contract"],
        "comment_box": "on", "promotes_offers": "on", "is_active": "on",
        "quiet_days": "30", "reminder_days": "7", "valid_days": "30"})
    assert made.status_code == 302
    from punkt.surveys.models import Questionnaire

    q = Questionnaire.objects.get(name="Po zakupie")
    assert (q.rules, q.promotes_offers, q.is_active) == (["first_sale", "contract"], True, True)
    assert [(x.text_pl, x.text_en) for x in q.questions.all()] == [("Obsługa", "Service"),
                                                                   ("Cena", "")]
    assert expert.get(reverse("surveys:questionnaire_edit", args=[q.pk])).status_code == 200


def test_the_counter_mode_from_the_profile(world: Any, client_as: Any) -> None:
    q = questionnaire(world)
    cust = customer(world)
    service = client_as(world.service_a)
    assert service.get(reverse("surveys:counter", args=[cust.pk])).status_code == 200
    opened = service.post(reverse("surveys:counter", args=[cust.pk]), {"questionnaire": q.pk})
    assert opened.status_code == 302 and "/survey/" in opened["Location"]
    tablet = service.get(opened["Location"])
    assert tablet.status_code == 200 and cust.last_name not in tablet.content.decode()
    done = service.post(opened["Location"], scores(q, 5, 4))
    assert done.status_code == 200
    assert Response.objects.get().at_counter
    assert client_as(world.service_b).get(
        reverse("surveys:counter", args=[cust.pk])).status_code == 404


def test_the_results_and_answers_export_for_managers_and_hq(world: Any,
                                                            client_as: Any) -> None:
    inv, token = invitation(world)
    q = inv.questionnaire
    services.answer_submit(token=token, scores=scores(q, 2, 5), comment="=HYPERLINK(\"x\")")
    url = reverse("surveys:results_export")
    assert client_as(world.service_a).get(url + f"?questionnaire={q.pk}").status_code == 403
    assert client_as(world.retention_a).get(url + f"?questionnaire={q.pk}").status_code == 403
    again = client_as(world.manager_a, reauthenticated=False).get(url)
    assert again.status_code == 302 and "reauthenticate" in again["Location"]
    manager = client_as(world.manager_a)
    figures = b"".join(manager.get(url + f"?questionnaire={q.pk}").streaming_content
                       ).decode("utf-8-sig").splitlines()
    assert figures[0].startswith("Sekcja;")
    total = figures[1].split(";")
    assert total[2:5] == ["1", "1", "100,00"] and total[6] == "1"  # invited, answered, rate, low
    answers = b"".join(manager.get(url + f"?questionnaire={q.pk}&what=answers")
                       .streaming_content).decode("utf-8-sig").splitlines()
    assert len(answers) == 2
    row = answers[1].split(";")
    assert row[2] == inv.customer.number and row[5:8] == ["2", "5", "2"]  # q1, q2, lowest
    assert "'=HYPERLINK" in answers[1]
    assert AuditEvent.objects.filter(action="surveys.result.export", outcome="ok").count() == 2
    # another branch's manager exports nothing of branch A
    other = b"".join(client_as(world.manager_b).get(
        url + f"?questionnaire={q.pk}&what=answers").streaming_content).decode("utf-8-sig")
    assert inv.customer.number not in other
    assert client_as(world.manager_a).get(url + "?questionnaire=999999").status_code == 404
