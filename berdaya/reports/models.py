"""The annual awards (KUBE berprestasi and the best facilitators): a round, its shortlist and the committee's marks.

A round is a regency's, for one year and one kind (groups or facilitators). Its shortlist is built from the
monitoring scorecards (berdaya/reports/awards.py); every candidate considered is kept, those left out with the
reasons, so that the committee and anyone asking later can see why a group is not on the list. The committee marks
each shortlisted entry on three aspects (institution, social, economic); deciding freezes the ranking.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.accounts.roles import Role
from berdaya.lib.scoping import ScopedQuerySet, ScopeUser
from berdaya.lib.stored_text import show
from berdaya.monitoring.models import Level

MARK = [MinValueValidator(0), MaxValueValidator(100)]


class AwardRoundQuerySet(ScopedQuerySet["AwardRound"]):
    """Seen by the Dinas of the round's regency (and the province above it); facilitators see none."""

    region_path = "region__code"


class AwardRound(models.Model):
    """One year's award of a regency, for its KUBE or for its facilitators: the rules of the shortlist and its state."""

    class Kind(models.TextChoices):
        KUBE = "kube", _("KUBE")
        FACILITATOR = "facilitator", _("Facilitator")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        ASSESSED = "assessed", _("Assessed")
        DECIDED = "decided", _("Decided")

    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("regency"))
    name = models.CharField(_("name"), max_length=150, blank=True, help_text=_("Empty: the kind and the year."))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.KUBE)
    min_score = models.PositiveSmallIntegerField(_("minimum scorecard"), default=60, validators=MARK)
    min_level = models.PositiveSmallIntegerField(_("minimum level"), choices=Level, default=Level.BERKEMBANG)
    months_of_data = models.PositiveSmallIntegerField(
        _("months of data"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    max_shortlist = models.PositiveSmallIntegerField(
        _("maximum shortlist size"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # The committee's average gives each aspect this weight (equal by default).
    weight_institution = models.PositiveSmallIntegerField(_("weight of the institution aspect"), default=1)
    weight_social = models.PositiveSmallIntegerField(_("weight of the social aspect"), default=1)
    weight_economic = models.PositiveSmallIntegerField(_("weight of the economic aspect"), default=1)
    committee = models.TextField(_("committee"), blank=True, help_text=_("One member per line: name and position."))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    # The month whose snapshots the shortlist was built from.
    data_month = models.DateField(_("scorecards of"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = AwardRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award round")
        verbose_name_plural = _("award rounds")
        ordering = ["-year", "kind", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "kind"],
                name="reports_awardround_one_per_year",
                violation_error_message=_("This regency already has a round of this kind for this year."),
            ),
            models.CheckConstraint(
                condition=Q(weight_institution__gt=0) | Q(weight_social__gt=0) | Q(weight_economic__gt=0),
                name="reports_awardround_some_weight",
            ),
        ]
        permissions = [("decide_awardround", "May decide an award round (freeze its ranking)")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:award-detail", args=[self.pk])

    @property
    def title(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.year}"

    @property
    def weights(self) -> tuple[int, int, int]:
        return (self.weight_institution, self.weight_social, self.weight_economic)

    def committee_members(self) -> list[str]:
        return [line.strip() for line in self.committee.splitlines() if line.strip()]

    # Its states, asked by the services (which enforce them) and by actions_for (which offers them).

    @property
    def is_open_for_marks(self) -> bool:
        return self.status == self.Status.SHORTLISTED

    @property
    def is_decided(self) -> bool:
        return self.status == self.Status.DECIDED


class AwardEntryQuerySet(ScopedQuerySet["AwardEntry"]):
    region_path = "round__region__code"

    def shortlisted(self) -> AwardEntryQuerySet:
        return self.filter(shortlisted=True)


class AwardEntry(models.Model):
    """A candidate the shortlist considered: a group or a facilitator, its scorecard then, and its place or why not.

    `scores` keeps what the shortlist read: for a group its snapshot's efforts and total, for a facilitator the
    average of their groups' totals and how many groups; `reasons` the kept texts of why it was left out.
    """

    round = models.ForeignKey(AwardRound, models.CASCADE, related_name="entries", verbose_name=_("award round"))
    kube = models.ForeignKey(
        "groups.Kube", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("KUBE")
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    scorecard = models.DecimalField(_("scorecard"), max_digits=5, decimal_places=2, default=Decimal(0))
    level = models.DecimalField(_("level"), max_digits=3, decimal_places=2, null=True, blank=True)
    scores = models.JSONField(_("scores at shortlisting"), default=dict)
    shortlisted = models.BooleanField(_("shortlisted"), default=False)
    reasons = models.JSONField(_("why left out"), default=list)
    rank = models.PositiveSmallIntegerField(_("shortlist rank"), null=True, blank=True)
    # Frozen when the round is decided.
    committee_score = models.DecimalField(_("committee score"), max_digits=5, decimal_places=2, null=True, blank=True)
    result_rank = models.PositiveSmallIntegerField(_("result rank"), null=True, blank=True)

    objects = AwardEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award entry")
        verbose_name_plural = _("award entries")
        ordering = ["round", models.F("rank").asc(nulls_last=True), "-scorecard", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kube__isnull=False, facilitator__isnull=True)
                | Q(kube__isnull=True, facilitator__isnull=False),
                name="reports_awardentry_kube_or_facilitator",
            ),
            models.UniqueConstraint(fields=["round", "kube"], name="reports_awardentry_one_per_kube"),
            models.UniqueConstraint(fields=["round", "facilitator"], name="reports_awardentry_one_per_facilitator"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("reports:award-entry", args=[self.pk])

    def reason_texts(self) -> list[str]:
        return [show(reason) for reason in self.reasons]


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    region_path = "entry__round__region__code"


class Assessment(models.Model):
    """One committee member's marks for one shortlisted entry: institution, social and economic, 0-100, with notes."""

    entry = models.ForeignKey(AwardEntry, models.CASCADE, related_name="assessments", verbose_name=_("entry"))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("assessor"))
    institution = models.PositiveSmallIntegerField(_("institution"), validators=MARK)
    institution_note = models.TextField(_("notes on the institution"), blank=True)
    social = models.PositiveSmallIntegerField(_("social"), validators=MARK)
    social_note = models.TextField(_("notes on the social aspect"), blank=True)
    economic = models.PositiveSmallIntegerField(_("economic"), validators=MARK)
    economic_note = models.TextField(_("notes on the economic aspect"), blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["entry", "assessed_at"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "assessor"], name="reports_assessment_one_per_assessor"),
            models.CheckConstraint(
                condition=Q(institution__lte=100) & Q(social__lte=100) & Q(economic__lte=100),
                name="reports_assessment_marks_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.assessor}"

    def weighted(self, weights: tuple[int, int, int]) -> Decimal:
        """The three marks averaged with the round's weights."""
        marks = (self.institution, self.social, self.economic)
        return Decimal(sum(w * m for w, m in zip(weights, marks, strict=True))) / Decimal(sum(weights))


# Reports upward ---------------------------------------------------------------------------------------------------


class ReportRequestQuerySet(ScopedQuerySet["ReportRequest"]):
    """By the report's region, like every record; `seen_by` narrows that to the requester (an admin: the region's)."""

    region_path = "region__code"

    def seen_by(self, user: ScopeUser) -> ReportRequestQuerySet:
        """A user's own requests; an Admin Dinas also those of everyone in its region. Facilitators have none."""
        visible = self.visible_to(user)
        if getattr(user, "role", None) == Role.ADMIN:
            return visible
        return visible.filter(requested_by_id=user.pk)


class ReportRequest(models.Model):
    """A report the Dinas sends upward (programme, SPM, recap, group list), asked for one region, period and date,
    and the file it produced (made at once when small, by the task worker when large)."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme report (quarterly or annual)")
        SPM = "spm", _("Minimum service standard (SPM) indicator")
        RECAP = "recap", _("Recap per kecamatan")
        GROUPS = "groups", _("Full group list")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    kind = models.CharField(_("report"), max_length=12, choices=Kind)
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    as_of = models.DateField(_("as of"))
    format = models.CharField(_("format"), max_length=4, choices=Format, default=Format.PDF)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(_("file"), upload_to="reports/upward/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="reports_reportrequest_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.region_id} · {self.period_start} – {self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("reports:upward-detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)
