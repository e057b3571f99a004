"""The service desk: teams with working hours and members, ticket types with SLA targets
per priority, tickets and their conversation (public replies and internal notes)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet
from punkt.core.worktime import WEEKDAY_KEYS

ZERO = datetime.timedelta(0)
SHORT_DAYS = (pgettext_lazy("weekday", "Mon"), pgettext_lazy("weekday", "Tue"),
              pgettext_lazy("weekday", "Wed"), pgettext_lazy("weekday", "Thu"),
              pgettext_lazy("weekday", "Fri"), pgettext_lazy("weekday", "Sat"),
              pgettext_lazy("weekday", "Sun"))


class TeamKind(models.TextChoices):
    BRANCH_OFFICE = "branch", _("branch office")
    HQ_OFFICE = "hq", _("HQ office")
    DEPARTMENT = "department", _("department")


class Routing(models.TextChoices):
    LEAST_OPEN = "least_open", _("least open work")
    ROUND_ROBIN = "round_robin", _("round robin")


class Team(models.Model):
    """A service office (a branch's, or one at HQ such as the call centre) or another
    department; tickets are routed to a team and counted in its working hours."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices,
                            default=TeamKind.BRANCH_OFFICE)
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    #: ``{"mon": "8:00-16:00", …}``; a missing day is closed (``worktime.parse_hours``)
    hours = models.JSONField(_("working hours"), default=dict, blank=True)
    members = models.ManyToManyField("organization.Employee", through="TeamMember",
                                     related_name="service_teams")
    is_active = models.BooleanField(_("active"), default=True)
    #: how a new ticket finds its member (``services.route``)
    routing = models.CharField(_("routing"), max_length=12, choices=Routing.choices,
                               default=Routing.LEAST_OPEN)
    #: round robin: the member (employee id) whose turn came last; advanced under the lock
    rr_last = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="team_name_once")]

    def __str__(self) -> str:
        return self.name

    def hours_of(self, key: str) -> str:
        return str((self.hours or {}).get(key, ""))

    @property
    def week(self) -> list[tuple[str, str]]:
        """(day's short name in the user's language, hours) of the days the team works."""
        return [(str(SHORT_DAYS[i]), self.hours_of(k)) for i, k in enumerate(WEEKDAY_KEYS)
                if self.hours_of(k)]


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    employee = models.ForeignKey("organization.Employee", on_delete=models.CASCADE,
                                 related_name="+")
    is_lead = models.BooleanField(_("team lead"), default=False)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "team__branch"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "employee"],
                                               name="team_member_once")]

    def __str__(self) -> str:
        return f"{self.team_id}: {self.employee_id}"


class TicketType(models.Model):
    """What a ticket is about (a question, a technical fault, a bill); its default team is
    where new tickets of the type go."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    default_team = models.ForeignKey(Team, verbose_name=_("default team"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    #: how much a ticket of this type weighs: at ``PUNKT_WEIGHTY_TYPE_WEIGHT`` (3) or more
    #: every ticket of the type is a weighty matter the manager decides (R9.4)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    #: the amount at stake from which a ticket of this type is weighty (none: the
    #: company-wide ``PUNKT_WEIGHTY_AMOUNT``)
    amount_threshold = models.DecimalField(_("weighty from the amount (PLN)"), max_digits=12,
                                           decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tones(low="", normal="info", high="warn", urgent="err")
class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class SlaTarget(models.Model):
    """How soon a ticket of a type and priority must be answered and resolved, in the
    owning team's working minutes."""

    type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (working minutes)"))

    objects = PunktQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["type", "priority"], name="sla_target_once"),
            models.CheckConstraint(condition=Q(first_response_minutes__gt=0)
                                   & Q(resolution_minutes__gt=0), name="sla_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.priority}"


class Channel(models.TextChoices):
    COUNTER = "counter", _("counter")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    WEB = "web", _("web form")
    CHAT = "chat", _("chat")


@tones(new="info", open="info", waiting_customer="warn", waiting_team="warn",
       awaiting_decision="warn", resolved="ok", closed="")
class TicketStatus(models.TextChoices):
    NEW = "new", _("new")
    OPEN = "open", _("open")
    WAITING_CUSTOMER = "waiting_customer", _("waiting on the customer")
    WAITING_TEAM = "waiting_team", _("waiting on another team")
    #: a weighty matter's proposed resolution waits for the manager (R9.4)
    AWAITING_DECISION = "awaiting_decision", _("awaiting the manager's decision")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "closed")


@tones(ok="ok", warning="warn", breached="err")
class SlaState(models.TextChoices):
    """A ticket's SLA as last recomputed: on time, warning (80 % of a running clock's
    working time used) or breached (a clock ran out; it stays breached)."""

    OK = "ok", _("on time")
    WARNING = "warning", _("at risk")
    BREACHED = "breached", _("breached")


#: the states in which the SLA clocks do not run
PAUSED = frozenset({TicketStatus.WAITING_CUSTOMER})
#: the states of a ticket still to be worked on
OPEN_STATES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING_CUSTOMER,
               TicketStatus.WAITING_TEAM, TicketStatus.AWAITING_DECISION)
#: the states of a ticket whose work is done
DONE_STATES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
#: the same as plain strings, for the partial indexes' conditions
_OPEN = ["new", "open", "waiting_customer", "waiting_team", "awaiting_decision"]


class Ticket(models.Model):
    """A customer's matter handled by a team, numbered ``ZG/<year>/<n>`` company-wide."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="tickets")
    assignee = models.ForeignKey("organization.Employee", verbose_name=_("assignee"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    type = models.ForeignKey(TicketType, verbose_name=_("type"), on_delete=models.PROTECT,
                             related_name="+")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices,
                              default=TicketStatus.NEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_response_due = models.DateTimeField(_("first response due"))
    resolve_due = models.DateTimeField(_("resolution due"))
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_total = models.DurationField(default=ZERO)
    sla_state = models.CharField(_("SLA"), max_length=10, choices=SlaState.choices,
                                 default=SlaState.OK)
    sla_warning_at = models.DateTimeField(_("SLA warning since"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    sla_escalated = models.BooleanField(_("escalated"), default=False)
    #: when the stored SLA state may next change: its ``SlaCheck`` row (none: it cannot —
    #: paused, done or breached)
    updated_at = models.DateTimeField(auto_now=True)
    #: weighty matters (R9.4): the amount at stake (a disputed invoice…), and whether the
    #: ticket is weighty and why, as ``weight.weigh`` found when it was opened or changed
    amount = models.DecimalField(_("amount at stake (PLN)"), max_digits=12, decimal_places=2,
                                 null=True, blank=True)
    weighty = models.BooleanField(_("weighty matter"), default=False)
    weighty_reason = models.CharField(_("why weighty"), max_length=300, blank=True)
    #: who resolved it, and who decided (the manager accepting a proposal, or resolving
    #: a weighty ticket themselves); none decided: resolved by staff alone (control list)
    resolved_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    #: a duplicate merged into another ticket (closed; its conversation shows on the target)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True,
                                    blank=True, on_delete=models.PROTECT,
                                    related_name="merged_tickets")
    #: a ticket split off another one's message
    split_from = models.ForeignKey("self", verbose_name=_("split from"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="split_tickets")
    split_message = models.ForeignKey("TicketMessage", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["assignee", "resolve_due"], name="ticket_open_by_assignee",
                         condition=Q(status__in=_OPEN)),
            models.Index(fields=["team", "resolve_due"], name="ticket_open_by_team",
                         condition=Q(status__in=_OPEN)),
            models.Index(fields=["branch", "resolve_due"], name="ticket_open_by_branch",
                         condition=Q(status__in=_OPEN)),
            # HQ's "all open" queue: the nearest deadlines first, read in index order
            models.Index(fields=["resolve_due", "id"], name="ticket_open_by_due",
                         condition=Q(status__in=_OPEN)),
            # "Do decyzji": the few weighty tickets waiting for a decision, oldest first
            # (the manager's rule is an OR of branches and led teams: no other index fits)
            models.Index(fields=["updated_at", "id"], name="ticket_awaiting_decision",
                         condition=Q(status="awaiting_decision")),
            models.Index(fields=["team", "sla_state"], name="ticket_open_at_risk",
                         condition=Q(status__in=_OPEN)
                         & ~Q(sla_state="ok")),
            models.Index(fields=["customer", "-id"], name="ticket_customer",
                         condition=Q(customer__isnull=False)),
            models.Index(fields=["branch", "resolved_at"], name="ticket_resolved_alone",
                         condition=Q(decided_by__isnull=True, resolved_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class SlaCheck(models.Model):
    """The moment a ticket's SLA state may next change (``servicedesk.sla``); a row only
    while it may. Kept beside the ticket, not on it: recomputing every open ticket moves
    tens of thousands of these moments at once, and each such update of a ticket row
    rewrites its twenty index entries (here two)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, primary_key=True,
                                  related_name="sla_check")
    due = models.DateTimeField()

    class Meta:
        # the SLA job pages through it in this order (keyset on the moment and the ticket)
        indexes = [models.Index(fields=["due", "ticket"], name="sla_check_due")]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.due:%Y-%m-%d %H:%M}"


class TicketMessage(models.Model):
    """One line of a ticket's conversation: a public reply or an internal note. Never
    changed (append-only on PostgreSQL; GDPR erasure may only empty its texts)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey("organization.Employee", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    #: who wrote it when not an employee (the customer, as the channel names them)
    author_label = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("message"))
    internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "ticket__branch"

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "id"], name="ticket_message_order")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


class TicketCounter(models.Model):
    """The last ticket number given in a year: locked while a ticket takes the next one."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    objects = PunktQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CannedReply(models.Model):
    """A ready answer a team's staff insert into a reply and adjust: ``{klient}``,
    ``{numer}``, ``{temat}``, ``{pracownik}``, ``{zespół}`` are filled in
    (:mod:`punkt.servicedesk.replies`). No team: offered to every team (company-wide,
    kept by HQ)."""

    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="canned_replies")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "team__branch"

    class Meta:
        verbose_name = _("ready answer")
        verbose_name_plural = _("ready answers")
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["team", "title"],
                                               name="canned_reply_title_once")]

    def __str__(self) -> str:
        return self.title


class DecisionOutcome(models.TextChoices):
    PENDING = "pending", pgettext_lazy("decision", "waiting")
    ACCEPTED = "accepted", pgettext_lazy("decision", "accepted")
    RETURNED = "returned", pgettext_lazy("decision", "returned")


class TicketDecision(models.Model):
    """A staff member's proposed resolution of a weighty ticket and the manager's
    decision on it: accepted (the answer goes to the customer, the ticket is resolved) or
    returned with a comment. Decided once (a conditional update on ``pending``)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="decisions")
    proposal = models.TextField(_("proposed resolution"))
    proposed_by = models.ForeignKey("organization.Employee", null=True,
                                    on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("decision"), max_length=10, choices=DecisionOutcome.choices,
                               default=DecisionOutcome.PENDING)
    decided_by = models.ForeignKey("organization.Employee", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "ticket__branch"

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-proposed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ticket"], name="decision_pending_once",
                                               condition=Q(outcome="pending"))]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.outcome}"
