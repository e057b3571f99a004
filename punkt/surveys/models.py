"""Satisfaction surveys (R14, R16): HQ's questionnaires with their sending rules, the
invitations the rules make (one link per customer, questionnaire and occasion), the
answers, and the follow-up a low score opens for the branch's retention employee."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet, PunktQuerySet

#: A score at or below this opens a follow-up (R14.2): 2 is explicit dissatisfaction, 3
#: hidden dissatisfaction, and 1 — the strongest dissatisfaction — surely also.
LOW_SCORE = 3
SCALE = (1, 2, 3, 4, 5)


class Rule(models.TextChoices):
    """When a questionnaire is sent (each a setting of the questionnaire)."""

    TICKET = "ticket", _("after a ticket is resolved")
    COMPLAINT = "complaint", _("after a complaint is closed")
    FIRST_SALE = "first_sale", _("after a new customer's first purchase")
    CONTRACT = "contract", _("after a contract becomes active")
    YEARLY = "yearly", _("once a year to every active customer")
    #: Not a rule: a survey opened by an employee on the branch's tablet.
    COUNTER = "counter", _("at the counter (tablet)")


#: The rules a questionnaire can switch on (the counter is always possible).
RULES = (Rule.TICKET, Rule.COMPLAINT, Rule.FIRST_SALE, Rule.CONTRACT, Rule.YEARLY)


class Questionnaire(models.Model):
    """An HQ questionnaire. Its questions change only while nobody has been invited; after
    that HQ makes a new version (``previous`` → the one it replaces), so every answer
    stays tied to the wording the customer saw."""

    name = models.CharField(_("name"), max_length=120)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product or service"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    title_pl = models.CharField(_("title (Polish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    intro_pl = models.TextField(_("introduction (Polish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    comment_box = models.BooleanField(_("comment box"), default=True)
    is_active = models.BooleanField(_("active"), default=False)
    #: Promoting offers makes every invitation marketing: consent needed when it is made
    #: and when it is sent (C14); otherwise a service message.
    promotes_offers = models.BooleanField(_("promotes offers"), default=False)
    rules = models.JSONField(_("sending rules"), default=list, blank=True)
    quiet_days = models.PositiveSmallIntegerField(
        _("no new invitation within (days)"), default=30,
        help_text=_("A customer invited to any survey within this many days is not invited "
                    "again."))
    reminder_days = models.PositiveSmallIntegerField(_("reminder after (days)"), default=7)
    valid_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=30)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="next_version")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.CheckConstraint(
            condition=Q(reminder_days__gte=1) & Q(valid_days__gte=1),
            name="questionnaire_days_positive")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_pl

    def intro(self, language: str) -> str:
        return self.intro_en if language == "en" and self.intro_en else self.intro_pl

    def rule_labels(self) -> list[str]:
        return [str(Rule(r).label) for r in self.rules if r in Rule.values]


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="questions")
    position = models.PositiveSmallIntegerField()
    text_pl = models.CharField(_("question (Polish)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)

    objects = PunktQuerySet.as_manager()

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "position"],
                                               name="question_position_once")]

    def __str__(self) -> str:
        return self.text_pl

    def text(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text_pl


class Watermark(models.Model):
    """How far a rule of a questionnaire has looked: events after ``upto`` are new."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="+")
    rule = models.CharField(max_length=12, choices=Rule.choices)
    upto = models.DateTimeField()

    objects = PunktQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["questionnaire", "rule"],
                                               name="survey_watermark_once")]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}/{self.rule}: {self.upto}"


@tones(invited="", reminded="info", answered="ok", expired="")
class InvitationState(models.TextChoices):
    INVITED = "invited", _("invited")
    REMINDED = "reminded", _("reminded")
    ANSWERED = "answered", _("answered")
    EXPIRED = "expired", _("link expired")


class Invitation(models.Model):
    """One customer's link to one questionnaire for one occasion (a ticket, a complaint, a
    sale, a contract, a year, a visit at the counter). Only the hash of the link's token
    is stored; a fresh token is made each time the link is sent."""

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"),
                                      on_delete=models.PROTECT, related_name="invitations")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="survey_invitations")
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("occasion"), max_length=12, choices=Rule.choices)
    #: What the survey is about, as the timeline stores sources ("servicedesk.ticket", id);
    #: the yearly survey's is ("surveys.year", "2026").
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=40)
    #: The employee who served the customer (ticket assignee, complaint handler, seller).
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("served by"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    language = models.CharField(_("language"), max_length=2, default="pl")
    channel = models.CharField(_("channel"), max_length=6, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("invited"), db_index=True)
    expires_at = models.DateTimeField(_("link valid until"))
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "customer", "source_type",
                                            "source_id"], name="survey_invitation_once"),
            models.CheckConstraint(condition=Q(rule__in=Rule.values),
                                   name="survey_invitation_rule_valid"),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="survey_inv_customer"),
            models.Index(fields=["questionnaire", "branch"], name="survey_inv_q_branch"),
            models.Index(fields=["created_at"], name="survey_inv_unanswered",
                         condition=Q(answered_at__isnull=True, reminded_at__isnull=True)),
            # the completed questionnaires newest first (HQ, a branch) and the answers
            # given since the kept figures' watermark
            models.Index(fields=["questionnaire", "answered_at", "id"],
                         name="survey_inv_answered", condition=Q(answered_at__isnull=False)),
            models.Index(fields=["questionnaire", "branch", "answered_at", "id"],
                         name="survey_inv_branch_answered",
                         condition=Q(answered_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} → {self.customer_id} ({self.rule})"

    @property
    def state(self) -> str:
        from django.utils import timezone

        if self.answered_at:
            return InvitationState.ANSWERED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.REMINDED if self.reminded_at else InvitationState.INVITED

    def get_state_display(self) -> str:
        return str(InvitationState(self.state).label)


class Response(models.Model):
    """The completed questionnaire (R16), one per invitation (the unique link makes a
    second submit impossible even at the same moment)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT,
                                      related_name="response")
    submitted_at = models.DateTimeField(_("answered"))
    comment = models.TextField(_("comment"), blank=True)
    lowest = models.PositiveSmallIntegerField(_("lowest score"))
    at_counter = models.BooleanField(_("at the counter"), default=False)

    branch_scope = "invitation__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["submitted_at", "id"], name="survey_response_at")]

    def __str__(self) -> str:
        return f"response to {self.invitation_id}"

    @property
    def is_low(self) -> bool:
        return self.lowest <= LOW_SCORE


class Score(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()

    branch_scope = "response__invitation__branch"
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        ordering = ["question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_score_once"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5),
                                   name="survey_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class FollowUpOutcome(models.TextChoices):
    RESOLVED = "resolved", _("talked, the matter is settled")
    COMPLAINT = "complaint", _("talked, a complaint was registered")
    OFFER = "offer", _("talked, an offer was made")
    UNREACHABLE = "unreachable", _("could not reach the customer")
    DECLINED = "declined", _("the customer did not want to talk")


@tones(open="warn", closed="ok")
class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("to call back")
    CLOSED = "closed", _("closed")


class FollowUp(models.Model):
    """The case a low score opens (R14.2): the branch's retention employee calls the
    customer back and records how it went."""

    response = models.OneToOneField(Response, on_delete=models.PROTECT, related_name="followup")
    branch = models.ForeignKey("organization.Branch", verbose_name=_("branch"),
                               on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="survey_followups")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    task = models.ForeignKey("work.Task", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=FollowUpOutcome.choices,
                               blank=True)
    note = models.TextField(_("note"), blank=True)
    #: the complaint registered during the call (outcome "complaint")
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FollowUpStatus.values),
                                   name="survey_followup_status_valid"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome__in=FollowUpOutcome.values),
                                   name="survey_followup_outcome_valid"),
        ]
        indexes = [models.Index(fields=["assignee", "status"], name="survey_followup_assignee"),
                   models.Index(fields=["branch", "status"], name="survey_followup_branch")]

    def __str__(self) -> str:
        return f"F{self.pk:06d}"

    @property
    def number(self) -> str:
        return str(self)


# --- The kept figures of the results page (``figures.py``) -----------------------------------

class FiguresState(models.Model):
    """How far the kept figures go: every invitation, answer and score up to ``upto`` is
    counted in :class:`BranchMonthFigure`, :class:`EmployeeFigure` and
    :class:`ScoreFigure`; the results page counts the rest live (one row, id 1)."""

    upto = models.DateTimeField()
    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    objects = PunktQuerySet.as_manager()

    def __str__(self) -> str:
        return f"survey figures up to {self.upto}"


class BranchMonthFigure(models.Model):
    """A questionnaire's figures in a branch and a month (Warsaw): invitations made,
    answered, low responses, and the sum and number of scores (the average) — each counted
    in the month it happened."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+")
    #: ``year * 12 + month - 1`` in Warsaw's calendar
    month = models.IntegerField()
    invited = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    low = models.PositiveIntegerField(default=0)
    score_sum = models.BigIntegerField(default=0)
    score_n = models.BigIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["questionnaire", "branch"], name="survey_fig_month")]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}/{self.branch_id}/{self.month}"


class EmployeeFigure(models.Model):
    """A questionnaire's figures of an employee who served, in a branch (all months)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+")
    employee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    invited = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    low = models.PositiveIntegerField(default=0)
    score_sum = models.BigIntegerField(default=0)
    score_n = models.BigIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["questionnaire", "branch"], name="survey_fig_employee")]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}/{self.branch_id}/{self.employee_id}"


class ScoreFigure(models.Model):
    """How many answers gave ``value`` to a question in a branch (the distribution)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="+")
    branch = models.ForeignKey("organization.Branch", on_delete=models.CASCADE,
                               related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["questionnaire", "branch"], name="survey_fig_score")]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value}: {self.n}"
