"""Capital and markets: credit applications, partnerships, market events and the groups' stands at them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib.scoping import ScopedQuerySet, ScopeUser

from .common import KubeScoped

# Access to capital and markets -----------------------------------------------------------------------------------


class CreditApplicationQuerySet(KubeScoped["CreditApplication"]):
    pass


class CreditApplication(models.Model):
    """An application for a KUR or other bank loan, and what the bank decided."""

    class Scheme(models.TextChoices):
        KUR = "kur", _("KUR")
        BANK = "bank", _("Other bank loan")
        COOPERATIVE = "cooperative", _("Cooperative loan")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="credit_applications", verbose_name=_("KUBE"))
    scheme = models.CharField(_("scheme"), max_length=12, choices=Scheme, default=Scheme.KUR)
    lender = models.CharField(_("bank or lender"), max_length=100)
    amount_requested = models.BigIntegerField(_("amount requested (Rp)"))
    applied_on = models.DateField(_("applied on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, default=Outcome.PENDING)
    amount_approved = models.BigIntegerField(_("amount approved (Rp)"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = CreditApplicationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "-applied_on", "-pk"]
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0) & (Q(amount_approved__isnull=True) | Q(amount_approved__gte=0)),
                name="business_credit_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} · {self.lender}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING


class PartnershipQuerySet(KubeScoped["Partnership"]):
    pass


class Partnership(models.Model):
    """A lasting link with a buyer, cooperative, company (CSR) or other partner."""

    class Kind(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        COOPERATIVE = "cooperative", _("Cooperative")
        CSR = "csr", _("Company (CSR)")
        BANK = "bank", _("Bank")
        OTHER = "other", _("Other")

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="partnerships", verbose_name=_("KUBE"))
    partner = models.CharField(_("partner"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "-started_on", "-pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return self.partner


class MarketEventQuerySet(ScopedQuerySet["MarketEvent"]):
    # Events are held by the Dinas for its regency; village and kecamatan users see them through their groups.
    region_path = "region__code"
    facilitator_path = "participations__kube__facilitator"

    def extra_visible(self, user: ScopeUser) -> Q | None:
        """Besides the events of the user's region, those where a group it sees had a stand."""
        return Q(pk__in=MarketParticipation.objects.visible_to(user).values("event_id"))


class MarketEvent(models.Model):
    """A bazaar, exhibition or outlet day organised by the Dinas where groups sell their products."""

    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=150)
    held_on = models.DateField(_("date"))
    location = models.CharField(_("location"), max_length=150, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = MarketEventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = _("market event")
        verbose_name_plural = _("market events")

    def __str__(self) -> str:
        return self.name


class MarketParticipationQuerySet(KubeScoped["MarketParticipation"]):
    pass


class MarketParticipation(models.Model):
    """A group's stand at a market event and what it sold there."""

    event = models.ForeignKey(
        MarketEvent, models.CASCADE, related_name="participations", verbose_name=_("market event")
    )
    kube = models.ForeignKey(
        "groups.Kube", models.PROTECT, related_name="market_participations", verbose_name=_("KUBE")
    )
    sales = models.BigIntegerField(_("sales (Rp)"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = MarketParticipationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "kube"]
        verbose_name = _("market participation")
        verbose_name_plural = _("market participations")
        constraints = [
            models.UniqueConstraint(fields=["event", "kube"], name="business_participation_once"),
            models.CheckConstraint(condition=Q(sales__gte=0), name="business_participation_sales_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kube} · {self.event}"
