"""Monitoring and evaluation: the Dinas's monev visits, the rule sets that judge a group's maturity, the monthly
snapshots of each group's level and four-effort scorecard, manual levels, and early warnings.

Levels and scores are computed from the group's own records (berdaya/monitoring/engine.py) by the rule set in force
for its regency at the end of the month; a snapshot keeps what was computed and with which rule set, so a later rule
set never rewrites the past.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.business.models.common import KubeScoped
from berdaya.lib.scoping import ScopedQuerySet
from berdaya.lib.stored_text import show


class Level(models.IntegerChoices):
    """A group's maturity (DOMAIN.md §5). NONE: the group does not yet meet the Tumbuh indicators."""

    NONE = 0, _("Not yet growing")
    TUMBUH = 1, _("Tumbuh")
    BERKEMBANG = 2, _("Berkembang")
    MANDIRI = 3, _("Maju/Mandiri")


class Bina(models.TextChoices):
    """The four empowerment efforts of the programme (DOMAIN.md §2)."""

    MANUSIA = "manusia", _("Bina manusia")
    USAHA = "usaha", _("Bina usaha")
    LINGKUNGAN = "lingkungan", _("Bina lingkungan")
    KELEMBAGAAN = "kelembagaan", _("Bina kelembagaan")


# Rule sets -------------------------------------------------------------------------------------------------------


class RuleSetQuerySet(ScopedQuerySet["RuleSet"]):
    """Seen by everyone whose scope holds the regency it applies to, or lies inside it."""

    region_path = "region__code"
    facilitator_by_region = True

    def extra_visible(self, user: Any) -> Q | None:
        # A kecamatan or village user reads the rules of the regency above it.
        code = getattr(user, "region_id", None)
        if not code:
            return None
        parts = code.split(".")
        return Q(region__code__in=[".".join(parts[:i]) for i in range(1, len(parts))])


class RuleSet(models.Model):
    """One version of the rules a regency judges its groups by, in force from `effective_from` until the next one.

    `rules` holds only what differs from the defaults in berdaya/monitoring/rules.py (thresholds of indicators,
    scorecard weights, warning thresholds, the monev cadence); a version is never edited once it is in force.
    """

    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    effective_from = models.DateField(_("in force from"))
    rules = models.JSONField(_("rules"), default=dict)
    note = models.CharField(_("what changed and why"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RuleSetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "effective_from"], name="monitoring_ruleset_one_per_day"),
        ]
        permissions = [("configure_monitoring", "May change the monitoring rules, checklists and thresholds")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.effective_from.isoformat()}"


# Level snapshots and manual levels -----------------------------------------------------------------------------


class LevelSnapshot(models.Model):
    """A group's level and scorecard as of the end of one month, with the indicators that decided them.

    `indicators`: [{"code", "level", "value", "holds"}, ...] as computed; `scores`: {"manusia": 0-100, ...,
    "total": 0-100}; `level` is the level in force (a manual level when one was set), `computed_level` what the
    rules gave.
    """

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="level_snapshots", verbose_name=_("KUBE"))
    month = models.DateField(_("month"))  # the first day of the month
    level = models.PositiveSmallIntegerField(_("level"), choices=Level)
    computed_level = models.PositiveSmallIntegerField(_("computed level"), choices=Level)
    is_manual = models.BooleanField(_("set by hand"), default=False)
    rule_set = models.ForeignKey(
        RuleSet, models.PROTECT, null=True, blank=True, related_name="snapshots", verbose_name=_("rule set")
    )
    indicators = models.JSONField(_("indicators"), default=list)
    scores = models.JSONField(_("scores"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = KubeScoped["LevelSnapshot"].as_manager()

    class Meta:
        verbose_name = _("level snapshot")
        verbose_name_plural = _("level snapshots")
        ordering = ["kube", "month"]
        constraints = [models.UniqueConstraint(fields=["kube", "month"], name="monitoring_snapshot_one_per_month")]
        indexes = [models.Index(fields=["month", "level"], name="monitoring_snap_month_level")]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.month:%Y-%m} {self.get_level_display()}"


class ManualLevel(models.Model):
    """A level a Dinas officer set by hand, with the reason; in force from `since` until `ended_on`."""

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="manual_levels", verbose_name=_("KUBE"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level)
    reason = models.TextField(_("reason"))
    since = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    objects = KubeScoped["ManualLevel"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("manual level")
        verbose_name_plural = _("manual levels")
        ordering = ["kube", "-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["kube"], condition=Q(ended_on__isnull=True), name="monitoring_one_manual_level_in_force"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="monitoring_manual_level_has_reason"),
        ]
        permissions = [("set_level", "May set a group's level by hand")]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.get_level_display()}"


# Monev visits ----------------------------------------------------------------------------------------------------


class MonevQuestion(models.Model):
    """One item of the monev checklist, under one of the four efforts; the Dinas edits the list."""

    bina = models.CharField(_("effort"), max_length=12, choices=Bina)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("question"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monev question")
        verbose_name_plural = _("monev questions")
        ordering = ["bina", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class MonevQuerySet(KubeScoped["MonevVisit"]):
    def passed(self) -> MonevQuerySet:
        return self.filter(verdict=MonevVisit.Verdict.CONTINUE)


class MonevVisit(models.Model):
    """A monitoring and evaluation visit by the Dinas to a group: the checklist by effort, findings, verdict."""

    class Kind(models.TextChoices):
        AFTER_AID = "after_aid", _("After an aid stage")
        PERIODIC = "periodic", _("Periodic")
        AD_HOC = "ad_hoc", _("Ad hoc")

    class Verdict(models.TextChoices):
        CONTINUE = "continue", _("Continue (passed)")
        GUIDANCE = "guidance", _("Needs guidance")
        INACTIVE = "inactive", _("Inactive")

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="monev_visits", verbose_name=_("KUBE"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.PERIODIC)
    visited_on = models.DateField(_("date"))
    # {question code: true/false}; questions added later are simply not answered in older visits.
    answers = models.JSONField(_("checklist"), default=dict)
    findings = models.TextField(_("findings"))
    recommendation = models.TextField(_("recommendation"), blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    environment = models.OneToOneField(
        "mentoring.EnvironmentRecord",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="monev",
        verbose_name=_("bina lingkungan record"),
    )
    client_key = models.UUIDField(_("offline key"), null=True, blank=True, unique=True, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MonevQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monev visit")
        verbose_name_plural = _("monev visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["kube", "visited_on"], name="monitoring_monev_kube_date")]

    def __str__(self) -> str:
        return f"{self.kube} {self.visited_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:monev-detail", args=[self.pk])

    @property
    def passed(self) -> bool:
        return self.verdict == self.Verdict.CONTINUE


class MonevPhotoQuerySet(ScopedQuerySet["MonevPhoto"]):
    region_path = "monev__kube__village__code"
    facilitator_path = "monev__kube__facilitator"


def monev_photo_path(instance: MonevPhoto, filename: str) -> str:
    return f"monitoring/monev/{instance.monev.kube_id}/{filename}"


class MonevPhoto(models.Model):
    monev = models.ForeignKey(MonevVisit, models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=monev_photo_path)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = MonevPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("monev photo")
        verbose_name_plural = _("monev photos")

    def __str__(self) -> str:
        return self.image.name or ""

    def get_absolute_url(self) -> str:
        return reverse("monitoring:monev-photo", args=[self.pk])


# Early warnings --------------------------------------------------------------------------------------------------


class WarningQuerySet(KubeScoped["EarlyWarning"]):
    def open(self) -> WarningQuerySet:
        return self.filter(handled_at__isnull=True, cleared_on__isnull=True)


class EarlyWarning(models.Model):
    """A sign that a group needs attention, raised by the daily check (berdaya/monitoring/warnings.py).

    One open warning per group, kind and key (the record it is about, e.g. a problem's id, or "" for the group).
    It stays open until someone marks it handled with a note, or the check finds the condition gone (`cleared_on`).
    """

    class Kind(models.TextChoices):
        NOT_VISITED = "not_visited", _("Not visited")
        NO_CASH_ENTRY = "no_cash_entry", _("No cash-book entry")
        MONTH_UNCLOSED = "month_unclosed", _("Month left unclosed")
        SALES_FALLING = "sales_falling", _("Sales falling")
        FUND_ARREARS = "fund_arrears", _("Revolving-fund arrears")
        PROBLEM_OVERDUE = "problem_overdue", _("Problem past its deadline")
        MEMBERS_LEAVING = "members_leaving", _("Members leaving")
        AID_UNSPENT = "aid_unspent", _("Aid paid with no purchase")
        ASSET_DAMAGED = "asset_damaged", _("Asset damaged or missing")
        LEVEL_DROPPED = "level_dropped", _("Level dropped")

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="warnings", verbose_name=_("KUBE"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    key = models.CharField(_("about"), max_length=40, blank=True)
    raised_on = models.DateField(_("raised on"))
    message = models.JSONField(_("message"))  # kept with berdaya.lib.stored_text.keep
    evidence_url = models.CharField(_("evidence"), max_length=255)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    cleared_on = models.DateField(_("condition gone on"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("handled by")
    )
    handled_note = models.TextField(_("what was done"), blank=True)

    objects = WarningQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kube", "kind", "key"],
                condition=Q(handled_at__isnull=True, cleared_on__isnull=True),
                name="monitoring_one_open_warning",
            )
        ]
        indexes = [models.Index(fields=["kube", "kind"], name="monitoring_warn_kube_kind")]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.kind} {self.raised_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:warning-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.handled_at is None and self.cleared_on is None

    @property
    def text(self) -> str:
        return show(self.message)

    def age_days(self, today: dt.date | None = None) -> int:
        return ((today or timezone.localdate()) - self.raised_on).days
