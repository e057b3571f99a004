"""Customer services: registration, consents, search, duplicates, timeline, GDPR, merge."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers import gdpr, selectors, services, timeline
from punkt.customers.models import (
    Consent,
    ConsentEvent,
    Customer,
    CustomerStatus,
    CustomerWord,
    SearchWord,
    TimelineEntry,
)
from punkt.customers.tests.factories import BASIS, CustomerFactory


def register(world: Any, actor: Any = None, branch: Any = None, **data: Any) -> Customer:
    return CustomerFactory.create(actor=actor or world.service_a, branch=branch or world.a, **data)


def test_register_person_fills_birth_date_and_records_basis(world: Any) -> None:
    c = register(world, pesel="85010112345", phone="601 234 567", email="Jan@Example.pl",
                 consents=[*BASIS, {"purpose": "marketing_email", "granted": True}])
    assert c.birth_date == datetime.date(1985, 1, 1) and c.age_band
    assert c.phone == "+48601234567" and c.email == "jan@example.pl"
    assert c.display_name == "Jan Kowalski" and c.sort_key == "kowalski jan"
    assert set(Consent.objects.filter(customer=c, granted=True).values_list(
        "purpose", flat=True)) == {"contract", "marketing_email"}
    assert TimelineEntry.objects.filter(customer=c).count() == 1
    row = AuditEvent.objects.get(action="customers.customer.create")
    assert row.object_repr == c.number  # no name in the append-only log
    assert row.changes["pesel"][1] == "850101*****"  # PESEL masked in logs


def test_update_logs_a_pesel_change_hidden_by_the_mask(world: Any) -> None:
    c = register(world, pesel="85010112345")
    services.customer_update(actor=world.service_a, customer_id=c.pk,
                             data={"pesel": "85010154325"})  # same birth date, new serial
    row = AuditEvent.objects.get(action="customers.customer.update")
    assert row.changes["pesel"] == ["850101*****", "850101*****"]  # logged, still masked
    assert "54325" not in str(row.changes)
    assert TimelineEntry.objects.filter(customer=c, subject__contains="PESEL").exists()


def test_register_without_basis_saves_nothing(world: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.customer_create(actor=world.service_a, branch_id=world.a.pk,
                                 data={"kind": "person", "first_name": "A", "last_name": "B"},
                                 consents=[{"purpose": "marketing_sms", "granted": True}])
    assert exc.value.field == "consents"
    assert not Customer.objects.exists() and not ConsentEvent.objects.exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"pesel": "85010112346"}, "pesel"), ({"kind": "alien"}, "kind"),
    ({"last_name": ""}, "last_name"), ({"kind": "company", "company_name": ""}, "company_name"),
    ({"nip": "123"}, "nip"), ({"phone": "12"}, "phone"), ({"email": "x@"}, "email"),
    ({"postal_code": "1234"}, "postal_code"), ({"birth_date": "1990-13-01"}, "birth_date"),
    ({"pesel": "85010112345", "birth_date": "1985-01-02"}, "birth_date"),
    ({"status": "merged"}, "status"), ({"founding_year": "abc", "kind": "company",
                                 "company_name": "X"}, "founding_year"),
])
def test_invalid_data_names_the_field(world: Any, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        register(world, **data)
    assert exc.value.field == field
    assert not Customer.objects.exists()


def test_branch_staff_register_only_in_their_branch(world: Any) -> None:
    with pytest.raises(ActionDenied):
        register(world, branch=world.b)
    with pytest.raises(ActionDenied):
        register(world, actor=world.cashier_a)  # cashiers may not register customers


def test_duplicate_warning_hides_other_branch_data(world: Any) -> None:
    register(world, actor=world.manager_b, branch=world.b, pesel="85010112345")
    with pytest.raises(services.PossibleDuplicate) as exc:
        services.customer_create(actor=world.service_a, branch_id=world.a.pk,
                                 data={"kind": "person", "first_name": "Janek",
                                       "last_name": "Kowalski", "pesel": "85010112345"},
                                 consents=BASIS)
    dup = exc.value.duplicates[0]
    assert not dup.visible and world.b.name in exc.value.message
    assert "Kowalski" not in exc.value.message and "85010112345" not in exc.value.message
    # Same name and postal code in the own branch: visible, named.
    register(world, postal_code="31-042")
    with pytest.raises(services.PossibleDuplicate) as exc:
        services.customer_create(actor=world.service_a, branch_id=world.a.pk,
                                 data={"kind": "person", "first_name": "JAN",
                                       "last_name": "kowalski", "postal_code": "31042"},
                                 consents=BASIS)
    assert exc.value.duplicates[0].visible


@pytest.mark.django_db
def test_search_finds_typos_diacritics_identifiers(world: Any) -> None:
    kowalski = register(world, pesel="85010112345", phone="601234567", city="Łódź",
                        street="ul. Piotrkowska 12")
    firma = register(world, kind="company", company_name="Piekarnia Złoty Kłos",
                     nip="5260250274", city="Kraków")
    register(world, first_name="Anna", last_name="Nowak", email="anna@example.pl")

    def found(q: str) -> list[int]:
        qs, _parsed = selectors.customer_list(user=world.service_a,
                                              filters=selectors.CustomerFilters(q=q))
        return list(qs.values_list("pk", flat=True))

    assert found("Kowalsky") == [kowalski.pk]          # typo
    assert found("jan kowalsky") == [kowalski.pk]
    assert found("LODZ") == [kowalski.pk] == found("łódź")  # diacritics, case
    assert found("piotrkowska") == [kowalski.pk]       # street
    assert found("85010112345") == [kowalski.pk]       # PESEL
    assert found("601 234 567") == [kowalski.pk]       # phone, any spelling
    assert found("+48601234567") == [kowalski.pk]
    assert found("526-025-02-74") == [firma.pk]        # NIP
    assert found("zloty klos") == [firma.pk]
    assert found("anna@example.pl") != []
    assert found(kowalski.number) == [kowalski.pk]
    assert found("xyzzyq") == []
    # Another branch sees none of them.
    qs, _p = selectors.customer_list(user=world.manager_b,
                                     filters=selectors.CustomerFilters(q="kowalski"))
    assert not qs.exists()


def words_of(c: Customer) -> set[str]:
    return set(CustomerWord.objects.filter(customer=c).values_list("word", flat=True))


def test_word_list_pages_the_same_rows_as_the_customer_queryset(world: Any) -> None:
    """The list pages and the API read a word search from CustomerWord alone
    (``customer_results``); it must find what ``customer_list`` finds, in the same order,
    within the same branch scope."""
    people = [("Jan", "Kowalski", "ul. Jana Pawła 2", "Kraków"),
              ("Anna", "Kowalska", "ul. Długa 5", "Kraków"),
              ("Janina", "Nowak", "ul. Kowalska 9", "Łódź"),
              ("Piotr", "Kowalczyk", "ul. Janowska 1", "Kraków"),
              ("Jan", "Kowalski", "ul. Polna 3", "Gdańsk")]
    for first, last, street, city in people:
        register(world, first_name=first, last_name=last, street=street, city=city)
    register(world, actor=world.manager_b, branch=world.b, first_name="Jan",
             last_name="Kowalewski", city="Kraków")
    register(world, kind="company", company_name="Kowal i Syn", city="Kraków")
    cases = ["kowal", "jan", "jan kowal", "kowalski krakow", "krakow", "kowalsky", "janx",
             "zzzz", "jan jan"]
    for user in (world.service_a, world.manager_b, world.expert):
        for q in cases:
            for sort in ("name", "-name"):
                filters = selectors.CustomerFilters(q=q, sort=sort)
                qs, _p = selectors.customer_list(user=user, filters=filters)
                results, _p = selectors.customer_results(user=user, filters=filters)
                assert isinstance(results, selectors.search.WordResults)
                expected = list(qs.values_list("pk", flat=True))
                assert [c.pk for c in results[0:50]] == expected, (user, q, sort)
                assert [c.pk for c in results[1:3]] == expected[1:3]
                # Exactly at the cap: one customer with two matching words (Jan on
                # ul. Jana Pawła) must not make it "more than".
                assert results.capped_count(max(1, len(expected))) == len(expected)
                # Above the cap the database sorts: the first page is still exact.
                assert results.capped_count(2) == min(len(expected), 3)
                assert [c.pk for c in results[0:2]] == expected[0:2], (user, q, sort)
    # With the HQ expert's branch filter, only that branch.
    filters = selectors.CustomerFilters(q="kowal", branch_id=world.b.pk)
    results, _p = selectors.customer_results(user=world.expert, filters=filters)
    assert [c.last_name for c in results[0:10]] == ["Kowalewski"]
    filters = selectors.CustomerFilters(q="kowal", branch_id=world.b.pk)
    results, _p = selectors.customer_results(user=world.service_a, filters=filters)
    assert results[0:10] == []  # a branch the user does not see
    filters = selectors.CustomerFilters(q="kowal", branch_id=2**70)  # API input, unchecked
    results, _p = selectors.customer_results(user=world.expert, filters=filters)
    assert isinstance(results, selectors.search.WordResults)
    assert results.capped_count(10) == 0 and results[0:10] == []
    # Other filters, other sorts, digits or short words: the customer queryset.
    for filters in (selectors.CustomerFilters(q="kowal", kind="person"),
                    selectors.CustomerFilters(q="kowal", sort="newest"),
                    selectors.CustomerFilters(q="jan 2"), selectors.CustomerFilters(q="")):
        results, _p = selectors.customer_results(user=world.expert, filters=filters)
        assert not isinstance(results, selectors.search.WordResults)


def test_customer_words_follow_changes_merge_and_erasure(world: Any) -> None:
    a = register(world, street="ul. Zgrzebłowa 1", city="Łódź")
    assert words_of(a) == {"jan", "kowalski", "zgrzeblowa", "lodz"}
    assert set(CustomerWord.objects.filter(customer=a).values_list("sort_key", "branch_id")) \
        == {("kowalski jan", world.a.pk)}
    services.customer_update(actor=world.service_a, customer_id=a.pk,
                             data={"last_name": "Nowak", "city": "Gdańsk"})
    assert words_of(a) == {"jan", "nowak", "zgrzeblowa", "gdansk"}
    assert set(CustomerWord.objects.filter(customer=a).values_list("sort_key", flat=True)) \
        == {"nowak jan"}
    b = register(world, first_name="Janusz", last_name="Nowak", city="Sopot")
    record = gdpr.customer_merge(actor=world.expert, survivor_id=a.pk, merged_id=b.pk)
    assert words_of(b) == set()  # a merged record is found through its survivor only
    gdpr.customer_unmerge(actor=world.expert, record_id=record.pk)
    assert words_of(b) == {"janusz", "nowak", "sopot"}
    gdpr.customer_anonymise(actor=world.expert, customer_id=a.pk, reason="żądanie")
    assert words_of(a) == set()
    assert not SearchWord.objects.filter(word="zgrzeblowa").exists()
    assert SearchWord.objects.filter(word="nowak").exists()  # b still has it


def test_customer_words_command_rebuilds_lost_words(world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    a = register(world, city="Łódź")
    b = register(world, first_name="Ewa", last_name="Nowak")
    gdpr.customer_anonymise(actor=world.expert, customer_id=b.pk, reason="żądanie")
    CustomerWord.objects.all().delete()  # e.g. rows written by an older version
    out = StringIO()
    call_command("customer_words", stdout=out)
    assert words_of(a) == {"jan", "kowalski", "lodz"} and words_of(b) == set()
    assert "2" in out.getvalue()


def test_consents_append_only_and_current_state(world: Any) -> None:
    c = register(world)
    services.consent_record(actor=world.service_a, customer_id=c.pk,
                            purpose="marketing_sms", granted=True)
    assert selectors.has_consent(c.pk, "marketing_sms")
    services.consent_record(actor=world.service_a, customer_id=c.pk,
                            purpose="marketing_sms", granted=False)
    assert not selectors.has_consent(c.pk, "marketing_sms")  # withdrawal at once (C14)
    assert ConsentEvent.objects.filter(customer=c, purpose="marketing_sms").count() == 2
    with pytest.raises(Conflict):
        services.consent_record(actor=world.service_a, customer_id=c.pk,
                                purpose="marketing_sms", granted=False)
    event = ConsentEvent.objects.first()
    assert event is not None
    event.granted = not event.granted
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ConsentEvent.objects.all().delete()
    assert AuditEvent.objects.filter(action="customers.consent.withdraw").count() == 1


def test_note_and_contact_log_on_timeline(world: Any) -> None:
    c = register(world)
    timeline.note_add(actor=world.cashier_a, customer_id=c.pk, body="Pyta o ofertę")
    timeline.contact_log(actor=world.service_a, customer_id=c.pk, kind="call",
                         direction="out", subject="Oddzwonić")
    kinds = [e.kind for e in selectors.timeline(customer=c)]
    assert kinds[:2] == ["call", "note"]
    with pytest.raises(ValidationFailed) as exc:
        timeline.note_add(actor=world.service_a, customer_id=c.pk, body="  ")
    assert exc.value.field == "body"
    with pytest.raises(ActionDenied):
        timeline.note_add(actor=world.service_b, customer_id=c.pk, body="x")


def test_update_keeps_derived_columns_and_audits_masked(world: Any) -> None:
    c = register(world)
    services.customer_update(actor=world.service_a, customer_id=c.pk,
                             data={"last_name": "Nowak", "pesel": "85010112345"})
    c.refresh_from_db()
    assert c.sort_key == "nowak jan" and "nowak" in c.search_text
    assert SearchWord.objects.filter(word="nowak").exists()
    row = AuditEvent.objects.get(action="customers.customer.update")
    assert row.changes["pesel"] == ["", "850101*****"]
    with pytest.raises(ValidationFailed) as exc:  # mass assignment (C3)
        services.customer_update(actor=world.service_a, customer_id=c.pk,
                                 data={"branch_id": world.b.pk})
    assert exc.value.field == "branch_id"


def test_every_model_linked_to_customers_is_registered_for_gdpr() -> None:
    """C28: a new model with a foreign key to Customer must say what export, erasure and
    merge do with it."""
    missing = []
    for model in apps.get_models():
        if model is Customer:
            continue
        links = [f for f in model._meta.get_fields()
                 if isinstance(f, models.ForeignKey) and f.related_model is Customer]
        if links and model._meta.label_lower not in gdpr.LINKED:
            missing.append(model._meta.label_lower)
    assert not missing, f"register in punkt/customers/gdpr.py: {missing}"


def test_anonymise_removes_personal_data_everywhere(world: Any) -> None:
    c = register(world, pesel="85010112345", phone="601234567", email="jan@example.pl",
                 street="ul. Zgrzebłowa 1", city="Łódź")
    services.contact_add(actor=world.service_a, customer_id=c.pk, kind="email",
                         value="jan.prywatny@example.pl")
    timeline.note_add(actor=world.service_a, customer_id=c.pk, body="Jan Kowalski, PESEL …")
    export = gdpr.customer_export_data(actor=world.expert, customer_id=c.pk)
    assert export["customer"]["pesel"] == "85010112345"
    assert export["customers.customercontact"][0]["value"] == "jan.prywatny@example.pl"
    gdpr.customer_anonymise(actor=world.expert, customer_id=c.pk, reason="żądanie z 20.11")
    c.refresh_from_db()
    assert c.status == CustomerStatus.ANONYMISED and c.search_text == ""
    assert not c.pesel and not c.last_name and not c.phone and not c.email
    assert not c.contacts.exists()
    assert not TimelineEntry.objects.filter(customer=c, body__contains="Kowalski").exists()
    assert not SearchWord.objects.filter(word="zgrzeblowa").exists()
    for row in AuditEvent.objects.all():
        assert "Kowalski" not in row.object_repr and "85010112345" not in str(row.changes)
    assert ConsentEvent.objects.filter(customer=c).exists()  # proof of consent stays
    with pytest.raises(ActionDenied):
        gdpr.customer_anonymise(actor=world.manager_a, customer_id=c.pk, reason="x")


def test_merge_moves_everything_and_can_be_undone(world: Any) -> None:
    a = register(world, phone="601234567")
    b = register(world, email="jan@example.pl", pesel="85010112345")
    services.consent_record(actor=world.service_a, customer_id=b.pk,
                            purpose="marketing_sms", granted=True)
    timeline.note_add(actor=world.service_a, customer_id=b.pk, body="notatka B")
    with pytest.raises(ActionDenied):
        gdpr.customer_merge(actor=world.manager_a, survivor_id=a.pk, merged_id=b.pk)
    record = gdpr.customer_merge(actor=world.expert, survivor_id=a.pk, merged_id=b.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == CustomerStatus.MERGED and b.merged_into_id == a.pk
    assert a.email == "jan@example.pl" and a.pesel == "85010112345"  # blanks filled
    assert selectors.has_consent(a.pk, "marketing_sms")
    assert TimelineEntry.objects.filter(customer=a, body="notatka B").exists()
    with pytest.raises(Conflict):
        gdpr.customer_merge(actor=world.expert, survivor_id=a.pk, merged_id=b.pk)
    gdpr.customer_unmerge(actor=world.expert, record_id=record.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == CustomerStatus.ACTIVE and a.pesel == "" and a.email == ""
    assert not selectors.has_consent(a.pk, "marketing_sms")
    assert selectors.has_consent(b.pk, "marketing_sms")
    assert TimelineEntry.objects.filter(customer=b, body="notatka B").exists()
    with pytest.raises(Conflict):
        gdpr.customer_unmerge(actor=world.expert, record_id=record.pk)


def test_data_request_deadline_extend_close(world: Any) -> None:
    import datetime

    c = register(world)
    req = gdpr.data_request_create(actor=world.expert, customer_id=c.pk, kind="access",
                                   received_on=datetime.date(2026, 11, 2))
    assert req.due_on == datetime.date(2026, 12, 2)
    with pytest.raises(ValidationFailed):
        gdpr.data_request_extend(actor=world.expert, request_id=req.pk, reason=" ")
    req = gdpr.data_request_extend(actor=world.expert, request_id=req.pk, reason="złożone")
    assert req.due_on == datetime.date(2027, 2, 2)
    with pytest.raises(Conflict):
        gdpr.data_request_extend(actor=world.expert, request_id=req.pk, reason="again")
    req = gdpr.data_request_close(actor=world.expert, request_id=req.pk, status="done",
                                  resolution="Wysłano eksport")
    assert not req.is_open
