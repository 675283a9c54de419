"""IKS and the fund: profit allocation, the solidarity fund (IKS) ledger and the revolving fund's loans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib.formats import rupiah
from berdaya.lib.scoping import ScopedQuerySet

from .cashbook import CashEntry
from .common import KubeScoped

# Profit allocation and the IKS ledger ----------------------------------------------------------------------------


class ProfitAllocationQuerySet(KubeScoped["ProfitAllocation"]):
    pass


class ProfitAllocation(models.Model):
    """A period's profit shared by the group's rules between capital, members and the IKS fund."""

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="allocations", verbose_name=_("KUBE"))
    period_start = models.DateField(_("from month"))
    period_end = models.DateField(_("to month"))
    profit = models.BigIntegerField(_("profit (Rp)"))
    share_capital = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("share to capital (%)"))
    share_members = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("share to members (%)"))
    share_iks = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("share to the solidarity fund (%)"))
    to_capital = models.BigIntegerField(_("to capital (Rp)"))
    to_members = models.BigIntegerField(_("to members (Rp)"))
    to_iks = models.BigIntegerField(_("to IKS (Rp)"))
    members = models.PositiveSmallIntegerField(_("members paid"))
    allocated_on = models.DateField(_("allocated on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = ProfitAllocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "period_start"]
        verbose_name = _("profit allocation")
        verbose_name_plural = _("profit allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(profit=F("to_capital") + F("to_members") + F("to_iks")),
                name="business_profitallocation_adds_up",
            ),
            models.CheckConstraint(condition=Q(profit__gt=0), name="business_profitallocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kube} · {self.period_start:%Y-%m}–{self.period_end:%Y-%m}"


class IksEntryQuerySet(KubeScoped["IksEntry"]):
    pass


class IksEntry(models.Model):
    """One movement of the group's solidarity fund (IKS): a contribution from profit, or a use for someone in need."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Contribution")
        USE = "use", _("Use")

    class Purpose(models.TextChoices):
        MEMBER_HARDSHIP = "member_hardship", _("Member in hardship")
        POOR_FAMILY = "poor_family", _("Other poor family")
        COMMUNITY = "community", _("Community")

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="iks_entries", verbose_name=_("KUBE"))
    entry_date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    purpose = models.CharField(_("for"), max_length=16, choices=Purpose, blank=True)
    amount = models.BigIntegerField(_("amount (Rp)"))
    beneficiary = models.CharField(_("beneficiary"), max_length=150, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    allocation = models.ForeignKey(
        ProfitAllocation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="iks_entries",
        verbose_name=_("profit allocation"),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    entered_at = models.DateTimeField(default=timezone.now, verbose_name=_("entered at"))

    objects = IksEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "entry_date", "pk"]
        verbose_name = _("IKS entry")
        verbose_name_plural = _("IKS entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="business_iksentry_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="contribution") | ~Q(purpose=""), name="business_iksentry_use_has_purpose"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_date} · {self.get_kind_display()}"

    @property
    def signed_amount(self) -> int:
        return self.amount if self.kind == self.Kind.CONTRIBUTION else -self.amount


# Revolving fund (dana bergulir) ----------------------------------------------------------------------------------


class LoanQuerySet(KubeScoped["Loan"]):
    pass


class Loan(models.Model):
    """A small loan from the group's revolving fund to a member or a neighbour, repaid in monthly instalments."""

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="loans", verbose_name=_("KUBE"))
    borrower = models.CharField(_("borrower"), max_length=150)
    is_member = models.BooleanField(_("member of the group"), default=True)
    principal = models.BigIntegerField(_("amount lent (Rp)"))
    issued_on = models.DateField(_("lent on"))
    instalments = models.PositiveSmallIntegerField(_("monthly instalments"))
    purpose = models.CharField(_("purpose"), max_length=255, blank=True)
    cash_entry = models.OneToOneField(
        CashEntry, models.PROTECT, null=True, blank=True, related_name="loan", verbose_name=_("cash-book entry")
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = LoanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "-issued_on", "-pk"]
        verbose_name = _("revolving fund loan")
        verbose_name_plural = _("revolving fund loans")
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0, instalments__gt=0), name="business_loan_positive")
        ]

    def __str__(self) -> str:
        return f"{self.borrower} · {rupiah(self.principal)}"


class RepaymentQuerySet(ScopedQuerySet["Repayment"]):
    region_path = "loan__kube__village__code"
    facilitator_path = "loan__kube__facilitator"


class Repayment(models.Model):
    """An instalment paid back into the revolving fund."""

    loan = models.ForeignKey(Loan, models.PROTECT, related_name="repayments", verbose_name=_("loan"))
    paid_on = models.DateField(_("paid on"))
    amount = models.BigIntegerField(_("amount (Rp)"))
    cash_entry = models.OneToOneField(
        CashEntry, models.PROTECT, null=True, blank=True, related_name="repayment", verbose_name=_("cash-book entry")
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = RepaymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["loan", "paid_on", "pk"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="business_repayment_positive")]

    def __str__(self) -> str:
        return f"{self.loan} · {self.paid_on}"
