"""Changes to customers. Pages, the API and the import all call these functions, so one
set of rules holds everywhere; a refused or invalid call changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.audit import audit_record, diff
from punkt.core.countries import is_country
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.customers import identifiers as ids
from punkt.customers import permissions as perms
from punkt.customers import referrals, search
from punkt.customers.models import (
    AgeBand,
    CompanySize,
    Consent,
    ConsentEvent,
    ConsentPurpose,
    ConsentSource,
    ConsentText,
    ContactKind,
    Customer,
    CustomerContact,
    CustomerKind,
    CustomerStatus,
    Education,
    IncomeBand,
    MainCustomerType,
    TimelineKind,
    Vehicle,
    age_band_for,
)
from punkt.customers.normalize import digits, fold
from punkt.customers.timeline import timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch

TEXT_FIELDS = {
    "first_name": 100, "last_name": 100, "company_name": 250, "street": 200, "city": 100,
    "corr_street": 200, "corr_city": 100, "industry": 100, "activity": 200, "employer": 200,
}
CHOICE_FIELDS: dict[str, Any] = {
    "company_size": CompanySize, "main_customer_type": MainCustomerType, "age_band": AgeBand,
    "education": Education, "income_band": IncomeBand, "vehicle": Vehicle,
}
#: Every field a client may set (branch, status, derived columns are not among them — C3).
EDITABLE = [
    "kind", "first_name", "last_name", "company_name", "consumer_like", "pesel", "birth_date",
    "nip", "regon", "bank_account", "phone", "email", "street", "postal_code", "city",
    "country", "corr_street", "corr_postal_code", "corr_city", "corr_country", "industry",
    "activity", "has_branches", "company_size", "main_customer_type", "founding_year",
    "age_band", "education", "income_band", "vehicle", "employer",
]
#: Shown masked in the audit log.
MASKED = {"pesel": ids.mask_pesel, "bank_account": lambda v: ("…" + v[-4:]) if v else ""}
PERSON_ONLY = ["pesel", "birth_date", "age_band", "education", "income_band", "vehicle",
               "employer"]
BUSINESS_ONLY = ["nip", "regon", "industry", "activity", "has_branches", "company_size",
                 "main_customer_type", "founding_year"]


def _label(name: str) -> str:
    return str(getattr(Customer._meta.get_field(name), "verbose_name", name))


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed("invalid", _("%(field)s must be text.") % {"field": _label(name)},
                               field=name)
    value = " ".join(value.split())
    limit = TEXT_FIELDS.get(name, 250)
    if len(value) > limit:
        raise ValidationFailed("too_long", _("%(field)s may have at most %(n)d characters.")
                               % {"field": _label(name), "n": limit}, field=name)
    return value


def _country(value: Any, name: str, default: str = "") -> str:
    code = (value or default or "").strip().upper()
    if code and (len(code) != 2 or not code.isalpha()):
        raise ValidationFailed("invalid", _("Country is a two-letter code, e.g. PL or DE."),
                               field=name)
    if code and not is_country(code):  # "XX" was taken (issue 15)
        raise ValidationFailed("invalid", _("No country has the code %(code)s: give its "
                                            "ISO code, e.g. PL or DE.") % {"code": code},
                               field=name)
    return code


def clean_customer(data: dict[str, Any], *, today: datetime.date | None = None
                   ) -> dict[str, Any]:
    """Validate and normalise the editable fields; raise naming the first bad field.

    ``today`` (the local date; read from the clock when not given) bounds the date of
    birth and the founding year and sets the age band: an import passes it once for all
    its rows."""
    today = today or timezone.localdate()
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationFailed("unknown_field", _("Unknown or read-only field: %(field)s.")
                               % {"field": unknown[0]}, field=unknown[0])
    kind = data.get("kind") or ""
    if kind not in CustomerKind.values:
        raise ValidationFailed("invalid", _("Choose the customer type: individual, company or "
                                            "sole trader."), field="kind")
    out: dict[str, Any] = {"kind": kind, **_clean_names(data, kind)}
    out["consumer_like"] = bool(data.get("consumer_like")) and kind == CustomerKind.SOLE_TRADER
    out |= _clean_identifiers(data, kind, today)
    out |= _clean_contact(data)
    out |= _clean_segmentation(data, today)
    if kind == CustomerKind.COMPANY:
        for name in PERSON_ONLY:
            out[name] = None if name == "birth_date" else ""
        out["first_name"] = out["last_name"] = ""
    if kind == CustomerKind.PERSON:
        for name in BUSINESS_ONLY:
            out[name] = None if name in ("has_branches", "founding_year") else ""
        out["company_name"] = ""
    if out.get("birth_date"):
        out["age_band"] = age_band_for(out["birth_date"], today)
    return out


def _clean_names(data: dict[str, Any], kind: str) -> dict[str, Any]:
    """The text fields; the names the customer type requires."""
    out = {name: _text(data, name) for name in TEXT_FIELDS}
    if kind in (CustomerKind.PERSON, CustomerKind.SOLE_TRADER):
        for name in ("first_name", "last_name"):
            if not out[name]:
                raise ValidationFailed("required", _("%(field)s is required.")
                                       % {"field": _label(name)}, field=name)
    if kind in (CustomerKind.COMPANY, CustomerKind.SOLE_TRADER) and not out["company_name"]:
        raise ValidationFailed("required", _("Company name is required."), field="company_name")
    return out


def _clean_identifiers(data: dict[str, Any], kind: str, today: datetime.date
                       ) -> dict[str, Any]:
    """PESEL, NIP, REGON, bank account and the date of birth (which the PESEL holds)."""
    pesel, from_pesel = ids.pesel_checked(data.get("pesel") or "")
    out: dict[str, Any] = {
        "pesel": pesel,
        "nip": ids.clean_nip(data.get("nip") or ""),
        "regon": ids.clean_regon(data.get("regon") or ""),
        "bank_account": ids.clean_iban(data.get("bank_account") or ""),
    }
    if kind == CustomerKind.COMPANY and out["pesel"]:
        raise ValidationFailed("invalid", _("A company has no PESEL; enter its NIP."),
                               field="pesel")
    birth = data.get("birth_date") or None
    if isinstance(birth, str):
        try:
            birth = datetime.date.fromisoformat(birth)
        except ValueError:
            raise ValidationFailed("invalid", _("Date of birth must be a date (YYYY-MM-DD)."),
                                   field="birth_date") from None
    if from_pesel and birth and birth != from_pesel:
        raise ValidationFailed(
            "invalid", _("Date of birth %(given)s does not match the PESEL (%(pesel)s).")
            % {"given": birth.isoformat(), "pesel": from_pesel.isoformat()},
            field="birth_date")
    birth = birth or from_pesel
    if birth and (birth > today or birth.year < 1900):
        raise ValidationFailed("invalid", _("Date of birth must be between 1900 and today."),
                               field="birth_date")
    out["birth_date"] = birth
    return out


def _clean_contact(data: dict[str, Any]) -> dict[str, Any]:
    """Phone, e-mail, the countries and postal codes of both addresses."""
    out = {"phone": ids.clean_phone(data.get("phone") or ""),
           "email": ids.clean_email(data.get("email") or "").lower(),
           "country": _country(data.get("country"), "country", "PL"),
           "corr_country": _country(data.get("corr_country"), "corr_country")}
    out["postal_code"] = ids.clean_postal_code(data.get("postal_code") or "",
                                               field="postal_code", country=out["country"])
    out["corr_postal_code"] = ids.clean_postal_code(
        data.get("corr_postal_code") or "", field="corr_postal_code",
        country=out["corr_country"] or out["country"])
    return out


def _clean_segmentation(data: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """The seed-003 segmentation: listed values, has branches, founding year."""
    out: dict[str, Any] = {}
    for name, choices in CHOICE_FIELDS.items():
        value = data.get(name) or ""
        if value and value not in choices.values:
            raise ValidationFailed("invalid", _("Choose one of the listed values for "
                                                "%(field)s.") % {"field": _label(name)},
                                   field=name)
        out[name] = value
    has_branches = data.get("has_branches")
    out["has_branches"] = None if has_branches in (None, "") else bool(has_branches)
    year = data.get("founding_year")
    if year in (None, ""):
        out["founding_year"] = None
        return out
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", _("Founding year must be a year, e.g. 1998."),
                               field="founding_year") from None
    if not 1800 <= year <= today.year:
        raise ValidationFailed("invalid", _("Founding year must be between 1800 and this "
                                            "year."), field="founding_year")
    out["founding_year"] = year
    return out


def _masked(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (MASKED[k](v) if k in MASKED else v) for k, v in values.items()}


def _snapshot(customer: Customer) -> dict[str, Any]:
    return _masked({f: getattr(customer, f) for f in EDITABLE})


def refresh_derived(customer: Customer) -> None:
    """Recompute name, sort key and search column (after any change of the data)."""
    extra = [c.value if c.kind == ContactKind.EMAIL else digits(c.value)
             for c in customer.contacts.all()] if customer.pk else []
    values = {name: getattr(customer, name) for name in DERIVED_FROM}
    for name, value in derived_fields(values, extra).items():
        setattr(customer, name, value)


#: The fields the derived columns are computed from.
DERIVED_FROM = sorted({"kind", "first_name", "last_name", "company_name",
                       *search.SEARCHED_FIELDS})


def derived_fields(values: Mapping[str, Any], extra_contacts: Iterable[str] = ()
                   ) -> dict[str, str]:
    """Name, sort key and search column of a customer's fields given by name (a cleaned
    row: what :func:`refresh_derived` sets on an instance)."""
    kind = values["kind"]
    if kind == CustomerKind.COMPANY:
        display_name = values["company_name"]
    elif kind == CustomerKind.SOLE_TRADER:
        display_name = f"{values['company_name']} ({values['first_name']} " \
                       f"{values['last_name']})"[:250]
    else:
        display_name = f"{values['first_name']} {values['last_name']}"
    return {"display_name": display_name, "sort_key": search.sort_key_of(values),
            "search_text": search.search_text_of(values, extra_contacts)}


@dataclass
class Duplicate:
    customer_id: int
    branch_id: int
    branch_name: str
    reason: str
    visible: bool
    name: str = ""


class PossibleDuplicate(Conflict):
    """A likely duplicate exists; the caller confirms to register anyway."""

    def __init__(self, duplicates: list[Duplicate]) -> None:
        first = duplicates[0]
        if first.visible:
            message = _("A similar customer already exists: %(name)s (%(reason)s). Open that "
                        "record, or confirm to register a new one.") % {
                "name": first.name, "reason": first.reason}
        else:
            message = _("A customer with the same %(reason)s already exists at branch "
                        "%(branch)s. Ask that branch or HQ, or confirm to register a new "
                        "one.") % {"reason": first.reason, "branch": first.branch_name}
        super().__init__("possible_duplicate", message, field=None)
        self.duplicates = duplicates


def find_duplicates(*, user: Actor, data: dict[str, Any], exclude_id: int | None = None,
                    limit: int = 5) -> list[Duplicate]:
    """Likely duplicates anywhere in the company. For customers the user may not see only
    the branch is told, never their data."""
    from django.db.models import Q

    reasons: dict[int, str] = {}
    checks = [("pesel", _("PESEL")), ("nip", _("NIP")), ("phone", _("phone number")),
              ("email", _("e-mail address"))]
    cond = Q()
    for name, _label_text in checks:
        if data.get(name):
            cond |= Q(**{name: data[name]})
    probe = Customer(**{k: v for k, v in data.items() if k in EDITABLE})
    key = search.sort_key_for(probe)
    postal, street = data.get("postal_code") or "", fold(data.get("street"))
    if key:
        cond |= Q(sort_key=key)
    if not cond:
        return []
    qs = Customer.objects.filter(cond, status=CustomerStatus.ACTIVE).select_related("branch")
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    found: list[Customer] = []
    for c in qs.order_by("pk")[:50]:
        for name, label in checks:
            if data.get(name) and getattr(c, name) == data[name]:
                reasons[c.pk] = str(label)
                break
        else:
            same_place = (postal and c.postal_code == postal) or (street and fold(c.street)
                                                                 == street)
            if not same_place:
                continue
            reasons[c.pk] = _("name and address")
        found.append(c)
        if len(found) >= limit:
            break
    visible = set(Customer.objects.visible_to(user, perms.CUSTOMER_VIEW)
                  .filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True))
    return [Duplicate(customer_id=c.pk, branch_id=c.branch_id, branch_name=c.branch.name,
                      reason=reasons[c.pk], visible=c.pk in visible,
                      name=c.display_name) for c in found]


@dataclass
class ConsentInput:
    purpose: str
    granted: bool


def _clean_consents(consents: list[ConsentInput] | list[dict[str, Any]]) -> list[ConsentInput]:
    out: list[ConsentInput] = []
    seen: set[str] = set()
    for c in consents:
        item = c if isinstance(c, ConsentInput) else ConsentInput(
            purpose=c.get("purpose", ""), granted=bool(c.get("granted")))
        if item.purpose not in ConsentPurpose.values:
            raise ValidationFailed("invalid", _("Unknown consent purpose: %(p)s.")
                                   % {"p": item.purpose}, field="consents")
        if item.purpose in seen:
            raise ValidationFailed("invalid", _("Consent “%(p)s” appears twice.")
                                   % {"p": ConsentPurpose(item.purpose).label}, field="consents")
        seen.add(item.purpose)
        out.append(item)
    return out


def _source(value: str) -> str:
    if value not in ConsentSource.values:
        raise ValidationFailed("invalid", _("Unknown consent source."), field="source")
    return value


def current_text(purpose: str) -> ConsentText | None:
    return ConsentText.objects.filter(purpose=purpose, valid_from__lte=timezone.now()).order_by(
        "-version").first()


def _write_consent(*, customer: Customer, purpose: str, granted: bool, source: str, actor: Actor,
                   branch_id: int | None, at: datetime.datetime | None = None) -> ConsentEvent:
    at = at or timezone.now()
    event = ConsentEvent.objects.create(
        customer=customer, purpose=purpose, granted=granted, at=at, source=source,
        text=current_text(purpose), employee=employee_of(actor), branch_id=branch_id)
    Consent.objects.update_or_create(customer=customer, purpose=purpose, defaults={
        "granted": granted, "changed_at": at, "last_event": event})
    return event


def _ensure_active(customer: Customer) -> None:
    if customer.status != CustomerStatus.ACTIVE:
        raise Conflict("not_active", _("This customer record is %(status)s; it cannot be "
                                       "changed.") % {"status": customer.get_status_display()})


@transaction.atomic
def customer_create(*, actor: Actor, branch_id: int, data: dict[str, Any],
                    consents: list[ConsentInput] | list[dict[str, Any]],
                    source: str = ConsentSource.COUNTER,
                    confirm_duplicate: bool = False, campaign_code: str = "",
                    recommended_by: Any = None) -> Customer:
    """Register a customer at ``branch_id`` with the consents recorded at the same time.

    The data-processing basis (consent ``contract``) must be among them (seed 000 step 3).
    ``campaign_code``: where they heard of us, a campaign running at the branch
    (``referrals.py``). ``recommended_by``: the id of the customer who recommended them
    (``recommendations.py``)."""
    from punkt.customers import recommendations

    branch = Branch.objects.filter(pk=branch_id, is_active=True).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Choose an active branch."), field="branch")
    org_perms.ensure(actor, perms.CUSTOMER_EDIT.code, branch.pk)
    clean = clean_customer(data)
    items = _clean_consents(consents)
    source = _source(source)
    referral = referrals.check(branch.pk, campaign_code)
    recommender = recommendations.clean_recommender(actor, recommended_by)
    basis = next((c for c in items if c.purpose == ConsentPurpose.CONTRACT), None)
    if basis is None or not basis.granted:
        raise ValidationFailed(
            "consent_required", _("Record the customer's consent to processing their data "
                                  "(the data-processing basis) before saving."),
            field="consents")
    if not confirm_duplicate:
        found = find_duplicates(user=actor, data=clean)
        if found:
            raise PossibleDuplicate(found)
    customer = Customer(branch=branch, created_by=employee_of(actor), **clean)
    refresh_derived(customer)
    customer.save()
    search.index_customers([customer])
    for item in items:
        _write_consent(customer=customer, purpose=item.purpose, granted=item.granted,
                       source=source, actor=actor, branch_id=branch.pk)
    referrals.record(referral, customer, actor)
    recommendations.record(actor, customer, recommender)
    timeline_add(customer_id=customer.pk, kind=TimelineKind.SYSTEM,
                 subject=_("Registered at %(branch)s") % {"branch": branch.name}, actor=actor,
                 branch_id=branch.pk, source=customer)
    audit_record(action="customers.customer.create", obj=customer, actor=actor,
                 branch_id=branch.pk, changes=diff({}, _snapshot(customer)))
    return customer


@transaction.atomic
def customer_update(*, actor: Actor, customer_id: int, data: dict[str, Any]) -> Customer:
    customer = Customer.objects.locked(customer_id, missing=_("Customer not found."))
    org_perms.ensure(actor, perms.CUSTOMER_EDIT.code, customer.branch_id)
    _ensure_active(customer)
    before_raw = {f: getattr(customer, f) for f in EDITABLE}
    clean = clean_customer({**before_raw, **data})
    for key, value in clean.items():
        setattr(customer, key, value)
    refresh_derived(customer)
    customer.save()
    # Compared unmasked (a PESEL differing in its last digits is a change), logged masked.
    changes = {key: [_masked({key: old})[key], _masked({key: new})[key]] for key, (old, new)
               in diff(before_raw, {f: getattr(customer, f) for f in EDITABLE}).items()}
    if changes:
        search.index_customers([customer])
        audit_record(action="customers.customer.update", obj=customer, actor=actor,
                     branch_id=customer.branch_id, changes=changes)
        timeline_add(customer_id=customer.pk, kind=TimelineKind.SYSTEM,
                     subject=_("Data changed: %(fields)s") % {
                         "fields": ", ".join(_label(f) for f in changes)},
                     actor=actor, branch_id=customer.branch_id, source=customer)
    return customer


@transaction.atomic
def consent_record(*, actor: Actor, customer_id: int, purpose: str, granted: bool,
                   source: str = ConsentSource.COUNTER) -> ConsentEvent:
    """Give or withdraw one consent. Withdrawing is as easy as giving (GDPR art. 7(3))."""
    customer = Customer.objects.locked(customer_id, missing=_("Customer not found."))
    org_perms.ensure(actor, perms.CONSENT_RECORD.code, customer.branch_id)
    _ensure_active(customer)
    if purpose not in ConsentPurpose.values:
        raise ValidationFailed("invalid", _("Unknown consent purpose: %(p)s.")
                               % {"p": purpose}, field="purpose")
    source = _source(source)
    current = Consent.objects.filter(customer=customer, purpose=purpose).first()
    if current is not None and current.granted == granted:
        raise Conflict("unchanged", _("This consent is already given.") if granted
                       else _("This consent is already withdrawn."), field="granted")
    if current is None and not granted:
        raise Conflict("unchanged", _("This consent was never given."), field="granted")
    event = _write_consent(customer=customer, purpose=purpose, granted=granted, source=source,
                           actor=actor, branch_id=customer.branch_id)
    label = ConsentPurpose(purpose).label
    timeline_add(customer_id=customer.pk, kind=TimelineKind.CONSENT,
                 subject=(_("Consent given: %(p)s") if granted else
                          _("Consent withdrawn: %(p)s")) % {"p": label},
                 actor=actor, branch_id=customer.branch_id, source=event)
    audit_record(action="customers.consent." + ("give" if granted else "withdraw"),
                 obj=customer, actor=actor, branch_id=customer.branch_id,
                 changes={purpose: [None if current is None else current.granted, granted]},
                 message=f"source={source}")
    return event


@transaction.atomic
def contact_add(*, actor: Actor, customer_id: int, kind: str, value: str, label: str = ""
                ) -> CustomerContact:
    customer = Customer.objects.locked(customer_id, missing=_("Customer not found."))
    org_perms.ensure(actor, perms.CUSTOMER_EDIT.code, customer.branch_id)
    _ensure_active(customer)
    if kind == ContactKind.PHONE:
        value = ids.clean_phone(value, field="value")
    elif kind == ContactKind.EMAIL:
        value = ids.clean_email(value, field="value").lower()
    else:
        raise ValidationFailed("invalid", _("Choose phone or e-mail."), field="kind")
    if not value:
        raise ValidationFailed("required", _("Enter the phone number or e-mail address."),
                               field="value")
    if value in (customer.phone, customer.email) or customer.contacts.filter(
            kind=kind, value=value).exists():
        raise ValidationFailed("duplicate", _("The customer already has this contact."),
                               field="value")
    contact = CustomerContact.objects.create(customer=customer, kind=kind, value=value,
                                             label=" ".join(label.split())[:60])
    refresh_derived(customer)
    customer.save(update_fields=["search_text", "updated_at"])
    audit_record(action="customers.contact.add", obj=customer, actor=actor,
                 branch_id=customer.branch_id, changes={"contact": [None, kind]})
    return contact


@transaction.atomic
def contact_remove(*, actor: Actor, contact_id: int) -> None:
    contact = CustomerContact.objects.filter(pk=contact_id).select_related("customer").first()
    if contact is None:
        raise NotFound(_("Contact not found."))
    customer = Customer.objects.locked(contact.customer_id, missing=_("Customer not found."))
    org_perms.ensure(actor, perms.CUSTOMER_EDIT.code, customer.branch_id)
    _ensure_active(customer)
    contact.delete()
    refresh_derived(customer)
    customer.save(update_fields=["search_text", "updated_at"])
    audit_record(action="customers.contact.remove", obj=customer, actor=actor,
                 branch_id=customer.branch_id, changes={"contact": [contact.kind, None]})
