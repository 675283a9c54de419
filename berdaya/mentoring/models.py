"""Mentoring (pendampingan): facilitators, their visits, group meetings, problems and monthly reports."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib import formats
from berdaya.lib.scoping import ScopedQuerySet


class ProfileQuerySet(ScopedQuerySet["FacilitatorProfile"]):
    region_path = "user__region__code"
    facilitator_path = "user"


class FacilitatorProfile(models.Model):
    """What the Dinas knows about a facilitator (pendamping): background, since when, where they work."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="facilitator_profile", verbose_name=_("user")
    )
    education = models.CharField(_("education"), max_length=100, blank=True)
    started_on = models.DateField(_("facilitator since"), null=True, blank=True)
    areas = models.CharField(_("working area"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ProfileQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facilitator profile")
        verbose_name_plural = _("facilitator profiles")

    def __str__(self) -> str:
        return str(self.user)


class VisitQuerySet(ScopedQuerySet["Visit"]):
    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


def client_key_field() -> models.UUIDField[uuid.UUID | None, uuid.UUID | None]:
    """The key the form (or, for a report written without signal, the phone) gives a record from the field: sent
    twice, by a double tap or by the phone's outbox retrying after a lost answer, it is stored once."""
    return models.UUIDField(_("offline key"), null=True, blank=True, unique=True, editable=False)


class Visit(models.Model):
    """A facilitator's visit to a group: what it was for, who came, what was said and what follows."""

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="visits", verbose_name=_("KUBE"))
    visited_on = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    topics = models.TextField(_("topics discussed"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField("groups.Membership", related_name="visits", blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    client_key = client_key_field()

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["kube", "visited_on"], name="mentoring_visit_kube_date")]

    def __str__(self) -> str:
        return f"{self.kube} · {self.visited_on}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:visit-detail", args=[self.pk])


class PhotoQuerySet(ScopedQuerySet["VisitPhoto"]):
    region_path = "visit__kube__village__code"
    facilitator_path = "visit__kube__facilitator"


def visit_photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"mentoring/visits/{instance.visit.kube_id}/{filename}"


class VisitPhoto(models.Model):
    """A photo taken on a visit, shrunk on upload, with the position the phone recorded in it."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=visit_photo_path)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.image.name or ""

    def get_absolute_url(self) -> str:
        return reverse("mentoring:photo", args=[self.pk])


class FollowUpQuerySet(ScopedQuerySet["FollowUp"]):
    region_path = "visit__kube__village__code"
    facilitator_path = "visit__kube__facilitator"


class FollowUp(models.Model):
    """An action agreed on a visit, with the date it is due and the date it was done."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="follow_ups", verbose_name=_("visit"))
    action = models.CharField(_("follow-up action"), max_length=255)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.action


class MeetingQuerySet(ScopedQuerySet["Meeting"]):
    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


class Meeting(models.Model):
    """A meeting of the group's members: agenda, decisions, minutes and who came."""

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="meetings", verbose_name=_("KUBE"))
    held_on = models.DateField(_("date"))
    agenda = models.CharField(_("agenda"), max_length=255)
    decisions = models.TextField(_("decisions"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField("groups.Membership", related_name="meetings", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    client_key = client_key_field()

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.kube} · {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:meeting-detail", args=[self.pk])


class ProblemQuerySet(ScopedQuerySet["Problem"]):
    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"

    # The querysets' form of Problem.is_open and Problem.is_escalated.

    def open(self) -> ProblemQuerySet:
        return self.filter(resolved_on__isnull=True)

    def escalated(self) -> ProblemQuerySet:
        """Open problems passed up to the Dinas."""
        return self.open().filter(escalated_on__isnull=False)

    def resolved(self) -> ProblemQuerySet:
        return self.filter(resolved_on__isnull=False)


class Problem(models.Model):
    """A problem of the group, inside it or from outside, from the day it is noticed until it is solved."""

    class Origin(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    class Category(models.TextChoices):
        CONFLICT = "conflict", _("Conflict between members")
        BOOKKEEPING = "bookkeeping", _("Bookkeeping")
        MARKET = "market", _("Market")
        CAPITAL = "capital", _("Capital")
        SUPPLIES = "supplies", _("Supplies")
        DISASTER = "disaster", _("Disaster")
        OTHER = "other", _("Other")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="problems", verbose_name=_("KUBE"))
    reported_on = models.DateField(_("noticed on"))
    origin = models.CharField(_("internal or external"), max_length=10, choices=Origin)
    category = models.CharField(_("category"), max_length=12, choices=Category)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity, default=Severity.MEDIUM)
    description = models.TextField(_("description"))
    handler = models.CharField(_("handled by"), max_length=150, blank=True)
    steps = models.TextField(_("steps taken"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated to the Dinas on"), null=True, blank=True)
    escalation_note = models.TextField(_("note to the Dinas"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    client_key = client_key_field()

    objects = ProblemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("resolved_on").asc(nulls_first=True), "-severity", "reported_on", "pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("reported_on")),
                name="mentoring_problem_resolved_after_reported",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kube} · {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:problem-detail", args=[self.pk])

    def age_days(self, today: dt.date | None = None) -> int:
        """Days the problem has been open, or took to solve."""
        end = self.resolved_on or today or timezone.localdate()
        return (end - self.reported_on).days

    # Its states, asked by the services (which enforce them) and by actions_for (which offers them).

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_on is not None


class ReportQuerySet(ScopedQuerySet["MonthlyReport"]):
    region_path = "facilitator__region__code"
    facilitator_path = "facilitator"

    def sent(self) -> ReportQuerySet:
        """Reports their facilitator has submitted (whatever the Dinas made of them since): no longer drafts."""
        return self.exclude(status=MonthlyReport.Status.DRAFT)


def _group_status_label(stored: str) -> str:
    """A group's status kept in a report's summary, by its label in the active language: kept as its value, or (an
    older report) as its label in the language of whoever refreshed it."""
    from berdaya.groups.models import Kube

    if stored in Kube.Status.values:
        return str(Kube.Status(stored).label)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            value = next((value for value, label in Kube.Status.choices if str(label) == stored), None)
        if value is not None:
            return str(Kube.Status(value).label)
    return stored


class MonthlyReport(models.Model):
    """A facilitator's monthly report (laporan bulanan) to the Dinas, drafted from the month's records."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RETURNED = "returned", _("Returned")

    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="monthly_reports", verbose_name=_("facilitator")
    )
    month = models.DateField(_("month"))  # the first day of the month
    summary = models.JSONField(_("the month's records"), default=dict)
    narrative = models.TextField(_("activities and progress"), blank=True)
    next_plan = models.TextField(_("plan for next month"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(_("Dinas's note"), blank=True)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "facilitator__username"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        permissions = [("review_monthlyreport", _("Can acknowledge or return monthly reports"))]
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "month"], name="mentoring_monthlyreport_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="mentoring_monthlyreport_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.facilitator} · {formats.month(self.month)}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:report-detail", args=[self.pk])

    @property
    def shown_summary(self) -> dict[str, Any]:
        """The month's records in the reader's language: a group's status by its label (kept as its value; an older
        report kept the label of whoever refreshed it), a visit's date in the readable style (kept as ISO)."""
        summary: dict[str, Any] = dict(self.summary or {})
        summary["groups"] = [
            {**group, "status": _group_status_label(str(group.get("status", "")))}
            for group in summary.get("groups", [])
        ]
        summary["visits"] = [
            {**visit, "date": formats.shown_value(visit.get("date"))} for visit in summary.get("visits", [])
        ]
        return summary

    # Its states, asked by the services (which enforce them) and by actions_for (which offers them).

    @property
    def is_editable(self) -> bool:
        """A draft, or returned by the Dinas: its facilitator may write it, refresh it and submit it."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_awaiting_review(self) -> bool:
        """Submitted: the Dinas may acknowledge it or return it."""
        return self.status == self.Status.SUBMITTED


# Bina lingkungan: the group's environmental practice, the neighbours it employs, what it gives the community --------


class EnvironmentPractice(models.Model):
    """One item of the environmental-practice checklist (waste, water, chemicals, local materials ...).

    The Dinas edits the list (berdaya/monitoring); a record keeps its answers by `code`, so an item retired later
    still reads in older records.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("practice"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("environmental practice")
        verbose_name_plural = _("environmental practices")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class EnvironmentQuerySet(ScopedQuerySet["EnvironmentRecord"]):
    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


class EnvironmentRecord(models.Model):
    """What a group does for its neighbourhood and environment, as seen on one visit (a facilitator's or a monev).

    The neighbours employed are non-members who worked for the group since the previous record; the wages the
    cash book shows for the same period are read from it (business), not typed twice.
    """

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="environment_records", verbose_name=_("KUBE"))
    recorded_on = models.DateField(_("date"))
    visit = models.OneToOneField(
        Visit, models.CASCADE, null=True, blank=True, related_name="environment", verbose_name=_("visit")
    )
    # {practice code: true (followed) / false (not followed)}; an item not asked is absent.
    practices = models.JSONField(_("environmental practice"), default=dict)
    neighbours_employed = models.PositiveSmallIntegerField(_("neighbours employed (people)"), default=0)
    neighbour_days = models.PositiveIntegerField(_("days of work for neighbours"), default=0)
    neighbour_wages = models.BigIntegerField(_("wages paid to neighbours (Rp)"), default=0)
    social_activities = models.TextField(_("social activities and gotong royong"), blank=True)
    community_contribution = models.BigIntegerField(_("contributions to the community (Rp)"), default=0)
    complaints = models.TextField(_("complaints from neighbours"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    client_key = client_key_field()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    objects = EnvironmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bina lingkungan record")
        verbose_name_plural = _("bina lingkungan records")
        ordering = ["-recorded_on", "-pk"]
        indexes = [models.Index(fields=["kube", "recorded_on"], name="mentoring_env_kube_date")]

    def __str__(self) -> str:
        return f"{self.kube} {self.recorded_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:environment-detail", args=[self.pk])

    @property
    def has_complaints(self) -> bool:
        return bool(self.complaints.strip())

    @property
    def practices_followed(self) -> int:
        """How many of the asked practices the group follows."""
        return sum(1 for followed in self.practices.values() if followed)

    def practice_share(self) -> float | None:
        """The share of the asked practices the group follows (0..1), None when none was asked."""
        asked = [bool(v) for v in self.practices.values()]
        return sum(asked) / len(asked) if asked else None
