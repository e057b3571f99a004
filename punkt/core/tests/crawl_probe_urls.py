"""The GET crawl's per-route probes (``tests/crawl.py``).

Most URL arguments are filled by name from the seeded ids (``customer_id`` → the seeded
customer). A route needs an entry here when that is wrong or impossible:

- ``PROBES``: route → ``(seeded, user) → kwargs`` (e.g. an action slug, another kind of
  record under the same argument name);
- ``FRAGMENTS``: route → query strings of its htmx fragments, fetched with ``HX-Request``;
- ``UNFILLABLE``: route → why the crawl cannot visit it (a new route without a probe and
  without a reason fails the crawl with ``UnfilledRoute``);
- ``UNREACHED``: route → why no role reaches it (anything but 403/404) with real ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Probe = Callable[[Any, Any], dict[str, Any]]


def _sms_secret() -> str:
    from django.conf import settings

    return settings.PUNKT_SMS_REPORT_TOKEN or "no-secret-configured"


def _ids(**names: str) -> Probe:
    """kwargs from seeded objects: ``_ids(offer_id="accepted_offer")``."""
    return lambda s, u: {k: s.objects[v].pk for k, v in names.items()}


PROBES: dict[str, Probe] = {
    # Steps named by a slug: the crawl asks for the most common one.
    "contracts:contract_action": lambda s, u: {"contract_id": s.ids["contract_id"],
                                               "action": "approve"},
    "inventory:order_action": lambda s, u: {"order_id": s.ids["order_id"],
                                            "action": "cancel"},
    # An accepted offer (waiting for its contract), not the one still presented.
    "contracts:contract_prepare": _ids(offer_id="accepted_offer"),
    # The retention worklist's contract is the active one, not the one under review.
    "retention:case": _ids(contract_id="active"),
    "retention:call": _ids(contract_id="active"),
    "retention:send": _ids(contract_id="active"),
    # A contract template's preview; deleting and publishing concern a draft.
    "materials:template_preview": _ids(version_id="template"),
    "materials:version_publish": _ids(version_id="draft"),
    "materials:version_delete": _ids(version_id="draft"),
    "customers:customer_tab": lambda s, u: {"customer_id": s.ids["customer_id"],
                                            "tab": "contracts"},
    "work:task_act": lambda s, u: {"task_id": s.ids["task_id"], "action": "complete"},
    "servicedesk:ticket_act": lambda s, u: {"ticket_id": s.ids["ticket_id"],
                                            "action": "resolve"},
    "privacy:breach_act": lambda s, u: {"breach_id": s.ids["breach_id"], "action": "notify"},
    "complaints:complaint_act": lambda s, u: {"complaint_id": s.ids["complaint_id"],
                                              "action": "acknowledge"},
    "pipeline:opportunity_act": lambda s, u: {"opportunity_id": s.ids["opportunity_id"],
                                              "action": "lose"},
    # a month of the sales plans and packs (the month is not a seeded id)
    "pipeline:plan_split": lambda s, u: {"branch_id": s.ids["branch_id"], "month": "2026-11"},
    "pipeline:pack_detail": lambda s, u: {"branch_id": s.ids["branch_id"], "month": "2026-11"},
    "pipeline:pack_recompute": lambda s, u: {"branch_id": s.ids["branch_id"],
                                             "month": "2026-11"},
    "pipeline:pack_pdf": lambda s, u: {"branch_id": s.ids["branch_id"], "month": "2026-11"},
    # B's file of deals (``import_id`` is the customer import's elsewhere)
    "pipeline:deal_import": _ids(import_id="deal_import"),
    "api:monthly_pack_get": lambda s, u: {"branch_id": s.ids["branch_id"], "month": "2026-11"},
    "campaigns:mailing_act": lambda s, u: {"mailing_id": s.ids["mailing_id"],
                                           "action": "send"},
    "campaigns:campaign_act": lambda s, u: {"campaign_id": s.ids["campaign_id"],
                                            "action": "end"},
    "campaigns:order_act": lambda s, u: {"print_order_id": s.ids["print_order_id"],
                                         "action": "deliver"},
    "campaigns:leaflet_act": lambda s, u: {"leaflet_id": s.ids["leaflet_id"],
                                           "action": "approve"},
    "campaigns:distribution_act": lambda s, u: {"distribution_id": s.ids["distribution_id"],
                                                "action": "confirm"},
    "loyalty:card_act": lambda s, u: {"card_id": s.ids["card_id"], "action": "block"},
    "loyalty:draw_act": lambda s, u: {"draw_id": s.ids["draw_id"], "action": "cancel"},
    # a display task (the work task has the same argument name), its photos and steps
    "displays:task_detail": lambda s, u: {"task_id": s.ids["display_task_id"]},
    "displays:task_complete": lambda s, u: {"task_id": s.ids["display_task_id"]},
    "displays:task_act": lambda s, u: {"task_id": s.ids["display_task_id"],
                                       "action": "accept"},
    "displays:task_photo": lambda s, u: {"task_id": s.ids["display_task_id"],
                                         "photo_id": s.ids["display_photo_id"]},
    "displays:guidance_photo": lambda s, u: {"guidance_id": s.ids["guidance_id"],
                                             "photo_id": s.ids["reference_photo_id"]},
    "api:display_task_get": lambda s, u: {"task_id": s.ids["display_task_id"]},
    "api:display_task_complete": lambda s, u: {"task_id": s.ids["display_task_id"]},
    "api:display_task_accept": lambda s, u: {"task_id": s.ids["display_task_id"]},
    "api:display_task_return": lambda s, u: {"task_id": s.ids["display_task_id"]},
    "api:display_task_photo": lambda s, u: {"task_id": s.ids["display_task_id"],
                                            "photo_id": s.ids["display_photo_id"]},
    # a POST-only step of a corrective action (the GET is refused before the id is read)
    "complaints:capa_move": lambda s, u: {"complaint_id": s.ids["complaint_id"],
                                          "action_id": 1, "step": "verify"},
    # a letter's PDF and its POST-only steps (the GET is refused before the id is read)
    "complaints:letter_pdf": lambda s, u: {"complaint_id": s.ids["complaint_id"],
                                           "letter_id": s.ids["complaint_letter_id"]},
    "complaints:letter_step": lambda s, u: {"complaint_id": s.ids["complaint_id"],
                                            "letter_id": 1, "step": "posted"},
    # The contact form's follow link (the renewal link's token has the same name).
    "webform:follow": lambda s, u: {"token": s.ids["webform_token"]},
    # The survey's public link (the renewal link's token has the same name) and a
    # follow-up's step.
    "survey_answer": lambda s, u: {"token": s.ids["survey_token"]},
    # A sale's document e-mailed to the customer: its public link.
    "document_link": lambda s, u: {"token": s.ids["document_token"]},
    "unsubscribe": lambda s, u: {"token": s.ids["unsubscribe_token"]},
    # The SMS gateway's delivery reports, at the secret the crawl configures: a GET with
    # no report must write nothing.
    "sms_reports": lambda s, u: {"token": _sms_secret()},
    "surveys:followup_move": lambda s, u: {"followup_id": s.ids["followup_id"],
                                           "action": "close"},
    # HQ's invoice import (the customer import has the same argument name).
    "cashdesk:invoice_import": _ids(import_id="invoice_import"),
}

FRAGMENTS: dict[str, list[str]] = {
    "customers:customer_list": ["q=Bekowski"],
    "customers:customer_detail": ["fragment=timeline"],
    "retention:worklist": ["part=renewals"],
    "sales:counter": ["part=search&q=Tylko"],
    "contracts:contract_detail": ["part=document"],
    "catalog:product_list": ["q=Tylko"],
    "inventory:stock": ["q=Tylko"],
    "campaigns:campaign_list": ["status=all&q=BYDG"],
    "campaigns:order_list": ["status=all"],
    "displays:task_list": ["status=all&q=Witryna"],
    "displays:guidance_list": ["q=Witryna"],
    "cashdesk:till": ["q=FV/B/1"],
    "loyalty:card_list": ["q=Bekowski", "q=29&status=active"],
}

UNFILLABLE: dict[str, str] = {
    "account_confirm_email": "allauth e-mail confirmation: Punkt verifies no addresses",
    "account_reset_password_from_key": "allauth reset link: needs a key sent by e-mail",
}

UNREACHED: dict[str, str] = {
    "account_email_disabled": "switched off: always 404",
    "account_email": "shadowed by account_email_disabled (same path)",
    "api:api-root": "django-ninja's root answers 404 naming the docs' address",
}
