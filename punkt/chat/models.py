"""The live chat: a team's chat desk (the widget a company embeds in its site), the
agents' availability and each visitor's chat, whose transcript is a service desk ticket
(channel ``chat``)."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.badges import tones
from punkt.core.scoping import BranchScopedQuerySet


def new_key() -> str:
    return secrets.token_urlsafe(12)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class ChatDesk(models.Model):
    """A team's chat: the widget embedded with ``data-desk="<key>"`` on the sites whose
    origins are allowed; the team's working hours say when it is open."""

    team = models.ForeignKey("servicedesk.Team", verbose_name=_("team"),
                             on_delete=models.PROTECT, related_name="chat_desks")
    #: public: written in the site's script tag
    key = models.CharField(_("widget key"), max_length=32, unique=True, default=new_key)
    title = models.CharField(_("title in the widget"), max_length=100)
    #: one origin a line (``https://www.example.pl``); the widget connects only from these
    allowed_origins = models.TextField(_("sites allowed to embed the chat"), blank=True)
    ticket_type = models.ForeignKey("servicedesk.TicketType", verbose_name=_("ticket type"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "team__branch"

    class Meta:
        verbose_name = _("chat desk")
        verbose_name_plural = _("chat desks")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/").lower() for o in self.allowed_origins.splitlines()
                if o.strip()]


@tones(online="ok", away="")
class Availability(models.TextChoices):
    ONLINE = "online", _("available")
    AWAY = "away", _("away")


class AgentPresence(models.Model):
    """Whether an agent takes chats now (the console's toggle); away when absent."""

    employee = models.OneToOneField("organization.Employee", on_delete=models.CASCADE,
                                    related_name="chat_presence")
    status = models.CharField(_("availability"), max_length=10, choices=Availability.choices,
                              default=Availability.AWAY)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = models.Manager()

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.status}"


@tones(waiting="warn", active="info", ended="")
class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    ACTIVE = "active", _("in progress")
    ENDED = "ended", _("ended")


class ChatSession(models.Model):
    """One visitor's chat: waiting in the desk's queue, then taken by exactly one agent,
    then ended. The visitor holds a signed token of (id, nonce); the conversation itself
    is the ticket's messages."""

    desk = models.ForeignKey(ChatDesk, on_delete=models.PROTECT, related_name="sessions")
    ticket = models.OneToOneField("servicedesk.Ticket", on_delete=models.PROTECT,
                                  related_name="chat_session")
    visitor_name = models.CharField(_("visitor"), max_length=100)
    visitor_email = models.EmailField(_("visitor's e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ChatStatus.choices,
                              default=ChatStatus.WAITING)
    agent = models.ForeignKey("organization.Employee", verbose_name=_("agent"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    #: the visitor's socket closed (None while connected); a waiting chat whose visitor
    #: stays away is ended by ``tasks.end_abandoned``
    visitor_left_at = models.DateTimeField(null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()
    branch_scope = "desk__team__branch"

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        indexes = [models.Index(fields=["desk", "created_at"], name="chat_waiting",
                                condition=Q(status="waiting"))]
        constraints = [models.CheckConstraint(
            condition=Q(status="waiting") | Q(agent__isnull=False) | Q(status="ended"),
            name="chat_active_has_agent")]

    def __str__(self) -> str:
        return f"{self.pk}: {self.visitor_name}"
