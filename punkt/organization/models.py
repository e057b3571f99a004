from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.models import TimeStampedModel
from punkt.core.roles import Role
from punkt.core.scoping import BranchScopedQuerySet


class BranchKind(models.TextChoices):
    HQ = "hq", _("Headquarters")
    BRANCH = "branch", _("Branch")


class Branch(TimeStampedModel):
    """The HQ (exactly one row with kind=hq) or a sales point / customer-service office."""

    kind = models.CharField(_("kind"), max_length=10, choices=BranchKind.choices,
                            default=BranchKind.BRANCH)
    code = models.CharField(_("code"), max_length=20, unique=True,
                            help_text=_("Short unique code, e.g. WAW-01."))
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=6,
                                   help_text=_("Polish format NN-NNN."))
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BranchScopedQuerySet.as_manager()
    #: A branch is its own scope: ``Branch.objects.visible_to(user, permission)``.
    branch_scope = "pk"

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="hq"), name="one_hq"),
            models.CheckConstraint(condition=Q(kind__in=["hq", "branch"]),
                                   name="branch_kind_valid"),
        ]
        indexes = [models.Index(fields=["name"], name="branch_name")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_hq(self) -> bool:
        return self.kind == BranchKind.HQ


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "weekday"], name="opening_hours_once"),
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")),
                                   name="opening_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class BranchDayOff(models.Model):
    """A company or branch day off besides Polish public holidays (branch null = all)."""

    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="days_off")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    #: Company-wide days (no branch) are not among a ``visible_to`` answer: read them with
    #: ``branch__isnull=True``.
    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        constraints = [
            models.UniqueConstraint(fields=["branch", "date"], name="day_off_once"),
            # NULL branch = the whole company; NULLs are distinct in a plain unique key.
            models.UniqueConstraint(fields=["date"], condition=Q(branch__isnull=True),
                                    name="company_day_off_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


#: The languages of the user interface.
LANGUAGES = [("pl", "Polski"), ("en", "English")]


class EmployeeManager(BaseUserManager["Employee"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> Employee:
        if not email:
            raise ValueError("The e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Employee:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Employee:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class Employee(AbstractBaseUser, PermissionsMixin):
    """A staff user. Signs in with e-mail; holds memberships (branch + role)."""

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    language = models.CharField(_("language"), max_length=5, default="pl", choices=LANGUAGES)

    objects = EmployeeManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="employee_name")]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name


class Membership(TimeStampedModel):
    """An employee's role at a branch. HQ roles are held at the HQ row."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="memberships")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["employee", "branch", "role"],
                                    name="membership_once"),
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]),
                                   name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["branch", "role"], name="membership_branch_role")]

    def __str__(self) -> str:
        return f"{self.employee} — {self.get_role_display()} @ {self.branch.code}"


class WorkingHours(models.Model):
    """Regular weekly hours of an employee at a branch."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="working_hours")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="staff_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "branch", "weekday"],
                                    name="working_hours_once"),
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")),
                                   name="working_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class AbsenceKind(models.TextChoices):
    LEAVE = "leave", _("Leave")
    SICK = "sick", _("Sick leave")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class Absence(TimeStampedModel):
    """An employee's absence; the substitute takes over their branch roles for its duration."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="absences")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("kind"), max_length=10, choices=AbsenceKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    substitute = models.ForeignKey(Employee, verbose_name=_("substitute"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="substitutions")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(Employee, null=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")),
                                   name="absence_order"),
            models.CheckConstraint(condition=~Q(substitute=models.F("employee")),
                                   name="absence_substitute_not_self"),
        ]
        indexes = [models.Index(fields=["branch", "starts_on", "ends_on"],
                                name="absence_branch_dates"),
                   models.Index(fields=["substitute", "ends_on"], name="absence_substitute")]

    def __str__(self) -> str:
        return f"{self.employee} {self.starts_on}–{self.ends_on}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class RolePolicy(models.Model):
    """Per-role settings an administrator can change (MFA requirement)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, primary_key=True)
    mfa_required = models.BooleanField(_("MFA required"), default=False)

    class Meta:
        verbose_name = _("role policy")
        verbose_name_plural = _("role policies")

    def __str__(self) -> str:
        return str(self.get_role_display())


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
