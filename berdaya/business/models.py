"""Business development (bina usaha): the plan, the aid and assets, the group's books, IKS, revolving fund, markets.

Money is whole Rupiah in BigIntegerFields, never floats; percentages are Decimals. The cash book is append-only: a
mistake is corrected by a reversing entry, and a closed month is never written to again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from berdaya.lib.scoping import ScopedQuerySet

_M = TypeVar("_M", bound=models.Model)


class KubeScoped(ScopedQuerySet[_M]):
    """Rows that belong to one KUBE: seen where the group is, and by its facilitator."""

    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


def upload_path(instance: models.Model, filename: str) -> str:
    kube_id = getattr(instance, "kube_id", None) or "x"
    return f"business/{kube_id}/{type(instance).__name__.lower()}/{filename}"


# Business plan and budget (rencana usaha, RAB) ---------------------------------------------------------------------


class BusinessPlanQuerySet(KubeScoped["BusinessPlan"]):
    pass


class BusinessPlan(models.Model):
    """A group's business plan with its budget (RAB), drafted with the facilitator and approved by the Dinas."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    kube = models.OneToOneField("groups.Kube", models.CASCADE, related_name="business_plan", verbose_name=_("KUBE"))
    summary = models.TextField(_("business description"), blank=True)
    products = models.CharField(_("planned products"), max_length=255, blank=True)
    expected_monthly_revenue = models.BigIntegerField(_("expected monthly revenue (Rp)"), default=0)
    revolving_fund = models.BooleanField(_("runs a revolving fund (dana bergulir)"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = BusinessPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("business plan")
        verbose_name_plural = _("business plans")
        permissions = [("approve_businessplan", "Can approve a business plan")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_monthly_revenue__gte=0), name="business_businessplan_revenue_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kube} · {self.get_status_display()}"


class BudgetLineQuerySet(ScopedQuerySet["BudgetLine"]):
    region_path = "plan__kube__village__code"
    facilitator_path = "plan__kube__facilitator"


class BudgetLine(models.Model):
    """One line of the RAB: an item, how many, at what unit price; its total is quantity × unit price."""

    plan = models.ForeignKey(BusinessPlan, models.CASCADE, related_name="lines")
    item = models.CharField(_("item"), max_length=150)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.BigIntegerField(_("unit price (Rp)"))

    objects = BudgetLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0, unit_price__gte=0), name="business_budgetline_positive")
        ]

    def __str__(self) -> str:
        return self.item

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


# Aid: disbursement stages and in-kind assets ---------------------------------------------------------------------


def proof_path(instance: AidStage, filename: str) -> str:
    return upload_path(instance, filename)


class AidStageQuerySet(KubeScoped["AidStage"]):
    pass


class AidStage(models.Model):
    """One disbursement stage (tahap) of the group's aid, paid into its bank account once its condition is met."""

    class Condition(models.TextChoices):
        NONE = "none", _("No condition")
        PLAN_APPROVED = "plan_approved", _("Business plan approved")
        TRAINING_DONE = "training_done", _("Members trained")
        MONITORING_PASSED = "monitoring_passed", _("Monitoring passed")

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="aid_stages", verbose_name=_("KUBE"))
    number = models.PositiveSmallIntegerField(_("stage"))
    amount = models.BigIntegerField(_("amount (Rp)"))
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    planned_on = models.DateField(_("planned date"))
    # "aid stage": what must be true before the money is paid (syarat), not the state of a thing (kondisi).
    condition = models.CharField(
        pgettext_lazy("aid stage", "condition"), max_length=20, choices=Condition, default=Condition.NONE
    )
    condition_met_on = models.DateField(_("condition met on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    transfer_reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    proof = models.FileField(_("proof of transfer"), upload_to=proof_path, blank=True)
    override_reason = models.TextField(_("reason for paying before the condition"), blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = AidStageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "number"]
        verbose_name = _("aid stage")
        verbose_name_plural = _("aid stages")
        permissions = [("pay_aidstage", "Can record an aid payment")]
        constraints = [
            models.UniqueConstraint(fields=["kube", "number"], name="business_aidstage_one_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="business_aidstage_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kube} · {self.number}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class AssetQuerySet(KubeScoped["Asset"]):
    pass


class Asset(models.Model):
    """In-kind aid or equipment the group owns (sarana prasarana), with its latest condition."""

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")
        BROKEN = "broken", _("Broken")
        LOST = "lost", _("Lost or sold")

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="assets", verbose_name=_("KUBE"))
    item = models.CharField(_("item"), max_length=150)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    value = models.BigIntegerField(_("value (Rp)"))
    from_aid = models.BooleanField(_("in-kind aid"), default=True)
    received_on = models.DateField(_("received on"))
    location = models.CharField(_("location"), max_length=150, blank=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition, default=Condition.GOOD)
    photo = models.ImageField(_("photo"), upload_to=upload_path, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = AssetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "received_on", "pk"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="business_asset_value_not_negative")]

    def __str__(self) -> str:
        return self.item


class AssetCheckQuerySet(ScopedQuerySet["AssetCheck"]):
    region_path = "asset__kube__village__code"
    facilitator_path = "asset__kube__facilitator"


class AssetCheck(models.Model):
    """A look at an asset on a given day: its condition then, with a note and a photo."""

    asset = models.ForeignKey(Asset, models.CASCADE, related_name="checks")
    checked_on = models.DateField(_("checked on"))
    condition = models.CharField(_("condition"), max_length=10, choices=Asset.Condition)
    note = models.CharField(_("note"), max_length=255, blank=True)
    photo = models.ImageField(_("photo"), upload_to="business/checks/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = AssetCheckQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["asset", "-checked_on", "-pk"]
        verbose_name = _("asset check")
        verbose_name_plural = _("asset checks")

    def __str__(self) -> str:
        return f"{self.asset} · {self.checked_on}"


# The cash book ---------------------------------------------------------------------------------------------------


class CashEntryQuerySet(KubeScoped["CashEntry"]):
    pass


class CashEntry(models.Model):
    """One dated line of the group's cash book: money in or out. Never edited: a correction is a reversing entry."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    class Category(models.TextChoices):
        AID = "aid", _("Aid received")
        SALES = "sales", _("Sales")
        OTHER_INCOME = "other_income", _("Other income")
        MEMBER_SAVINGS = "member_savings", _("Member contributions")
        LOAN_REPAYMENT = "loan_repayment", _("Revolving fund repayment")
        CREDIT = "credit", _("Bank loan received")
        MATERIALS = "materials", _("Raw materials")
        EQUIPMENT = "equipment", _("Equipment")
        WAGES = "wages", _("Wages")
        TRANSPORT = "transport", _("Transport")
        RENT = "rent", _("Rent and utilities")
        OTHER_EXPENSE = "other_expense", _("Other expense")
        CREDIT_REPAYMENT = "credit_repayment", _("Bank loan repayment")
        LOAN_ISSUED = "loan_issued", _("Revolving fund loan")
        MEMBER_SHARE = "member_share", _("Profit paid to members")
        IKS_TRANSFER = "iks_transfer", _("Transfer to the IKS fund")
        REVERSAL = "reversal", _("Reversal")

    # Capital movements and distributions: they change the balance but are not the business's income or costs.
    NOT_PROFIT = (
        Category.AID,
        Category.MEMBER_SAVINGS,
        Category.LOAN_REPAYMENT,
        Category.CREDIT,
        Category.CREDIT_REPAYMENT,
        Category.LOAN_ISSUED,
        Category.MEMBER_SHARE,
        Category.IKS_TRANSFER,
    )
    INCOME_CATEGORIES = (
        Category.AID,
        Category.SALES,
        Category.OTHER_INCOME,
        Category.MEMBER_SAVINGS,
        Category.LOAN_REPAYMENT,
        Category.CREDIT,
    )
    EXPENSE_CATEGORIES = (
        Category.MATERIALS,
        Category.EQUIPMENT,
        Category.WAGES,
        Category.TRANSPORT,
        Category.RENT,
        Category.OTHER_EXPENSE,
        Category.CREDIT_REPAYMENT,
        Category.LOAN_ISSUED,
        Category.MEMBER_SHARE,
        Category.IKS_TRANSFER,
    )

    class BuyerType(models.TextChoices):
        CONSUMER = "consumer", _("Household consumer")
        SHOP = "shop", _("Shop or stall")
        TRADER = "trader", _("Trader")
        INSTITUTION = "institution", _("Institution or company")
        GOVERNMENT = "government", _("Government")

    class Channel(models.TextChoices):
        LOCAL_MARKET = "local_market", _("Local market")
        VILLAGE_SHOP = "village_shop", _("Village shop")
        COLLECTOR = "collector", _("Collector or middleman")
        DINAS_OUTLET = "dinas_outlet", _("Dinas outlet or exhibition")
        ONLINE = "online", _("Online marketplace")
        E_WARONG = "e_warong", _("e-Warong")
        OTHER = "other", _("Other")

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="cash_entries", verbose_name=_("KUBE"))
    entry_date = models.DateField(_("date"))
    # The first day of the entry's month, kept with the row so that monthly figures group without a date function.
    month = models.DateField(_("month"), editable=False)
    kind = models.CharField(_("in or out"), max_length=7, choices=Kind)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    amount = models.BigIntegerField(_("amount (Rp)"))
    description = models.CharField(_("description"), max_length=255)
    receipt = models.ImageField(_("receipt photo"), upload_to=upload_path, blank=True)
    # Sales only.
    product = models.CharField(_("product"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit_price = models.BigIntegerField(_("unit price (Rp)"), null=True, blank=True)
    buyer_type = models.CharField(_("buyer"), max_length=12, choices=BuyerType, blank=True)
    channel = models.CharField(_("market channel"), max_length=12, choices=Channel, blank=True)
    # The entry this one cancels; an entry can be reversed once.
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("reverses")
    )
    aid_stage = models.OneToOneField(AidStage, models.PROTECT, null=True, blank=True, related_name="cash_entry")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    objects = CashEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "entry_date", "pk"]
        verbose_name = _("cash entry")
        verbose_name_plural = _("cash entries")
        indexes = [
            models.Index(fields=["kube", "entry_date", "id"], name="business_cash_kube_date"),
            models.Index(fields=["kube", "month"], name="business_cash_kube_month"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="business_cashentry_amount_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="business_cashentry_month_first_day"),
            models.CheckConstraint(
                condition=Q(kind="income") | Q(kind="expense"), name="business_cashentry_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_date} · {self.description}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.month = self.entry_date.replace(day=1)
        super().save(*args, **kwargs)

    @property
    def signed_amount(self) -> int:
        return self.amount if self.kind == self.Kind.INCOME else -self.amount


class CashMonthQuerySet(ScopedQuerySet["CashMonth"]):
    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


class CashMonth(models.Model):
    """A closed month of a group's cash book; closing is in order, so every month up to it is locked."""

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="cash_months", verbose_name=_("KUBE"))
    month = models.DateField(_("month"))  # the first day of the month
    opening_balance = models.BigIntegerField(_("opening balance (Rp)"))
    income = models.BigIntegerField(_("income (Rp)"))
    expense = models.BigIntegerField(_("expenses (Rp)"))
    closing_balance = models.BigIntegerField(_("closing balance (Rp)"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)

    objects = CashMonthQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "month"]
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        constraints = [
            # The backstop when two treasurers close the same month at once.
            models.UniqueConstraint(fields=["kube", "month"], name="business_cashmonth_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="business_cashmonth_first_day"),
            models.CheckConstraint(
                condition=Q(closing_balance=F("opening_balance") + F("income") - F("expense")),
                name="business_cashmonth_balances",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kube} · {self.month:%Y-%m}"

    @property
    def last_day(self) -> dt.date:
        return month_end(self.month)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# Profit allocation and the IKS ledger ----------------------------------------------------------------------------


class ProfitAllocationQuerySet(KubeScoped["ProfitAllocation"]):
    pass


class ProfitAllocation(models.Model):
    """A period's profit shared by the group's rules between capital, members and the IKS fund."""

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="allocations", verbose_name=_("KUBE"))
    period_start = models.DateField(_("from month"))
    period_end = models.DateField(_("to month"))
    profit = models.BigIntegerField(_("profit (Rp)"))
    share_capital = models.DecimalField(max_digits=5, decimal_places=2)
    share_members = models.DecimalField(max_digits=5, decimal_places=2)
    share_iks = models.DecimalField(max_digits=5, decimal_places=2)
    to_capital = models.BigIntegerField(_("to capital (Rp)"))
    to_members = models.BigIntegerField(_("to members (Rp)"))
    to_iks = models.BigIntegerField(_("to IKS (Rp)"))
    members = models.PositiveSmallIntegerField(_("members paid"))
    allocated_on = models.DateField(_("allocated on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

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
    allocation = models.ForeignKey(ProfitAllocation, models.PROTECT, null=True, blank=True, related_name="iks_entries")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

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
    cash_entry = models.OneToOneField(CashEntry, models.PROTECT, null=True, blank=True, related_name="loan")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

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
        return f"{self.borrower} · Rp {self.principal:,}"


class RepaymentQuerySet(ScopedQuerySet["Repayment"]):
    region_path = "loan__kube__village__code"
    facilitator_path = "loan__kube__facilitator"


class Repayment(models.Model):
    """An instalment paid back into the revolving fund."""

    loan = models.ForeignKey(Loan, models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("paid on"))
    amount = models.BigIntegerField(_("amount (Rp)"))
    cash_entry = models.OneToOneField(CashEntry, models.PROTECT, null=True, blank=True, related_name="repayment")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = RepaymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["loan", "paid_on", "pk"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="business_repayment_positive")]

    def __str__(self) -> str:
        return f"{self.loan} · {self.paid_on}"


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

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="credit_applications")
    scheme = models.CharField(_("scheme"), max_length=12, choices=Scheme, default=Scheme.KUR)
    lender = models.CharField(_("bank or lender"), max_length=100)
    amount_requested = models.BigIntegerField(_("amount requested (Rp)"))
    applied_on = models.DateField(_("applied on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, default=Outcome.PENDING)
    amount_approved = models.BigIntegerField(_("amount approved (Rp)"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

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

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="partnerships")
    partner = models.CharField(_("partner"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

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


class MarketEvent(models.Model):
    """A bazaar, exhibition or outlet day organised by the Dinas where groups sell their products."""

    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=150)
    held_on = models.DateField(_("date"))
    location = models.CharField(_("location"), max_length=150, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

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

    event = models.ForeignKey(MarketEvent, models.CASCADE, related_name="participations")
    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="market_participations")
    sales = models.BigIntegerField(_("sales (Rp)"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

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


class CashImportQuerySet(KubeScoped["CashImport"]):
    pass


class CashImport(models.Model):
    """An uploaded cash-book spreadsheet: checked in a dry run, then committed all at once."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked")
        COMMITTED = "committed", _("Imported")

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="cash_imports")
    file = models.FileField(upload_to="business/imports/")
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status, default=Status.CHECKED)
    report = models.JSONField(default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CashImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cash book import")
        verbose_name_plural = _("cash book imports")

    def __str__(self) -> str:
        return self.filename
