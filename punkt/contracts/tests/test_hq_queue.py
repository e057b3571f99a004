"""HQ's dashboard shows the contracts waiting to be finalised (count, the longest waiting
first, each linked); the contract list reads oldest first on request."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from punkt.contracts import services
from punkt.contracts.models import Contract
from punkt.contracts.tests import factories as f


def approved(world: Any, *, manager: Any = None, actor: Any = None) -> Contract:
    actor = actor or world.service_a
    manager = manager or world.manager_a
    c = f.prepared(world, actor=actor)
    services.contract_sign(actor=actor, contract_id=c.pk)
    services.batch_collect(actor=manager, branch_id=c.branch_id)
    services.contract_review(actor=manager, contract_id=c.pk, approve=True,
                             signatures=["Klient", "Pracownik"])
    return Contract.objects.get(pk=c.pk)


def panel_of(html: str) -> str:
    return html.split('data-testid="panel-to-finalise"', 1)[1].split("</section>", 1)[0]


def test_hq_sees_the_queue_longest_waiting_first(world: Any, client_as: Any) -> None:
    first, second, third = (approved(world) for _ in range(3))
    finalised = approved(world)
    services.contract_finalise(actor=world.expert, contract_id=finalised.pk, approve=True)
    # The third was approved first: it has waited longest.
    Contract.objects.filter(pk=third.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=3))
    html = client_as(world.expert).get("/").content.decode()
    assert "Umowy do finalizacji" in html
    panel = panel_of(html)
    assert "3 umowy zatwierdzone przez kierowników czekają na centralę" in panel
    linked = re.findall(r'href="/contracts/(\d+)/"', panel)
    assert linked == [str(c.pk) for c in (third, first, second)]
    assert finalised.number not in panel
    assert f'href="{reverse("customers:customer_detail", args=[first.customer_id])}"' in panel
    assert 'href="/contracts/?status=approved&amp;sort=id"' in panel


def test_only_hq_sees_the_panel_and_an_empty_queue_hides_it(world: Any,
                                                           client_as: Any) -> None:
    assert 'panel-to-finalise' not in client_as(world.expert).get("/").content.decode()
    approved(world)
    for user in (world.manager_a, world.service_a, world.admin):
        assert 'panel-to-finalise' not in client_as(user).get("/").content.decode()
    assert 'panel-to-finalise' in client_as(world.expert).get("/").content.decode()


def test_the_panel_counts_beyond_what_it_names(world: Any, client_as: Any) -> None:
    from punkt.contracts.dashboard import PANEL_ROWS

    for _ in range(PANEL_ROWS + 1):
        approved(world)
    panel = panel_of(client_as(world.expert).get("/").content.decode())
    assert len(re.findall(r'href="/contracts/\d+/"', panel)) == PANEL_ROWS
    assert f"Wszystkie ({PANEL_ROWS + 1}), najstarsze najpierw" in panel


def test_the_contract_list_sorts_oldest_first(world: Any, client_as: Any) -> None:
    older, newer = approved(world), approved(world)
    client = client_as(world.expert)

    def numbers(query: str) -> list[str]:
        html = client.get("/contracts/" + query).content.decode()
        table = html.split('data-testid="contract-table"', 1)[1]
        return [n for n in re.findall(r">(U\d+)</a>", table)]

    assert numbers("?status=approved") == [newer.number, older.number]
    assert numbers("?status=approved&sort=id") == [older.number, newer.number]
    assert numbers("?status=approved&sort=-id") == [newer.number, older.number]
    assert numbers("?status=approved&sort=customer") == [newer.number, older.number]
    page = client.get("/contracts/?sort=id").content.decode()
    assert 'aria-sort="ascending"' in page and '<option value="id" selected>' in page
    assert f'href="{reverse("customers:customer_detail", args=[older.customer_id])}"' in page
