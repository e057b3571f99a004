"""Complaints' services: intake (the product from the customer's own records, refusals
naming the field, the receipt queued and sent with its PDF), every step of the workflow
with who may take it, a rejection's reason and legal basis, a ticket turned into a
complaint."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from punkt.complaints import services
from punkt.complaints.models import Complaint, ComplaintMail, MailStatus
from punkt.complaints.tests.factories import complaint, purchase
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry

pytestmark = pytest.mark.django_db


def test_intake_numbers_links_and_queues_the_receipt(world: Any) -> None:
    c = complaint(world, amount="399,00")
    assert c.number.startswith("RK/") and c.number.endswith("/000001")
    assert c.branch_id == world.a.pk and c.sale_line_id and c.product_label == "Router Wi-Fi 6"
    assert str(c.amount) == "399.00" and c.days == 14 and c.status == "registered"
    assert c.events.get().action == "register"
    assert AuditEvent.objects.filter(action="complaints.complaint.create").count() == 1
    assert TimelineEntry.objects.filter(customer_id=c.customer_id, kind="complaint").exists()
    queued = ComplaintMail.objects.get(complaint=c)
    assert services.send_now(queued.pk) == MailStatus.SENT
    sent = mail.outbox[-1]
    assert sent.to == ["zofia@example.pl"] and c.number in sent.subject
    name, pdf, kind = sent.attachments[0]
    assert kind == "application/pdf" and pdf[:5] == b"%PDF-" and "RK-" in name
    assert services.send_now(queued.pk) == MailStatus.SENT and len(mail.outbox) == 1
    second = complaint(world)
    assert second.number.endswith("/000002")


@pytest.mark.parametrize(("fields", "field"), [
    ({"customer_account": " "}, "customer_account"),
    ({"terms_shown": False}, "terms_shown"),
    ({"terms_version": ""}, "terms_version"),
    ({"kind": "gadget"}, "kind"),
    ({"demand": "compensation"}, "demand"),  # a service's demand for goods
    ({"kind": "business", "contract_days": ""}, "contract_days"),
    ({"kind": "business", "contract_days": "400"}, "contract_days"),
    ({"amount": "12,345"}, "amount"),
    ({"sale_line_id": None, "product_text": ""}, "product"),
    ({"customer_id": ""}, "customer"),
    ({"ticket_id": "999999"}, "ticket"),
    ({"channel": "ticket"}, "channel"),
])
def test_refusals_name_the_field(world: Any, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        complaint(world, **fields)
    assert refused.value.field == field
    assert not Complaint.objects.exists()


def test_the_product_is_the_customers_own(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    other = customer(world, first_name="Inna")
    theirs = purchase(world, other)
    with pytest.raises(ValidationFailed) as refused:
        complaint(world, sale_line_id=theirs.pk)
    assert refused.value.field == "sale_line"
    described = complaint(world, sale_line_id=None, product_text="Dekoder z 2019 r.")
    assert described.product_label == "Dekoder z 2019 r." and described.sale_line_id is None


def test_roles_who_register(world: Any) -> None:
    assert complaint(world, actor=world.retention_a).handler_id == world.retention_a.pk
    with pytest.raises(ActionDenied):
        complaint(world, actor=world.cashier_a)


def _move(actor: Any, c: Any, action: str, **fields: Any) -> Any:
    return services.complaint_move(actor=actor, complaint_id=c.pk, action=action, **fields)


def test_branch_path_to_closed(world: Any) -> None:
    c = complaint(world)
    _move(world.service_a, c, "acknowledge")
    with pytest.raises(ActionDenied):  # staff do not decide; the manager does
        _move(world.service_a, c, "decide_in_branch", outcome="upheld")
    with pytest.raises(ValidationFailed) as refused:
        _move(world.manager_a, c, "decide_in_branch", outcome="rejected",
              decision_reason="Uszkodzenie mechaniczne")
    assert refused.value.field == "legal_basis"
    c = _move(world.manager_a, c, "decide_in_branch", outcome="partly_upheld",
              decision_reason="Naprawa zamiast wymiany", cause="product_defect")
    assert c.status == "decided" and c.decided_by_id == world.manager_a.pk
    assert not c.decided_at_hq and c.cause == "product_defect"
    with pytest.raises(Conflict):
        _move(world.service_a, c, "inform", informed_how="email")  # remedy first
    c = _move(world.service_a, c, "remedy", remedy_note="Wymieniono zasilacz.")
    c = _move(world.service_a, c, "inform", informed_how="in_person")
    c = _move(world.service_a, c, "close")
    assert c.status == "closed" and c.closed_at is not None
    actions = list(c.events.values_list("action", flat=True))
    assert actions == ["register", "acknowledge", "decide_in_branch", "remedy", "inform",
                       "close"]
    assert all(e.actor_id for e in c.events.all())
    with pytest.raises(Conflict):
        _move(world.service_a, c, "close")


def test_hq_path_and_a_rejection(world: Any) -> None:
    c = complaint(world)
    _move(world.service_a, c, "acknowledge")
    c = _move(world.service_a, c, "send_to_hq", note="Kwota wysoka")
    assert c.status == "at_hq"
    with pytest.raises(ActionDenied):
        _move(world.manager_a, c, "investigate", cause="product_defect")
    with pytest.raises(ValidationFailed) as refused:
        _move(world.expert, c, "investigate", cause="")
    assert refused.value.field == "cause"
    with pytest.raises(ValidationFailed) as refused:
        _move(world.expert, c, "investigate", cause="other")
    assert refused.value.field == "cause_note"
    _move(world.expert, c, "investigate", cause="customer_misuse",
          cause_note="Ślady zalania na płycie.")
    c = _move(world.expert, c, "decide", outcome="rejected",
              decision_reason="Uszkodzenie z winy użytkownika",
              legal_basis="art. 43b ust. 3 ustawy o prawach konsumenta")
    assert c.decided_at_hq and c.outcome == "rejected"
    with pytest.raises(Conflict):
        _move(world.service_a, c, "remedy", remedy_note="—")
    c = _move(world.service_a, c, "inform", informed_how="post")
    assert c.status == "informed"
    with pytest.raises(ValidationFailed) as refused:
        _move(world.service_a, c, "appeal")
    assert refused.value.field == "note"
    c = _move(world.service_a, c, "appeal", note="Klient przedstawi opinię rzeczoznawcy.")
    assert c.round == 2 and c.status == "acknowledged"


def test_a_step_takes_only_its_fields(world: Any) -> None:
    c = complaint(world)
    with pytest.raises(ValidationFailed) as refused:
        _move(world.service_a, c, "acknowledge", outcome="upheld")
    assert refused.value.field == "outcome"


def test_a_ticket_turned_into_a_complaint_links_both(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.servicedesk.tests.factories import desk, ticket

    cust = customer(world)
    t = ticket(world, desk(world), customer_id=cust.pk)
    c = complaint(world, cust=cust, ticket_id=t.pk)
    assert c.ticket_id == t.pk and c.channel == "ticket"
    with pytest.raises(ValidationFailed) as refused:
        complaint(world, cust=cust, ticket_id=t.pk)
    assert refused.value.field == "ticket"


#: the table as docs/workflows/complaint.md draws it: action → (from, the role who may)
TABLE = {
    "acknowledge": ({"registered"}, "service_a"),
    "decide_in_branch": ({"acknowledged"}, "manager_a"),
    "send_to_hq": ({"acknowledged"}, "retention_a"),
    "investigate": ({"at_hq"}, "expert"),
    "decide": ({"investigation"}, "expert"),
    "remedy": ({"decided"}, "service_a"),
    "order_refund": ({"decided"}, "service_a"),
    "pay_refund": ({"refund_due"}, "cashier_a"),
    "inform": ({"decided", "remedied"}, "service_a"),
    "close": ({"informed"}, "service_a"),
    "appeal": ({"decided", "remedied", "informed", "closed"}, "service_a"),
}


@pytest.mark.parametrize("action", sorted(TABLE))
def test_every_transition_from_every_state(world: Any, action: str) -> None:
    """(C10) the step is allowed from its states only, to its role, in its branch."""
    from punkt.complaints.models import ComplaintStatus
    from punkt.complaints.workflows import COMPLAINT_FLOW

    assert set(COMPLAINT_FLOW.transitions) == set(TABLE)
    allowed_from, who = TABLE[action]
    for state in ComplaintStatus.values:
        row = Complaint(status=state, branch=world.a)
        if state in allowed_from:
            COMPLAINT_FLOW.ensure_can(row, action, actor=getattr(world, who))
            with pytest.raises(ActionDenied):  # another branch's staff
                COMPLAINT_FLOW.ensure_can(row, action, actor=world.manager_b)
            if who != "cashier_a":  # the cashier takes no step but paying out a refund
                with pytest.raises(ActionDenied):
                    COMPLAINT_FLOW.ensure_can(row, action, actor=world.cashier_a)
            else:
                with pytest.raises(ActionDenied):
                    COMPLAINT_FLOW.ensure_can(row, action, actor=world.service_a)
        else:
            with pytest.raises(Conflict):
                COMPLAINT_FLOW.ensure_can(row, action, actor=getattr(world, who))


def test_hostile_text_is_inert_on_the_receipt_and_the_page(world: Any,
                                                           client_as: Any) -> None:
    """(C22)"""
    from punkt.complaints import documents

    hostile = "<script>alert(1)</script>{{7*7}}"
    c = complaint(world, customer_account=hostile, terms_version="<b>x</b>")
    html = documents.receipt_html(c)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>x" not in html
    page = client_as(world.service_a).get(f"/complaints/{c.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "{{7*7}}" in page
