"""Setting a mailbox up: the administrator's form and API of services, the password
sealed in the database and never sent back, refusals naming the field, the connection
test against the real Dovecot."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.core import sealed
from punkt.core.errors import ActionDenied, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.mailbox import services
from punkt.mailbox.models import Mailbox
from punkt.servicedesk.tests.factories import desk

pytestmark = pytest.mark.django_db


def fields(d: Any, **changes: Any) -> dict[str, Any]:
    data = {"address": "BOK@firma.example", "team_id": d.team_a.pk, "host": "imap.firma.example",
            "port": "993", "security": "imaps", "username": "bok", "password": "Tajne-hasło 1",
            "folder": "", "ticket_type_id": d.question.pk, "is_active": "1"}
    data.update(changes)
    return data


def test_the_password_is_sealed_in_the_database_and_opened_for_the_server(world: Any) -> None:
    d = desk(world)
    box = services.mailbox_save(actor=world.admin, mailbox_id=None, **fields(d))
    stored = Mailbox.objects.values_list("password", flat=True).get(pk=box.pk)
    assert stored.startswith(sealed.PREFIX) and "Tajne" not in stored
    box.refresh_from_db()
    assert box.secret() == "Tajne-hasło 1"
    assert (box.address, box.folder, box.is_active) == ("bok@firma.example", "INBOX", True)
    # left empty on a change: the stored password stays; the audit never holds it
    services.mailbox_save(actor=world.admin, mailbox_id=box.pk,
                          **fields(d, password="", folder="Zgłoszenia"))
    box.refresh_from_db()
    assert box.secret() == "Tajne-hasło 1" and box.folder == "Zgłoszenia"
    assert "Tajne" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_a_changed_key_cannot_open_and_a_listed_old_key_still_does(settings: Any) -> None:
    settings.PUNKT_SEAL_KEY = "stary-klucz-0123456789"
    closed = sealed.seal("hasło")
    settings.PUNKT_SEAL_KEY = "nowy-klucz-0123456789"
    with pytest.raises(sealed.Unreadable):
        sealed.unseal(closed)
    settings.PUNKT_SEAL_KEY = "nowy-klucz-0123456789,stary-klucz-0123456789"
    assert sealed.unseal(closed) == "hasło"
    assert sealed.unseal("zapisane-przed-szyfrowaniem") == "zapisane-przed-szyfrowaniem"


@pytest.mark.parametrize(("change", "field"), [
    ({"address": "nie-adres"}, "address"),
    ({"team_id": "x"}, "team_id"),
    ({"team_id": 999999}, "team_id"),
    ({"host": "imap firma"}, "host"),
    ({"port": "70000"}, "port"),
    ({"port": "abc"}, "port"),
    ({"security": "plain"}, "security"),
    ({"username": " "}, "username"),
    ({"password": ""}, "password"),
    ({"password": "x" * 201}, "password"),
    ({"ticket_type_id": 999999}, "ticket_type_id"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
        world: Any, change: dict[str, Any], field: str) -> None:
    d = desk(world)
    with pytest.raises(ValidationFailed) as refused:
        services.mailbox_save(actor=world.admin, mailbox_id=None, **fields(d, **change))
    assert refused.value.field == field
    assert not Mailbox.objects.exists()


def test_an_address_read_by_another_mailbox_is_refused(world: Any) -> None:
    d = desk(world)
    services.mailbox_save(actor=world.admin, mailbox_id=None, **fields(d))
    with pytest.raises(ValidationFailed) as refused:
        services.mailbox_save(actor=world.admin, mailbox_id=None,
                              **fields(d, address="bok@FIRMA.example"))
    assert refused.value.field == "address"


def test_only_the_administrator_sets_mailboxes_up(world: Any, client_as: Any) -> None:
    d = desk(world)
    with pytest.raises(ActionDenied):
        services.mailbox_save(actor=world.expert, mailbox_id=None, **fields(d))
    assert client_as(world.expert).get(reverse("mailbox:mailbox_new")).status_code == 403
    page = client_as(world.expert).get(reverse("mailbox:mailbox_list")).content.decode()
    assert 'data-testid="mailbox-new"' not in page


def test_the_form_saves_never_sends_the_password_back_and_marks_the_bad_field(
        world: Any, client_as: Any) -> None:
    d = desk(world)
    c = client_as(world.admin)
    bad = c.post(reverse("mailbox:mailbox_new"), fields(d, port="99999"))
    assert bad.status_code == 200
    html = bad.content.decode()
    assert 'id="f-port" name="port"' in html and 'aria-invalid="true"' in html.split(
        'id="f-port"')[1].split(">")[0]
    assert "Tajne" not in html and not Mailbox.objects.exists()
    saved = c.post(reverse("mailbox:mailbox_new"), fields(d))
    box = Mailbox.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "mailbox:mailbox_edit", args=[box.pk])
    page = c.get(saved["Location"]).content.decode()
    assert "bok@firma.example" in page and "Tajne" not in page and box.password not in page
    assert reverse("mailbox:mailbox_edit", args=[box.pk]) in c.get(
        reverse("mailbox:mailbox_list")).content.decode()


def test_the_connection_test_signs_in_and_counts_without_taking(
        world: Any, imap_server: Any, settings: Any, client_as: Any) -> None:
    from punkt.mailbox.tests.helpers import mail

    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    d = desk(world)
    folder = imap_server.new_folder()
    imap_server.append(folder, mail(msgid="<t1@example.pl>"), mail(msgid="<t2@example.pl>"))
    box = services.mailbox_save(actor=world.admin, mailbox_id=None, **fields(
        d, host=imap_server.host, port=imap_server.port, username=imap_server.user,
        password=imap_server.password, folder=folder))
    worked, said = services.mailbox_try(actor=world.admin, mailbox_id=box.pk)
    assert worked and folder in said and "2" in said
    services.mailbox_save(actor=world.admin, mailbox_id=box.pk,
                          **fields(d, host=imap_server.host, port=imap_server.port,
                                   username=imap_server.user, password="złe",
                                   folder=folder))
    worked, said = services.mailbox_try(actor=world.admin, mailbox_id=box.pk)
    # a Polish letter in the password goes by SASL PLAIN: the server's refusal, not a crash
    assert not worked and "AUTHENTICATIONFAILED" in said
    page = client_as(world.admin).post(reverse("mailbox:mailbox_try", args=[box.pk]),
                                       follow=True).content.decode()
    assert '<p class="msg msg-error">[AUTHENTICATIONFAILED]' in page
    assert Mailbox.objects.get(pk=box.pk).last_uid == 0  # nothing taken
