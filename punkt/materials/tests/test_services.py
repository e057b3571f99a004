"""Materials: versions, publishing to branches, the inbox, delivery tracking, currency."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.materials import selectors, services
from punkt.materials.models import Delivery, MaterialVersion, VersionStatus
from punkt.materials.workflows import VERSION_FLOW

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def pdf(name: str = "cennik.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def published(world: Any, title: str = "Cennik internetu", *, valid_from: Any = None,
              **kwargs: Any) -> MaterialVersion:
    material = services.material_create(actor=world.expert, kind="promo", title=title)
    version = services.version_create(actor=world.expert, material_id=material.pk,
                                      uploaded=pdf(), valid_from=valid_from or
                                      timezone.localdate(), **kwargs)
    return services.version_publish(actor=world.expert, version_id=version.pk)


def test_publish_reaches_every_branch_at_once(world: Any) -> None:
    v = published(world)
    assert v.status == VersionStatus.PUBLISHED and v.published_at is not None
    assert set(Delivery.objects.filter(version=v).values_list("branch_id", flat=True)) == {
        world.a.pk, world.b.pk}  # not HQ
    box = selectors.inbox(user=world.service_a)
    assert [i.version.pk for i in box.current] == [v.pk] and box.current[0].is_new
    assert services.deliveries_received(user=world.service_a, delivery_ids=box.delivery_ids) == 1
    assert services.deliveries_received(user=world.service_a, delivery_ids=box.delivery_ids) == 0
    services.version_opened(user=world.cashier_a, version_id=v.pk)
    services.version_opened(user=world.service_a, version_id=v.pk)  # the first opening stays
    d = Delivery.objects.get(version=v, branch=world.a)
    assert d.received_at and d.opened_at and d.opened_by == world.cashier_a
    assert not selectors.inbox(user=world.service_a).current[0].is_new
    report = selectors.delivery_report(user=world.expert, version_id=v.pk)
    assert (report.branches, report.received, report.opened, report.within_goal) == (2, 1, 1, 1)


def test_chosen_branches_only_and_other_branches_cannot_open(world: Any) -> None:
    v = published(world, all_branches=False, branch_ids=[world.b.pk])
    assert selectors.inbox(user=world.service_a).current == []
    assert [i.version.pk for i in selectors.inbox(user=world.service_b).current] == [v.pk]
    with pytest.raises(NotFound):
        services.version_opened(user=world.service_a, version_id=v.pk)
    with pytest.raises(ValidationFailed) as exc:
        m = services.material_create(actor=world.expert, kind="promo", title="Ulotka")
        services.version_create(actor=world.expert, material_id=m.pk, uploaded=pdf(),
                                valid_from=TODAY, all_branches=False, branch_ids=[])
    assert exc.value.field == "branches"


def test_new_version_supersedes_and_only_the_current_one_is_usable(world: Any) -> None:
    v1 = published(world)
    v2 = services.version_create(actor=world.expert, material_id=v1.material_id,
                                 uploaded=pdf("cennik-2.pdf"), valid_from=timezone.localdate(),
                                 note="Nowe ceny")
    assert v2.number == 2
    services.ensure_current(version_id=v1.pk, branch_id=world.a.pk)  # v2 still a draft
    services.version_publish(actor=world.expert, version_id=v2.pk)
    with pytest.raises(Conflict) as exc:
        services.ensure_current(version_id=v1.pk, branch_id=world.a.pk)
    assert exc.value.code == "superseded" and "2" in exc.value.message
    assert [i.version.number for i in selectors.inbox(user=world.service_a).current] == [2]
    # Withdrawn by mistake: version 1 is in force again.
    services.version_withdraw(actor=world.expert, version_id=v2.pk, reason="Błędne ceny")
    services.ensure_current(version_id=v1.pk, branch_id=world.a.pk)
    with pytest.raises(NotFound):
        services.version_opened(user=world.service_a, version_id=v2.pk)


def test_future_version_is_upcoming_until_its_day(world: Any) -> None:
    v1 = published(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    v2 = services.version_create(actor=world.expert, material_id=v1.material_id,
                                 uploaded=pdf(), valid_from=tomorrow)
    services.version_publish(actor=world.expert, version_id=v2.pk)
    box = selectors.inbox(user=world.service_a)
    assert [i.version.number for i in box.current] == [1]
    assert [i.version.number for i in box.upcoming] == [2]
    services.ensure_current(version_id=v1.pk, branch_id=world.a.pk)
    services.ensure_current(version_id=v2.pk, branch_id=world.a.pk, on=tomorrow)
    expired = timezone.localdate() - datetime.timedelta(days=1)
    v3 = services.version_create(actor=world.expert, material_id=v1.material_id,
                                 uploaded=pdf(), valid_from=expired - datetime.timedelta(5),
                                 valid_to=expired)
    with pytest.raises(ValidationFailed) as exc:
        services.version_publish(actor=world.expert, version_id=v3.pk)
    assert exc.value.field == "valid_to"


@pytest.mark.parametrize(("action", "allowed_from"), [
    ("publish", {VersionStatus.DRAFT}), ("withdraw", {VersionStatus.PUBLISHED}),
    ("delete", {VersionStatus.DRAFT}), ("edit", {VersionStatus.DRAFT}),
])
def test_every_transition_from_every_state(world: Any, action: str,
                                           allowed_from: set[str]) -> None:
    for state in VersionStatus.values:
        v = MaterialVersion(status=state)
        if state in allowed_from:
            assert VERSION_FLOW.ensure_can(v, action, actor=world.expert).action == action
            assert action in VERSION_FLOW.allowed_actions(v, world.expert)
            with pytest.raises(ActionDenied):
                VERSION_FLOW.ensure_can(v, action, actor=world.manager_a)
        else:
            with pytest.raises(Conflict):
                VERSION_FLOW.ensure_can(v, action, actor=world.expert)
            assert action not in VERSION_FLOW.allowed_actions(v, world.expert)


def test_publish_twice_and_branch_staff_cannot_publish(world: Any) -> None:
    v = published(world)
    with pytest.raises(Conflict):
        services.version_publish(actor=world.expert, version_id=v.pk)
    assert Delivery.objects.filter(version=v).count() == 2  # not doubled
    with pytest.raises(ActionDenied):
        services.material_create(actor=world.manager_a, kind="promo", title="X")


@pytest.mark.parametrize(("name", "data", "ok"), [
    ("cennik.pdf", PDF, "cennik.pdf"),
    ("cennik.csv", "kod;nazwa;cena\nINT-1;Łącze 300;59,99\n".encode(), "cennik.csv"),
    ("ulotka.pdf", b"MZ\x90\x00\x03binary", ""),               # an .exe named .pdf
    ("../../etc/passwd", b"root:x:0:0\n", "passwd.txt"),          # the name is only a label
    ("cennik.bat", b"del /q C:\\*\n", "cennik.txt"),             # downloaded as what it is
    ("zdjęcie.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "zdjęcie.png"),
    ("długi.csv", b"x" * 4095 + "ł;ą\n".encode(), "długi.csv"),   # a letter cut at 4 KB
])
def test_upload_type_by_content_and_random_names(world: Any, tmp_path: Any, name: str,
                                                 data: bytes, ok: str) -> None:
    m = services.material_create(actor=world.expert, kind="manual", title="Instrukcja")
    upload = SimpleUploadedFile(name, data)
    if not ok:
        with pytest.raises(ValidationFailed) as exc:
            services.version_create(actor=world.expert, material_id=m.pk, uploaded=upload,
                                    valid_from=TODAY)
        assert exc.value.field == "file"
        assert list((tmp_path / "materials").iterdir()) == []  # nothing left on disk
        return
    v = services.version_create(actor=world.expert, material_id=m.pk, uploaded=upload,
                                valid_from=TODAY)
    assert v.file_name == ok and "/" not in v.stored_name
    assert (tmp_path / "materials" / v.stored_name).exists()


def test_too_large_and_bad_dates_name_the_field(world: Any, monkeypatch: Any) -> None:
    from punkt.core import files

    m = services.material_create(actor=world.expert, kind="manual", title="Instrukcja")
    monkeypatch.setattr(files, "MAX_SIZE", 10)
    with pytest.raises(ValidationFailed) as exc:
        services.version_create(actor=world.expert, material_id=m.pk, uploaded=pdf(),
                                valid_from=TODAY)
    assert exc.value.field == "file"
    for kwargs, field in (({"valid_from": ""}, "valid_from"),
                          ({"valid_from": "2026-13-01"}, "valid_from"),
                          ({"valid_from": TODAY, "valid_to": "2026-01-01"}, "valid_to")):
        with pytest.raises(ValidationFailed) as exc:
            services.version_create(actor=world.expert, material_id=m.pk, uploaded=pdf(),
                                    **kwargs)
        assert exc.value.field == field
    with pytest.raises(ValidationFailed) as exc:
        services.material_create(actor=world.expert, kind="price_list", title="  ")
    assert exc.value.field == "title"


PRICES = """Kod;Nazwa;Cena brutto;Stawka VAT;J.m.
INT-300;Internet światłowodowy 300 Mb/s;59,99;23%;mies.
TV-START;Telewizja Start;1 039,00;8;mies.
RTR-1;Router Wi-Fi 6;249;23;szt.
"""


def price_list(world: Any, text: str, name: str = "cennik.csv") -> MaterialVersion:
    m = services.material_create(actor=world.expert, kind="price_list", title="Cennik")
    return services.version_create(actor=world.expert, material_id=m.pk, valid_from=TODAY,
                                   uploaded=SimpleUploadedFile(name, text.encode("cp1250")))


def test_price_list_positions_are_read_from_the_file(world: Any) -> None:
    from decimal import Decimal

    v = price_list(world, PRICES)
    rows = list(v.items.values_list("code", "name", "price_gross", "vat_rate", "unit"))
    assert rows == [("INT-300", "Internet światłowodowy 300 Mb/s", Decimal("59.99"), "23",
                     "mies."), ("TV-START", "Telewizja Start", Decimal("1039.00"), "8", "mies."),
                    ("RTR-1", "Router Wi-Fi 6", Decimal("249.00"), "23", "szt.")]


@pytest.mark.parametrize(("text", "expected"), [
    ("kod;nazwa;cena\nA;B;1\n", "VAT"),                                    # a column missing
    ("kod;nazwa;cena;vat\nA;Usługa;59,9x;23\n", "row 2"),                  # not a price
    ("kod;nazwa;cena;vat\nA;Usługa;59,99;22\n", "VAT"),                    # not a Polish rate
    ("kod;nazwa;cena;vat\nA;X;1;23\nA;Y;2;23\n", "repeats row 2"),         # a code twice
    ("kod;nazwa;cena;vat\n", "no positions"),
])
def test_price_list_errors_name_row_and_column(world: Any, text: str, expected: str) -> None:
    from django.utils.translation import override

    with override("en"), pytest.raises(ValidationFailed) as exc:
        price_list(world, text)
    assert exc.value.field == "file" and expected in exc.value.message
    assert not MaterialVersion.objects.exists()


def test_price_list_must_be_a_table(world: Any) -> None:
    m = services.material_create(actor=world.expert, kind="price_list", title="Cennik")
    with pytest.raises(ValidationFailed) as exc:
        services.version_create(actor=world.expert, material_id=m.pk, valid_from=TODAY,
                                uploaded=pdf())
    assert exc.value.field == "file"


def test_price_lists_in_force_give_offers_their_positions(world: Any, client_as: Any) -> None:
    v1 = price_list(world, PRICES)
    services.version_publish(actor=world.expert, version_id=v1.pk)
    v2 = services.version_create(
        actor=world.expert, material_id=v1.material_id, valid_from=TODAY,
        uploaded=SimpleUploadedFile("c2.csv", b"kod;nazwa;cena;vat\nINT-300;Internet;49,99;23\n"),
        all_branches=False, branch_ids=[world.b.pk])
    services.version_publish(actor=world.expert, version_id=v2.pk)
    in_a = selectors.price_lists_in_force(branch_id=world.a.pk)
    in_b = selectors.price_lists_in_force(branch_id=world.b.pk)
    assert [(v.pk, len(v.items.all())) for v in in_a] == [(v1.pk, 3)]  # B's change only in B
    assert [(v.pk, [str(i.price_gross) for i in v.items.all()]) for v in in_b] == [
        (v2.pk, ["49.99"])]
    items = client_as(world.service_b).get(f"/api/v1/material-versions/{v2.pk}/items").json()
    assert [(i["code"], i["price_gross"]) for i in items] == [("INT-300", "49.99")]
    page = client_as(world.service_a).get(f"/materials/versions/{v1.pk}/").content.decode()
    assert "1 039,00 zł" in page or "1\xa0039,00 zł" in page


def test_a_later_fix_does_not_hide_a_version_planned_for_later(world: Any) -> None:
    today = timezone.localdate()
    v1 = published(world)
    planned = services.version_create(actor=world.expert, material_id=v1.material_id,
                                      uploaded=pdf(), valid_from=today + datetime.timedelta(7))
    services.version_publish(actor=world.expert, version_id=planned.pk)
    fix = services.version_create(actor=world.expert, material_id=v1.material_id,
                                  uploaded=pdf(), valid_from=today, note="Literówka")
    services.version_publish(actor=world.expert, version_id=fix.pk)
    services.ensure_current(version_id=fix.pk, branch_id=world.a.pk)
    services.ensure_current(version_id=planned.pk, branch_id=world.a.pk,
                            on=today + datetime.timedelta(7))
    with pytest.raises(NotFound):  # another branch's or a draft: not even named
        draft = services.version_create(actor=world.expert, material_id=v1.material_id,
                                        uploaded=pdf(), valid_from=today)
        services.ensure_current(version_id=draft.pk, branch_id=world.a.pk)


def test_new_from_hq_shows_price_lists_and_templates_first_newest_first(
        world: Any, client_as: Any) -> None:
    """The dashboard panel lists unopened items by importance, newest first within it:
    a new price list never hides behind "and N more" leaflets (issue 15, bug 9)."""
    from django.urls import reverse

    def publish(kind: str, title: str, minutes_ago: int, upload: Any = None) -> None:
        material = services.material_create(actor=world.expert, kind=kind, title=title)
        version = services.version_create(actor=world.expert, material_id=material.pk,
                                          uploaded=upload or pdf(),
                                          valid_from=timezone.localdate())
        services.version_publish(actor=world.expert, version_id=version.pk)
        MaterialVersion.objects.filter(pk=version.pk).update(
            published_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))

    for n in range(9):  # "Akcja ..." sorts before "Cennik" and "Wzór" by title
        publish("leaflet_template" if n % 2 else "promo", f"Akcja {n}", minutes_ago=n)
    publish("form_template", "Wzór reklamacji", minutes_ago=60)
    publish("contract_template", "Wzór umowy", minutes_ago=30, upload=SimpleUploadedFile(
        "umowa.txt", b"Umowa nr {{ numer }}\n[[podpis: Klient]]\n"))
    publish("price_list", "Cennik zimowy", minutes_ago=120,
            upload=SimpleUploadedFile("cennik.csv", PRICES.encode("cp1250")))
    response = client_as(world.service_a).get(reverse("core:dashboard"))
    panel = next(p for p in response.context["panels"]
                 if p["template"] == "materials/panels/new.html")
    titles = [item.material.title for item in panel["ctx"]["items"]]
    assert titles == ["Cennik zimowy", "Wzór umowy", "Wzór reklamacji", "Akcja 0",
                      "Akcja 1", "Akcja 2", "Akcja 3", "Akcja 4"]
    assert panel["ctx"]["more"] == 4
