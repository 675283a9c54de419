"""Plan and aid: the business plan and its budget (RAB), the aid's disbursement stages, and the assets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from berdaya.lib.scoping import ScopedQuerySet

from .common import KubeScoped, upload_path

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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

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

    # The plan's states, asked by the services (to refuse) and by actions_for (to offer): one rule each.
    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.APPROVED

    @property
    def can_be_submitted(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def can_be_approved(self) -> bool:
        return self.status == self.Status.SUBMITTED


class BudgetLineQuerySet(ScopedQuerySet["BudgetLine"]):
    region_path = "plan__kube__village__code"
    facilitator_path = "plan__kube__facilitator"


class BudgetLine(models.Model):
    """One line of the RAB: an item, how many, at what unit price; its total is quantity × unit price."""

    plan = models.ForeignKey(BusinessPlan, models.CASCADE, related_name="lines", verbose_name=_("business plan"))
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
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("paid by")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

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

    @property
    def awaits_condition(self) -> bool:
        """The stage has a condition that is not met yet: paying it now needs a justification."""
        return self.condition != self.Condition.NONE and self.condition_met_on is None

    @property
    def needs_monev(self) -> bool:
        """The stage waits for a passed monev visit of the Dinas: only recording one meets its condition."""
        return self.awaits_condition and self.condition == self.Condition.MONITORING_PASSED


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

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

    asset = models.ForeignKey(Asset, models.CASCADE, related_name="checks", verbose_name=_("asset"))
    checked_on = models.DateField(_("checked on"))
    condition = models.CharField(_("condition"), max_length=10, choices=Asset.Condition)
    note = models.CharField(_("note"), max_length=255, blank=True)
    photo = models.ImageField(_("photo"), upload_to="business/checks/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    objects = AssetCheckQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["asset", "-checked_on", "-pk"]
        verbose_name = _("asset check")
        verbose_name_plural = _("asset checks")

    def __str__(self) -> str:
        return f"{self.asset} · {self.checked_on}"
