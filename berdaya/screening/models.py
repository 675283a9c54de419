"""The screening engine's findings in the registry, waiting for a person to decide (the engine itself is engine/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib.formats import day_time
from berdaya.lib.scoping import ScopedQuerySet

from .reasons import translated_reason


class ScreeningRunQuerySet(ScopedQuerySet["ScreeningRun"]):
    region_path = "region__code"


class ScreeningRun(models.Model):
    """One pass of the engine over the registry of a region, started by hand or after an import."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    trigger = models.CharField(_("started by"), max_length=100, blank=True)
    persons = models.PositiveIntegerField(_("persons compared"), default=0)
    pairs = models.PositiveIntegerField(_("pairs judged the same person"), default=0)
    new_candidates = models.PositiveIntegerField(_("new pairs to review"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ScreeningRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self) -> str:
        return f"{self.region} {day_time(self.created_at)}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class MatchCandidateQuerySet(ScopedQuerySet["MatchCandidate"]):
    region_path = "region__code"

    def pending(self) -> MatchCandidateQuerySet:
        return self.filter(status=MatchCandidate.Status.PENDING)


class MatchCandidate(models.Model):
    """Two registry persons the engine judged to be one person, and what a Petugas Dinas decided about them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed: same person")
        REJECTED = "rejected", _("Rejected: different people")
        MERGED = "merged", _("Merged")

    # Left has the smaller id, so a pair is stored once whichever way the engine found it. The persons may later
    # be merged (one is then deleted): the labels keep what the reviewer saw.
    left = models.ForeignKey(
        "registry.Person", models.SET_NULL, null=True, related_name="+", verbose_name=_("first person")
    )
    right = models.ForeignKey(
        "registry.Person", models.SET_NULL, null=True, related_name="+", verbose_name=_("second person")
    )
    left_label = models.CharField(max_length=200, verbose_name=_("first record"))
    right_label = models.CharField(max_length=200, verbose_name=_("second record"))
    # The village of the first person when found: who may review it does not change if a person moves or goes.
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("village"))
    score = models.DecimalField(_("match score"), max_digits=5, decimal_places=4)
    reason = models.TextField(_("why the engine matched them"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    run = models.ForeignKey(
        ScreeningRun, models.SET_NULL, null=True, related_name="candidates", verbose_name=_("screening run")
    )
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    note = models.TextField(_("reviewer's note"), blank=True)

    objects = MatchCandidateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="screening_matchcandidate_one_per_pair"),
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="screening_matchcandidate_left_first"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="screening_matchcandidate_score_0_to_1"
            ),
        ]
        permissions = [("merge_persons", _("Can merge duplicate persons"))]

    def __str__(self) -> str:
        return f"{self.left_label} ≈ {self.right_label}"

    def get_absolute_url(self) -> str:
        return reverse("screening:candidate-detail", args=[self.pk])

    @property
    def can_be_reviewed(self) -> bool:
        """A reviewer may decide (or change their decision) until the two records are merged."""
        return self.status != self.Status.MERGED

    @property
    def can_be_merged(self) -> bool:
        """Only a pair confirmed as one person, both of whose records still exist, can be merged."""
        return self.status == self.Status.CONFIRMED and self.left_id is not None and self.right_id is not None

    @property
    def shown_reason(self) -> str:
        """The engine's reason (stored in English, as the engine wrote it) in the reader's language."""
        return translated_reason(self.reason)


class MergedPersonQuerySet(ScopedQuerySet["MergedPerson"]):
    region_path = "region__code"


class MergedPerson(models.Model):
    """A registry person merged into another: its old id, NIK and name stay findable and lead to the kept record."""

    old_id = models.PositiveBigIntegerField(_("old id"), unique=True)
    old_nik = models.CharField(_("old NIK"), max_length=16, db_index=True)
    old_name = models.CharField(_("old name"), max_length=150)
    old_kk_number = models.CharField(_("old KK number"), max_length=16)
    kept = models.ForeignKey("registry.Person", models.PROTECT, related_name="merged_from", verbose_name=_("kept as"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+")
    candidate = models.ForeignKey(MatchCandidate, models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)

    objects = MergedPersonQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merged person")
        verbose_name_plural = _("merged persons")

    def __str__(self) -> str:
        return f"{self.old_name} → {self.kept_id}"
