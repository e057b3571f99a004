from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from punkt.core.api import MAX_ID, Page, Strict, errors, page_slice
from punkt.core.audit import audit_record
from punkt.core.routes import scoped
from punkt.customers import imports, profile, selectors, services, timeline
from punkt.customers.filters import CustomerFilter
from punkt.customers.models import Customer, Recommendation

router = Router(tags=["customers"])
LIST_CAP = 10_000



class CustomerOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    display_name: str
    pesel_masked: str
    nip: str
    phone: str
    email: str
    city: str
    branch_id: int
    created_at: datetime.datetime


class ConsentStateOut(Schema):
    purpose: str
    granted: bool | None
    changed_at: datetime.datetime | None
    source: str | None


class ContactOut(Schema):
    id: int
    kind: str
    value: str
    label: str


class CustomerDetailOut(CustomerOut):
    first_name: str
    last_name: str
    company_name: str
    consumer_like: bool
    birth_date: datetime.date | None
    regon: str
    street: str
    postal_code: str
    country: str
    corr_street: str
    corr_postal_code: str
    corr_city: str
    corr_country: str
    industry: str
    activity: str
    has_branches: bool | None
    company_size: str
    main_customer_type: str
    founding_year: int | None
    age_band: str
    education: str
    income_band: str
    vehicle: str
    employer: str
    merged_into_id: int | None
    recommended_by_id: int | None = None
    contacts: list[ContactOut]
    consents: list[ConsentStateOut]


class CustomerPage(Schema):
    items: list[CustomerOut]
    page: Page
    #: Query words that found nothing and were replaced by similar known words.
    corrected: list[str]


KindIn = Literal["person", "company", "sole_trader"]


class CustomerFields(Strict):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    company_name: str | None = Field(None, max_length=250)
    consumer_like: bool | None = None
    pesel: str | None = Field(None, max_length=20)
    birth_date: datetime.date | None = None
    nip: str | None = Field(None, max_length=20)
    regon: str | None = Field(None, max_length=20)
    bank_account: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=12)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)
    corr_street: str | None = Field(None, max_length=200)
    corr_postal_code: str | None = Field(None, max_length=12)
    corr_city: str | None = Field(None, max_length=100)
    corr_country: str | None = Field(None, max_length=2)
    industry: str | None = Field(None, max_length=100)
    activity: str | None = Field(None, max_length=200)
    has_branches: bool | None = None
    company_size: str | None = Field(None, max_length=10)
    main_customer_type: str | None = Field(None, max_length=10)
    founding_year: int | None = Field(None, ge=1000, le=9999)
    age_band: str | None = Field(None, max_length=5)
    education: str | None = Field(None, max_length=12)
    income_band: str | None = Field(None, max_length=8)
    vehicle: str | None = Field(None, max_length=8)
    employer: str | None = Field(None, max_length=200)


class ConsentIn(Strict):
    purpose: str = Field(max_length=20)
    granted: bool


class CustomerIn(CustomerFields):
    branch_id: int
    kind: KindIn
    consents: list[ConsentIn] = Field(
        description="Must include {purpose: contract, granted: true}: the data-processing "
                    "basis.", max_length=10)
    source: str = Field("counter", max_length=10)
    confirm_duplicate: bool = False
    campaign_code: str = Field("", max_length=12, description="Where the customer heard of "
                               "us: the code of a campaign running at the branch (leaflet)")
    recommended_by_id: int | None = Field(None, description="The existing customer who "
                                          "recommended this one (one the caller sees)")


class CustomerPatch(CustomerFields):
    kind: KindIn | None = None


class ConsentChangeIn(Strict):
    purpose: str = Field(max_length=20)
    granted: bool
    source: str = Field("counter", max_length=10)


class ConsentEventOut(Schema):
    id: int
    purpose: str
    granted: bool
    at: datetime.datetime
    source: str
    text_version: int | None = Field(None, alias="text.version")
    employee_id: int | None
    branch_id: int | None


class ConsentsOut(Schema):
    state: list[ConsentStateOut]
    history: list[ConsentEventOut]


class TimelineOut(Schema):
    id: int
    kind: str
    occurred_at: datetime.datetime
    direction: str
    subject: str
    body: str
    actor_id: int | None
    branch_id: int | None
    source_type: str
    source_id: str
    #: The page of the record the entry names (a path), "" when none or not for you.
    url: str = ""
    #: That record's API endpoint, "" when it has none or it is not for you.
    api_url: str = ""


class NoteIn(Strict):
    body: str = Field(max_length=10_000)


class ContactLogIn(Strict):
    kind: Literal["visit", "call", "email", "letter", "sms"]
    direction: Literal["in", "out"] = "in"
    subject: str = Field("", max_length=200)
    body: str = Field("", max_length=10_000)
    occurred_at: datetime.datetime | None = None


class ImportOut(Schema):
    id: int
    branch_id: int
    original_name: str
    status: str
    rows_total: int
    rows_valid: int
    rows_imported: int
    errors: list[dict[str, Any]]
    job_id: str | None

    @staticmethod
    def resolve_job_id(obj: Any) -> str | None:
        return str(obj.job_id) if obj.job_id else None


class CustomerQuery(Schema):
    q: str = Field("", max_length=200)
    branch: int | None = Field(None, ge=1, le=MAX_ID)
    kind: str = Field("", max_length=12)
    segment: str = Field("", max_length=40)
    consent: str = Field("", max_length=30)
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    sort: str = Field("name", max_length=10)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(25, ge=1, le=200)


class TimelineQuery(Schema):
    kind: str = Field("", max_length=20)
    before_at: datetime.datetime | None = None
    before_id: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(30, ge=1, le=100)


def _detail(customer: Customer) -> dict[str, Any]:
    data = CustomerOut.from_orm(customer).dict()
    for name in CustomerDetailOut.model_fields:
        if name not in data and hasattr(customer, name):
            data[name] = getattr(customer, name)
    data["merged_into_id"] = customer.merged_into_id
    data["recommended_by_id"] = (Recommendation.objects.filter(customer=customer)
                                 .values_list("recommender_id", flat=True).first())
    data["contacts"] = list(customer.contacts.all())
    data["consents"] = [
        {"purpose": row["purpose"], "granted": row["granted"],
         "changed_at": row["event"].at if row["event"] else None,
         "source": row["event"].source if row["event"] else None}
        for row in selectors.consent_state(customer)]
    return data


@router.get("/customers", response={200: CustomerPage, **errors()}, operation_id="customer_list")
@scoped("list")
def customer_list(request: HttpRequest, filters: Query[CustomerQuery]) -> dict[str, Any]:
    from punkt.customers import permissions as perms
    from punkt.organization import permissions as org_perms

    org_perms.ensure(request.user, perms.CUSTOMER_VIEW.code)
    qs, parsed = selectors.customer_results(
        user=request.user, filters=CustomerFilter(filters.dict()).parameters())
    items, page = page_slice(qs, filters.page, filters.per_page, cap=LIST_CAP)
    return {"items": items, "page": page, "corrected": parsed.corrected}


@router.post("/customers", response={201: CustomerDetailOut, **errors(409)},
             operation_id="customer_create")
@scoped("global")
def customer_create(request: HttpRequest, payload: CustomerIn) -> Status[Any]:
    data = payload.dict(exclude={"branch_id", "consents", "source", "confirm_duplicate",
                                  "campaign_code", "recommended_by_id"},
                        exclude_none=True)
    customer = services.customer_create(
        actor=request.user, branch_id=payload.branch_id, data=data,
        consents=[c.dict() for c in payload.consents], source=payload.source,
        confirm_duplicate=payload.confirm_duplicate, campaign_code=payload.campaign_code,
        recommended_by=payload.recommended_by_id)
    return Status(201, _detail(customer))


@router.get("/customers/{customer_id}", response={200: CustomerDetailOut, **errors(404)},
            operation_id="customer_get")
@scoped("branch")
def customer_get(request: HttpRequest, customer_id: int) -> Any:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    audit_record(action="customers.customer.view", obj=customer, actor=request.user,
                 branch_id=customer.branch_id)
    return _detail(customer)


@router.patch("/customers/{customer_id}", response={200: CustomerDetailOut, **errors(404, 409)},
              operation_id="customer_update")
@scoped("branch")
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Any:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    customer = services.customer_update(actor=request.user, customer_id=customer_id,
                                        data=payload.dict(exclude_unset=True))
    return _detail(customer)


@router.get("/customers/{customer_id}/consents", response={200: ConsentsOut, **errors(404)},
            operation_id="customer_consents")
@scoped("branch")
def customer_consents(request: HttpRequest, customer_id: int) -> Any:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    state = _detail(customer)["consents"]
    return {"state": state, "history": selectors.consent_history(customer=customer)}


@router.post("/customers/{customer_id}/consents",
             response={201: ConsentEventOut, **errors(404, 409)},
             operation_id="customer_consent_record")
@scoped("branch")
def customer_consent_record(request: HttpRequest, customer_id: int,
                            payload: ConsentChangeIn) -> Status[Any]:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    event = services.consent_record(actor=request.user, customer_id=customer_id,
                                    **payload.dict())
    return Status(201, event)


class RecommendationIn(Strict):
    recommended_by_id: int | None = Field(None, description="The recommending customer; "
                                          "null: none")


class RecommendationOut(Schema):
    customer_id: int
    recommended_by_id: int | None
    recorded_at: datetime.datetime | None
    recorded_by: str


class RecommendedOut(Schema):
    customer_id: int
    number: str
    name: str
    recorded_at: datetime.datetime


@router.put("/customers/{customer_id}/recommendation",
            response={200: RecommendationOut, **errors(404, 409)},
            operation_id="customer_recommendation_set")
@scoped("branch")
def customer_recommendation_set(request: HttpRequest, customer_id: int,
                                payload: RecommendationIn) -> Any:
    """Who recommended the customer (a manager's correction; audited)."""
    from punkt.customers import recommendations

    selectors.customer_get(user=request.user, customer_id=customer_id)
    found = recommendations.recommendation_set(actor=request.user, customer_id=customer_id,
                                               recommender_id=payload.recommended_by_id)
    return _recommendation(customer_id, found)


def _recommendation(customer_id: int, found: Any) -> dict[str, Any]:
    return {"customer_id": customer_id,
            "recommended_by_id": found.recommender_id if found else None,
            "recorded_at": found.recorded_at if found else None,
            "recorded_by": (found.recorded_by.get_full_name() if found and found.recorded_by
                            else "")}


@router.get("/customers/{customer_id}/recommended", response={200: list[RecommendedOut],
                                                              **errors(404)},
            operation_id="customer_recommended")
@scoped("branch")
def customer_recommended(request: HttpRequest, customer_id: int) -> Any:
    """The customers this one recommended (those the caller sees), newest first."""
    from punkt.customers import recommendations

    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return [{"customer_id": r.customer_id, "number": r.customer.number,
             "name": r.customer.display_name, "recorded_at": r.recorded_at}
            for r in recommendations.brought_by(request.user, customer)[:200]]


@router.get("/customers/{customer_id}/timeline", response={200: list[TimelineOut],
                                                           **errors(404)},
            operation_id="customer_timeline")
@scoped("branch")
def customer_timeline(request: HttpRequest, customer_id: int,
                      filters: Query[TimelineQuery]) -> Any:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    before = None
    if filters.before_at and filters.before_id:
        before = (filters.before_at.isoformat(), filters.before_id)
    entries = selectors.timeline(customer=customer, kind=filters.kind, before=before,
                                 limit=filters.limit)
    profile.link_entries_for_api(request.user, customer, entries)
    return entries


@router.post("/customers/{customer_id}/notes", response={201: TimelineOut, **errors(404)},
             operation_id="customer_note_add")
@scoped("branch")
def customer_note_add(request: HttpRequest, customer_id: int, payload: NoteIn) -> Status[Any]:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    return Status(201, timeline.note_add(actor=request.user, customer_id=customer_id,
                                         body=payload.body))


@router.post("/customers/{customer_id}/contacts-log",
             response={201: TimelineOut, **errors(404)}, operation_id="customer_contact_log")
@scoped("branch")
def customer_contact_log(request: HttpRequest, customer_id: int,
                         payload: ContactLogIn) -> Status[Any]:
    selectors.customer_get(user=request.user, customer_id=customer_id)
    return Status(201, timeline.contact_log(actor=request.user, customer_id=customer_id,
                                            **payload.dict()))


@router.get("/customer-imports/{import_id}", response={200: ImportOut, **errors(404)},
            operation_id="customer_import_get")
@scoped("branch")
def customer_import_get(request: HttpRequest, import_id: int) -> Any:
    return imports.import_get(user=request.user, import_id=import_id)


