"""The cash book: its entries, its closed months and its spreadsheet imports.

The book is append-only: a mistake is corrected by a reversing entry, and a closed month is never written to again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib.scoping import ScopedQuerySet

from .common import KubeScoped, month_end, month_start, upload_path
from .plan import AidStage

# The cash book ---------------------------------------------------------------------------------------------------


class CashEntryQuerySet(KubeScoped["CashEntry"]):
    def bulk_create(self, objs: Iterable[CashEntry], *args: Any, **kwargs: Any) -> list[CashEntry]:
        # bulk_create skips save(): each row's month is derived here, and the month's totals kept, as save() does for
        # one row.
        objs = list(objs)
        for entry in objs:
            entry.derive_month()
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            CashMonthTotal.add(created)
        return created


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

    # Entries another action writes together with its own record (a stage, a loan, an allocation): reversing one
    # here would leave that record disagreeing with the book.
    DERIVED = (
        Category.AID,
        Category.LOAN_ISSUED,
        Category.LOAN_REPAYMENT,
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
    aid_stage = models.OneToOneField(
        AidStage, models.PROTECT, null=True, blank=True, related_name="cash_entry", verbose_name=_("aid stage")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    # The key of an entry posted from the field (lib.sent_once): sent twice, it is written once.
    client_key = models.UUIDField(_("offline key"), null=True, blank=True, unique=True, editable=False)

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
        self.derive_month()
        if not self._state.adding:  # the book is append-only: a saved row's figures never change
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            CashMonthTotal.add([self])

    @classmethod
    def effect(cls, kind: str, category: str, amount: int) -> tuple[int, int]:
        """What an entry adds to its group's revenue and profit, by the business dashboard's rule: sales are revenue;
        every category but capital movements and distributions (`NOT_PROFIT`) is profit or cost. A reversal is asked
        with the category of the entry it reverses, and its own kind (so it takes back what that entry added)."""
        signed = amount if kind == cls.Kind.INCOME else -amount
        return (signed if category == cls.Category.SALES else 0), (0 if category in cls.NOT_PROFIT else signed)

    def derive_month(self) -> None:
        """The one place the stored month comes from: the first day of the entry's month."""
        self.month = month_start(self.entry_date)

    # Whether an entry can be reversed, asked by reverse_cash_entry (to refuse) and the cash-book page (to offer).
    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @property
    def is_reversed(self) -> bool:
        return hasattr(self, "reversed_by")

    @property
    def is_derived(self) -> bool:
        """Written by another action with its own record (a stage, a loan, an allocation): corrected there."""
        return self.category in self.DERIVED

    @property
    def can_be_reversed(self) -> bool:
        return not (self.is_reversal or self.is_reversed or self.is_derived)

    @property
    def signed_amount(self) -> int:
        return self.amount if self.kind == self.Kind.INCOME else -self.amount


class CashMonthTotal(models.Model):
    """A group's revenue and profit in one month, kept as the entries are written (the dashboard, the map and the
    reports upward add up months, not a year of entries). A cache of the append-only book: written only by
    `CashEntry.save` and `CashEntryQuerySet.bulk_create` through `add`, and rebuilt from the entries by `rebuild`."""

    kube = models.ForeignKey("groups.Kube", models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    revenue = models.BigIntegerField(default=0)
    profit = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kube", "month"], name="business_cashmonthtotal_once")]

    def __str__(self) -> str:
        return f"{self.kube_id} {self.month:%Y-%m}: {self.revenue} / {self.profit}"

    @classmethod
    def add(cls, entries: Iterable[CashEntry]) -> None:
        """Add the entries' effect to their months' totals (inside the caller's transaction)."""
        entries = [entry for entry in entries if entry.pk is not None]
        missing = {e.reverses_id for e in entries if e.reverses_id and not CashEntry.reverses.is_cached(e)}
        categories = dict(CashEntry.objects.filter(pk__in=missing).values_list("pk", "category")) if missing else {}
        deltas: dict[tuple[int, dt.date], list[int]] = {}
        for entry in entries:
            category = entry.category
            reversed_entry = entry.reverses if CashEntry.reverses.is_cached(entry) else None
            if reversed_entry is not None:
                category = reversed_entry.category
            elif entry.reverses_id:
                category = categories[entry.reverses_id]
            revenue, profit = CashEntry.effect(entry.kind, category, entry.amount)
            total = deltas.setdefault((entry.kube_id, entry.month), [0, 0])
            total[0] += revenue
            total[1] += profit
        # The services write a group's entries under its lock (`lock_kube`), so no two writers change one month's
        # row at once: read, add, write back, in a constant number of queries however many entries came.
        if not deltas:
            return
        kubes, months = {kube for kube, _m in deltas}, {month for _k, month in deltas}
        rows = {(t.kube_id, t.month): t for t in CashMonthTotal.objects.filter(kube_id__in=kubes, month__in=months)}
        changed, made = [], []
        for (kube, month), (revenue, profit) in deltas.items():
            row = rows.get((kube, month))
            if row is None:
                made.append(CashMonthTotal(kube_id=kube, month=month, revenue=revenue, profit=profit))
            else:
                row.revenue += revenue
                row.profit += profit
                changed.append(row)
        CashMonthTotal.objects.bulk_update(changed, ["revenue", "profit"], batch_size=1000)
        CashMonthTotal.objects.bulk_create(made, batch_size=1000)

    @classmethod
    def rebuild(cls, kubes: Iterable[int] | None = None) -> None:
        """Work the totals out again from the entries (of the given groups, or all)."""
        totals = cls.objects.all()
        entries = CashEntry.objects.all()
        if kubes is not None:
            kubes = list(kubes)
            totals, entries = totals.filter(kube_id__in=kubes), entries.filter(kube_id__in=kubes)
        totals.delete()
        sums: dict[tuple[int, dt.date], list[int]] = {}
        rows = (
            entries.values_list("kube_id", "month", "kind", "category", "reverses__category")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for kube, month, kind, category, reversed_category, amount in rows:
            revenue, profit = CashEntry.effect(kind, reversed_category or category, amount)
            total = sums.setdefault((kube, month), [0, 0])
            total[0] += revenue
            total[1] += profit
        made = [CashMonthTotal(kube_id=k, month=m, revenue=r, profit=p) for (k, m), (r, p) in sums.items()]
        CashMonthTotal.objects.bulk_create(made, batch_size=2000)


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
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(default=timezone.now, verbose_name=_("closed at"))

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


class CashImportQuerySet(KubeScoped["CashImport"]):
    pass


class CashImport(models.Model):
    """An uploaded cash-book spreadsheet: checked in a dry run, then committed all at once, both by the task worker.

    Its way from upload to commit is the registry's ImportJob's (docs/architecture.md, Imports).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.PENDING, Status.CHECKING, Status.IMPORTING)

    kube = models.ForeignKey("groups.Kube", models.PROTECT, related_name="cash_imports")
    file = models.FileField(upload_to="business/imports/")
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    # The last dry run or commit (excel.ImportReport), or the error that refused the file.
    report = models.JSONField(default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CashImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cash book import")
        verbose_name_plural = _("cash book imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def can_be_committed(self) -> bool:
        return self.status == self.Status.CHECKED
