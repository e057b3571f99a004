#!/usr/bin/env python
"""Load complaints (with their history and corrective actions) and satisfaction surveys
(invitations, completed questionnaires, their answers and follow-ups) on top of the
customer benchmark database named by DATABASE_URL (issue 17's speed goals: 500k
complaints, 5M survey answers, 1M customers).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset           # 1,000,000 customers
    .venv/bin/python bench/gen_complaints.py --reset [--complaints 500000] [--answers 5000000]

What it writes:

- ``--complaints`` complaints received over the last ``--years`` years (more recent ones
  more often), numbered ``RK/<year>/<n>`` in the order received (the counters left at the
  last number), each of a customer of its branch, handled by one of the branch's staff.
  Kinds: ≈55 % consumer goods (14 days), 38 % telecom (30 days), 7 % business (by
  contract, 14–60 days); the deadline computed as ``clock.deadline`` computes it (the end
  of the day, moved past weekends and Polish holidays), the reminder from it. Channels:
  counter, phone, e-mail, post, from a ticket. Complaints older than ≈6 weeks are mostly
  closed; recent ones are spread over the open states; ≈3 % of the undecided are past
  their deadline (deemed accepted). ≈70 % are decided in the branch by its manager, the
  rest sent to HQ (investigated with a cause, decided by an HQ expert). Decisions: ≈45 %
  upheld, 20 % partly, 35 % rejected (with a reason and its legal basis); ≈85 % decided
  in time. Each step is a history row (4–7 per complaint).
- Corrective actions on ≈6 % of the complaints with a cause, a preventive one on a third
  of those (naming the procedure changed); old ones verified, recent ones open or done,
  some past due.
- Two questionnaires: a yearly one to active customers (5 questions) and one after a
  closed complaint (4 questions), both active. Invitations so that the completed
  questionnaires hold ≈ ``--answers`` answers (scores) in all: the yearly survey to ≈55 %
  of the customers each year (≈48 % answer), the complaint survey after ≈80 % of the
  closed complaints (≈60 % answer). Scores mostly 4–5; a response whose lowest score is 3
  or less opens a follow-up (closed unless recent).

Rows go through COPY with every concrete column (``gen_servicedesk.Copier``); audit,
timeline, task and message rows are not written. Ends with VACUUM (ANALYZE).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import random
import sys
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from gen_servicedesk import Copier  # noqa: E402  (sets up Django)

from punkt.complaints import clock  # noqa: E402
from punkt.complaints.models import (  # noqa: E402
    Complaint,
    ComplaintAction,
    ComplaintCounter,
    ComplaintEvent,
)
from punkt.core.dbguards import truncate_for_maintenance  # noqa: E402
from punkt.core.roles import Role  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.organization.models import BranchKind, Membership  # noqa: E402
from punkt.surveys.models import (  # noqa: E402
    FollowUp,
    Invitation,
    Question,
    Questionnaire,
    Response,
    Score,
    Watermark,
)

PRODUCTS = ["Router Wi-Fi 6", "Dekoder TV 4K", "Smartfon Samsung A55", "Internet 600 Mb/s",
            "Telewizja Pakiet Familijny", "Słuchawki bezprzewodowe", "Telefon stacjonarny",
            "Ładowarka sieciowa 65 W", "Pakiet sportowy", "Modem LTE", "Smartwatch",
            "Naprawa gwarancyjna — laptop", "Usługa instalacji", "Faktura za usługi"]
ACCOUNTS = ["Urządzenie przestało działać po dwóch tygodniach.",
            "Naliczono opłatę za usługę, której nie zamawiałem.",
            "Internet przerywa kilka razy dziennie od tygodnia.",
            "Ekran ma martwe piksele od dnia zakupu.",
            "Technik nie przyszedł w umówionym terminie.",
            "Dekoder restartuje się sam w trakcie oglądania.",
            "Bateria rozładowuje się w kilka godzin.",
            "Otrzymałem fakturę z błędną kwotą."]
OPINIONS = ["Wada widoczna przy kliencie.", "Do sprawdzenia przez serwis.",
            "Klient używał urządzenia zgodnie z instrukcją.", "", ""]
CAUSES = (["product_defect"] * 40 + ["service_error"] * 25 + ["employee_error"] * 10
          + ["process_defect"] * 10 + ["customer_misuse"] * 12 + ["other"] * 3)
KINDS = ["consumer_goods"] * 55 + ["telecom"] * 38 + ["business"] * 7
CHANNELS = ["counter"] * 55 + ["phone"] * 20 + ["email"] * 15 + ["ticket"] * 7 + ["post"] * 3
DEMANDS = {"consumer_goods": ["repair", "replacement", "price_reduction", "withdrawal"],
           "telecom": ["correction", "compensation"],
           "business": ["repair", "replacement", "correction", "compensation"]}
OUTCOMES = ["upheld"] * 45 + ["partly_upheld"] * 20 + ["rejected"] * 35
#: open states of recent complaints, in flow order, with their weights
OPEN_STATES = [("registered", 10), ("acknowledged", 25), ("at_hq", 8), ("investigation", 12),
               ("decided", 15), ("refund_due", 2), ("remedied", 10), ("informed", 18)]
LEGAL_BASIS = "art. 43b ust. 1 pkt 1 Ustawy o prawach konsumenta (brak wady fizycznej)"
YEARLY_QUESTIONS = ["Jak oceniasz obsługę w salonie?", "Jak oceniasz jakość usług?",
                    "Jak oceniasz przejrzystość faktur?", "Jak oceniasz kontakt telefoniczny?",
                    "Czy polecisz nas znajomym?"]
COMPLAINT_QUESTIONS = ["Jak oceniasz czas rozpatrzenia reklamacji?",
                       "Jak oceniasz uzasadnienie decyzji?",
                       "Jak oceniasz uprzejmość pracownika?",
                       "Jak oceniasz sposób naprawienia problemu?"]
COMMENTS = ["", "", "", "", "Wszystko w porządku.", "Długo czekałem na odpowiedź.",
            "Bardzo miła obsługa.", "Proszę o kontakt w sprawie faktury."]
FOLLOWUP_OUTCOMES = ["resolved"] * 50 + ["complaint"] * 8 + ["offer"] * 12 + \
    ["unreachable"] * 22 + ["declined"] * 8


def reset() -> None:
    truncate_for_maintenance([m._meta.db_table for m in (
        FollowUp, Score, Response, Invitation, Watermark, Question, Questionnaire,
        ComplaintAction, ComplaintEvent, Complaint, ComplaintCounter)])
    with connection.cursor() as cur:  # the precomputed figures, if the app keeps some
        cur.execute("SELECT tablename FROM pg_tables WHERE tablename IN "
                    "('surveys_branchmonthfigure', 'surveys_employeefigure', "
                    "'surveys_scorefigure', 'surveys_figuresstate', 'complaints_complaintfigure', "
                    "'complaints_countedcomplaint', 'complaints_figuresstate')")
        kept = [r[0] for r in cur.fetchall()]
    if kept:
        truncate_for_maintenance(kept)


@lru_cache(maxsize=20000)
def due_on(day: datetime.date, days: int) -> datetime.datetime:
    start = datetime.datetime.combine(day, datetime.time(12), tzinfo=clock.WARSAW)
    return clock.deadline(start, days)


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _w in pairs], [w for _p, w in pairs])[0]


def progress(label: str, started: float) -> None:
    print(f"{label} ({time.monotonic() - started:.0f} s)", flush=True)


def load_complaints(args: argparse.Namespace, rng: random.Random, started: float,
                    customers: dict[int, list[int]], staff: dict[int, list[int]],
                    managers: dict[int, int], experts: list[int]) -> list[tuple]:  # type: ignore[type-arg]
    """The complaints, their history and actions; returns the closed ones as
    (id, branch, customer, handler, closed_at) for the complaint survey."""
    now = timezone.now().replace(microsecond=0)
    span = args.years * 365 * 86400
    branches = sorted(customers)
    moments = sorted(now - datetime.timedelta(seconds=span * (1 - rng.random() ** 0.7))
                     for _ in range(args.complaints))
    counters: dict[int, int] = {}
    cur = connection.cursor().cursor
    complaints = Copier(cur, Complaint)
    events: list[tuple] = []  # type: ignore[type-arg]  # (complaint, action, from, to, actor, at)
    actions: list[dict] = []  # type: ignore[type-arg]
    closed: list[tuple] = []  # type: ignore[type-arg]
    for i, received in enumerate(moments):
        cid = i + 1
        branch = branches[rng.randrange(len(branches))]
        customer = rng.choice(customers[branch])
        handler = rng.choice(staff[branch])
        manager = managers.get(branch, handler)
        local = received.astimezone(clock.WARSAW)
        counters[local.year] = counters.get(local.year, 0) + 1
        kind = rng.choice(KINDS)
        days = clock.LEGAL_DAYS.get(kind) or rng.choice([14, 21, 30, 45, 60])
        due = due_on(local.date(), days)
        age = (now - received).days
        if age > 45 or rng.random() < 0.02:
            status = "closed" if rng.random() < 0.985 else rng.choice(
                ["informed", "remedied", "decided"])
        else:
            status = weighted(rng, OPEN_STATES)
        undecided = status in ("registered", "acknowledged", "at_hq", "investigation")
        at_hq = status in ("at_hq", "investigation") or (not undecided and rng.random() < 0.3)
        # the steps as they happened: each a few hours to days after the last
        t = received
        steps: list[tuple[str, str, str, int]] = [("register", "", "registered", handler)]

        def later(hours: float) -> datetime.datetime:
            nonlocal t
            t = min(now, t + datetime.timedelta(hours=rng.uniform(0.2, hours)))
            return t

        decided_at = decided_by = outcome = cause = None
        deemed = False
        if status != "registered":
            later(30)
            steps.append(("acknowledge", "registered", "acknowledged", handler))
        if at_hq and status != "acknowledged":
            later(24)
            steps.append(("send_to_hq", "acknowledged", "at_hq", handler))
            if status != "at_hq":
                later(24 * 5)
                steps.append(("investigate", "at_hq", "investigation", rng.choice(experts)))
                cause = rng.choice(CAUSES)
        if not undecided:
            in_time = rng.random() < 0.86
            decided_at = later(24 * days * 0.6) if in_time else due + datetime.timedelta(
                days=rng.randint(1, 10))
            decided_at = min(decided_at, now)
            t = decided_at
            decided_by = rng.choice(experts) if at_hq else manager
            outcome = rng.choice(OUTCOMES)
            if cause is None and rng.random() < 0.6:
                cause = rng.choice(CAUSES)
            steps.append(("decide" if at_hq else "decide_in_branch",
                          "investigation" if at_hq else "acknowledged", "decided", decided_by))
        elif due < now and rng.random() < 0.5:
            deemed = True
        remedy_kind = ""
        remedied_at = informed_at = closed_at = None
        refund = None
        if status in ("refund_due", "remedied", "informed", "closed") and outcome != "rejected":
            remedy_kind = rng.choice(["replacement", "repair", "other", "repair"])
            if status == "refund_due":
                steps.append(("order_refund", "decided", "refund_due", handler))
                refund = f"{rng.randint(20, 900)}.00"
                later(48)
            else:
                remedied_at = later(24 * 7)
                steps.append(("remedy", "decided", "remedied", handler))
        if status in ("informed", "closed"):
            informed_at = later(48)
            steps.append(("inform", "remedied" if remedied_at else "decided", "informed",
                          handler))
        if status == "closed":
            closed_at = later(24 * 3)
            steps.append(("close", "informed", "closed", handler))
        if status == "remedied" and outcome == "rejected":
            status = "decided"
        if deemed:
            steps.append(("deemed_accepted", status, status, None))
        amount = f"{rng.randint(30, 3000)}.{rng.randint(0, 99):02d}" if rng.random() < 0.7 \
            else None
        complaints.row(
            number=f"RK/{local.year}/{counters[local.year]:06d}", branch_id=branch,
            customer_id=customer, kind=kind, channel=rng.choice(CHANNELS), status=status,
            product_text=rng.choice(PRODUCTS), customer_account=rng.choice(ACCOUNTS),
            employee_opinion=rng.choice(OPINIONS), demand=rng.choice(DEMANDS[kind]),
            amount=amount, terms_version="Regulamin reklamacji v3 (2025-01-01)",
            contract_days=days if kind == "business" else None, handler_id=handler,
            received_at=received, clock_started_at=received, days=days, deadline=due,
            remind_at=clock.reminder(due), reminded_at=clock.reminder(due)
            if clock.reminder(due) < now else None, deemed_accepted=deemed,
            deemed_at=due if deemed else None, round=1, cause=cause or "",
            cause_note="Ustalono w toku rozpatrzenia." if cause else "",
            outcome=outcome or "",
            decision_reason="Nie stwierdzono wady objętej odpowiedzialnością sprzedawcy."
            if outcome == "rejected" else "", legal_basis=LEGAL_BASIS
            if outcome == "rejected" else "", decided_at=decided_at,
            decided_by_id=decided_by, decided_at_hq=bool(at_hq and decided_at),
            remedy_note="Wykonano zgodnie z decyzją." if remedy_kind else "",
            remedy_kind=remedy_kind, refund_amount=refund, remedied_at=remedied_at,
            informed_how=rng.choice(["email", "post", "in_person"]) if informed_at else "",
            informed_at=informed_at, closed_at=closed_at, created_by_id=handler,
            updated_at=t)
        at = received
        for action, frm, to, actor in steps:
            events.append((cid, action, frm, to, actor, at))
            at = at + datetime.timedelta(hours=rng.uniform(1, 30))
            at = min(at, now)
        if cause and rng.random() < 0.06:
            created = decided_at or t
            due_day = (created + datetime.timedelta(days=rng.randint(7, 45))).date()
            owner = rng.choice(staff[branch])
            for kind_ in ["corrective"] + (["preventive"] if rng.random() < 0.33 else []):
                old = (now - created).days > 90
                st = "verified" if old else rng.choice(["open", "open", "done", "verified"])
                actions.append(dict(
                    complaint_id=cid, kind=kind_,
                    description="Usunąć przyczynę: " + (cause or "").replace("_", " "),
                    owner_id=owner, due_on=due_day,
                    procedure="Procedura przyjęcia reklamacji, pkt 4" if kind_ == "preventive"
                    else "", status=st,
                    done_note="Wykonano." if st != "open" else "",
                    done_at=created + datetime.timedelta(days=5) if st != "open" else None,
                    verified_by_id=manager if st == "verified" else None,
                    verified_at=created + datetime.timedelta(days=9) if st == "verified"
                    else None, verification_note="Skuteczne." if st == "verified" else "",
                    created_by_id=manager, created_at=created))
        if status == "closed" and closed_at:
            closed.append((cid, branch, customer, handler, closed_at))
        if (i + 1) % 100_000 == 0:
            progress(f"  {i + 1:,} complaints", started)
    complaints.close()
    ComplaintCounter.objects.bulk_create(
        [ComplaintCounter(year=y, last=n) for y, n in counters.items()],
        update_conflicts=True, unique_fields=["year"], update_fields=["last"])
    progress(f"complaints: {complaints.count:,}", started)
    history = Copier(connection.cursor().cursor, ComplaintEvent)
    for cid, action, frm, to, actor, at in events:
        history.row(complaint_id=cid, action=action, from_status=frm, to_status=to,
                    actor_id=actor, at=at, note="")
    history.close()
    progress(f"history: {history.count:,}", started)
    capa = Copier(connection.cursor().cursor, ComplaintAction)
    for a in actions:
        capa.row(**a)
    capa.close()
    progress(f"corrective and preventive actions: {capa.count:,}", started)
    return closed


def questionnaire(name: str, rule: str, questions: list[str]) -> Questionnaire:
    q = Questionnaire.objects.create(
        name=name, title_pl=name, title_en=name, intro_pl="Prosimy o ocenę (1–5).",
        is_active=True, rules=[rule])
    Question.objects.bulk_create([Question(questionnaire=q, position=i + 1, text_pl=t,
                                           text_en=t) for i, t in enumerate(questions)])
    return q


def load_surveys(args: argparse.Namespace, rng: random.Random, started: float,
                 customers: dict[int, list[int]], staff: dict[int, list[int]],
                 retention: dict[int, list[int]], closed: list[tuple]) -> None:  # type: ignore[type-arg]
    now = timezone.now().replace(microsecond=0)
    yearly = questionnaire("Roczna ocena obsługi (benchmark)", "yearly", YEARLY_QUESTIONS)
    after = questionnaire("Ocena po reklamacji (benchmark)", "complaint", COMPLAINT_QUESTIONS)
    yq = list(Question.objects.filter(questionnaire=yearly).values_list("pk", flat=True))
    cq = list(Question.objects.filter(questionnaire=after).values_list("pk", flat=True))
    # How many invitations make ≈ --answers scores: the complaint survey's share first.
    after_inv = int(len(closed) * 0.8)
    after_scores = after_inv * 0.6 * len(cq)
    yearly_inv = max(0, int((args.answers - after_scores) / (0.48 * len(yq))))
    since = now - datetime.timedelta(days=365 * args.years)
    years = list(range(since.year, now.year + 1))
    per_year = yearly_inv // len(years)
    everyone = [(b, c) for b, ids in customers.items() for c in ids]
    plan: list[tuple] = []  # type: ignore[type-arg]  # (questionnaire, questions, branch, customer, employee, rule, source_type, source_id, created)
    for year in years:
        first = max(since, datetime.datetime(year, 1, 15, 9, tzinfo=clock.WARSAW))
        last = min(now, datetime.datetime(year, 12, 20, 9, tzinfo=clock.WARSAW))
        if last <= first:
            continue
        gap = (last - first).total_seconds()
        for branch, customer in rng.sample(everyone, min(per_year, len(everyone))):
            created = first + datetime.timedelta(seconds=rng.random() * gap)
            plan.append((yearly.pk, yq, branch, customer, rng.choice(staff[branch]),
                         "yearly", "surveys.year", str(year), created))
    for cid, branch, customer, handler, closed_at in rng.sample(closed, after_inv):
        plan.append((after.pk, cq, branch, customer, handler, "complaint",
                     "complaints.complaint", str(cid), closed_at + datetime.timedelta(hours=1)))
    plan.sort(key=lambda p: p[-1])
    progress(f"planned {len(plan):,} invitations", started)
    invitations = Copier(connection.cursor().cursor, Invitation)
    answered: list[tuple] = []  # type: ignore[type-arg]  # (invitation id, questions, at, branch, customer)
    for i, (qid, questions, branch, customer, employee, rule, stype, sid, created) in \
            enumerate(plan):
        expires = created + datetime.timedelta(days=30)
        p = 0.6 if rule == "complaint" else 0.48
        answer_at = None
        if rng.random() < p:
            answer_at = created + datetime.timedelta(hours=rng.expovariate(1 / 40))
            if answer_at >= min(now, expires):
                answer_at = None
        reminded = created + datetime.timedelta(days=7)
        reminded_at = reminded if reminded < now and (answer_at is None or
                                                       answer_at > reminded) else None
        invitations.row(
            questionnaire_id=qid, customer_id=customer, branch_id=branch, rule=rule,
            source_type=stype, source_id=sid, employee_id=employee, language="pl",
            channel="email" if rng.random() < 0.7 else "sms",
            token_hash=hashlib.sha256(f"bench-survey-{i}".encode()).hexdigest(),
            created_at=created, expires_at=expires, reminded_at=reminded_at,
            answered_at=answer_at)
        if answer_at is not None:
            answered.append((i + 1, questions, answer_at, branch, customer))
        if (i + 1) % 500_000 == 0:
            progress(f"  {i + 1:,} invitations", started)
    invitations.close()
    progress(f"invitations: {invitations.count:,}", started)
    responses = Copier(connection.cursor().cursor, Response)
    scores: list[tuple[int, int, int]] = []
    lows: list[tuple] = []  # type: ignore[type-arg]
    for rid0, (inv, questions, at, branch, customer) in enumerate(answered):
        rid = rid0 + 1
        mood = rng.random()
        values = [(rng.choice((4, 5, 5)) if mood < 0.78 else rng.choice((2, 3, 4, 4, 5))
                   if mood < 0.95 else rng.choice((1, 2, 3))) for _q in questions]
        lowest = min(values)
        responses.row(invitation_id=inv, submitted_at=at, comment=rng.choice(COMMENTS),
                      lowest=lowest, at_counter=rng.random() < 0.05)
        scores.extend((rid, q, v) for q, v in zip(questions, values, strict=True))
        if lowest <= 3:
            lows.append((rid, branch, customer, at))
    responses.close()
    progress(f"responses: {responses.count:,}", started)
    copier = Copier(connection.cursor().cursor, Score)
    for rid, q, v in scores:
        copier.row(response_id=rid, question_id=q, value=v)
    copier.close()
    progress(f"answers (scores): {copier.count:,}", started)
    follow = Copier(connection.cursor().cursor, FollowUp)
    for rid, branch, customer, at in lows:
        open_ = (now - at).days < 14 and rng.random() < 0.6
        pool = retention.get(branch) or staff[branch]
        assignee = rng.choice(pool)
        follow.row(response_id=rid, branch_id=branch, customer_id=customer,
                   assignee_id=assignee, status="open" if open_ else "closed",
                   outcome="" if open_ else rng.choice(FOLLOWUP_OUTCOMES),
                   note="" if open_ else "Rozmowa z klientem.", created_at=at,
                   closed_at=None if open_ else at + datetime.timedelta(days=2),
                   closed_by_id=None if open_ else assignee)
    follow.close()
    progress(f"follow-ups: {follow.count:,}", started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--complaints", type=int, default=500_000)
    ap.add_argument("--answers", type=int, default=5_000_000,
                    help="survey answers (scores) to load, approximately")
    ap.add_argument("--years", type=float, default=2.5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reset", action="store_true",
                    help="empty the complaint and survey tables first")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL bench database (punkt_bench).")
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Refusing a database whose name does not contain 'bench'.")
    rng = random.Random(args.seed)
    started = time.monotonic()
    if args.reset:
        reset()
    elif Complaint.objects.exists() or Invitation.objects.exists():
        sys.exit("There are complaints or surveys already: add --reset to load from scratch.")
    staff: dict[int, list[int]] = {}
    retention: dict[int, list[int]] = {}
    managers: dict[int, int] = {}
    for branch_id, employee_id, role in Membership.objects.filter(
            is_active=True, branch__kind=BranchKind.BRANCH, branch__is_active=True,
            role__in=[Role.SERVICE, Role.RETENTION, Role.MANAGER]).order_by("pk").values_list(
            "branch_id", "employee_id", "role"):
        staff.setdefault(branch_id, []).append(employee_id)
        if role == Role.RETENTION:
            retention.setdefault(branch_id, []).append(employee_id)
        if role == Role.MANAGER:
            managers.setdefault(branch_id, employee_id)
    experts = list(Membership.objects.filter(role=Role.HQ_EXPERT, is_active=True)
                   .values_list("employee_id", flat=True))
    customers: dict[int, list[int]] = {}
    for pk, branch_id in Customer.objects.filter(status="active").values_list("pk",
                                                                              "branch_id"):
        if branch_id in staff:
            customers.setdefault(branch_id, []).append(pk)
    if not customers or not experts:
        sys.exit("No customers or staff here: run bench/gen_org.py and "
                 "bench/gen_customers.py --reset first.")
    progress(f"{sum(map(len, customers.values())):,} customers in {len(customers)} branches",
             started)
    closed = load_complaints(args, rng, started, customers, staff, managers, experts)
    load_surveys(args, rng, started, customers, staff, retention, closed)
    with connection.cursor() as cur:
        for model in (Complaint, ComplaintEvent, ComplaintAction, Invitation, Response, Score,
                      FollowUp):
            cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    progress("done", started)


if __name__ == "__main__":
    main()
