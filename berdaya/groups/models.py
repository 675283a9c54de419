"""KUBE groups: the group, its members and officers, its rules, its lifecycle and its facilitator."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib import scoping
from berdaya.lib.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from berdaya.regions.models import Region


class KubeQuerySet(ScopedQuerySet["Kube"]):
    region_path = "village__code"
    facilitator_path = "facilitator"

    def forming(self) -> KubeQuerySet:
        return self.filter(status=Kube.Status.FORMING)

    def running(self) -> KubeQuerySet:
        """Groups a facilitator still mentors: being formed, active or (temporarily) inactive."""
        return self.filter(status__in=Kube.MENTORED)


def signboard_path(instance: Kube, filename: str) -> str:
    return f"groups/signboards/{instance.pk or 'new'}/{filename}"


class Kube(models.Model):
    """A joint business group (Kelompok Usaha Bersama) of poor households from one kecamatan."""

    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        GRADUATED = "graduated", _("Graduated (mandiri)")
        DISSOLVED = "dissolved", _("Dissolved")

    class Sector(models.TextChoices):
        # The six business sectors of Kemensos's KUBE guidance.
        FISHERIES = "fisheries", _("Fisheries")
        TOURISM = "tourism", _("Tourism services")
        HOME_INDUSTRY = "home_industry", _("Home industry")
        LIVESTOCK = "livestock", _("Livestock")
        FARMING = "farming", _("Farming and plantation")
        TRADE = "trade", _("Trade")

    MENTORED = (Status.FORMING, Status.ACTIVE, Status.INACTIVE)
    ENDED = (Status.GRADUATED, Status.DISSOLVED)

    name = models.CharField(_("name"), max_length=100)
    cycle = models.ForeignKey("targeting.Cycle", models.PROTECT, related_name="kubes", verbose_name=_("cycle"))
    village = models.ForeignKey(
        "regions.Region", models.PROTECT, related_name="+", verbose_name=_("village"), limit_choices_to={"level": 4}
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    sector = models.CharField(_("business sector"), max_length=15, choices=Sector)
    business_type = models.CharField(_("business type"), max_length=100, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="kubes",
        verbose_name=_("facilitator"),
        limit_choices_to={"role": "facilitator"},
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.FORMING)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    status_since = models.DateField(_("status since"), default=timezone.localdate)

    formed_on = models.DateField(_("formation meeting date"), null=True, blank=True)
    formation_minutes = models.TextField(_("minutes of the formation meeting"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=30, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    has_stamp = models.BooleanField(_("has a stamp"), default=False)
    signboard_photo = models.ImageField(_("signboard photo"), upload_to=signboard_path, blank=True)

    # Group rules (AD/ART) and how profit is shared; the IKS share is the group's IKS percentage.
    rules_text = models.TextField(_("group rules (AD/ART)"), blank=True)
    share_capital = models.DecimalField(
        _("profit to capital (%)"), max_digits=5, decimal_places=2, default=Decimal("50")
    )
    share_members = models.DecimalField(
        _("profit to members (%)"), max_digits=5, decimal_places=2, default=Decimal("40")
    )
    share_iks = models.DecimalField(_("IKS percentage"), max_digits=5, decimal_places=2, default=Decimal("10"))

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    objects = KubeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("KUBE")
        verbose_name_plural = _("KUBE")
        permissions = [("view_caseload", _("Can follow groups as their facilitator"))]
        constraints = [
            models.CheckConstraint(
                condition=Exact(F("share_capital") + F("share_members") + F("share_iks"), Decimal("100")),
                name="groups_kube_shares_sum_to_100",
            ),
            models.CheckConstraint(
                condition=Q(share_capital__gte=0, share_members__gte=0, share_iks__gte=0),
                name="groups_kube_shares_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:kube-detail", args=[self.pk])

    @property
    def kecamatan(self) -> Region:
        parent = self.village.parent
        assert parent is not None  # a village always has its kecamatan
        return parent

    @property
    def kecamatan_code(self) -> str:
        return scoping.kecamatan_code(self.village_id)

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_name and self.bank_account_number and self.bank_account_holder)

    # The lifecycle's states, asked by the services (which enforce them) and by actions_for (which offers them).

    @property
    def is_forming(self) -> bool:
        return self.status == self.Status.FORMING

    @property
    def is_ended(self) -> bool:
        """Graduated or dissolved: the group's record is closed."""
        return self.status in self.ENDED

    @property
    def is_mentored(self) -> bool:
        return self.status in self.MENTORED

    @property
    def next_statuses(self) -> tuple[str, ...]:
        """The statuses the lifecycle allows this group to move to now."""
        return TRANSITIONS[self.status]


# The lifecycle, a state machine: forming → active ↔ inactive → graduated or dissolved (a group may also be dissolved
# while forming or inactive). The moves it allows, from each status:
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Kube.Status.FORMING: (Kube.Status.ACTIVE, Kube.Status.DISSOLVED),
    Kube.Status.ACTIVE: (Kube.Status.INACTIVE, Kube.Status.GRADUATED, Kube.Status.DISSOLVED),
    Kube.Status.INACTIVE: (Kube.Status.ACTIVE, Kube.Status.DISSOLVED),
    Kube.Status.GRADUATED: (),
    Kube.Status.DISSOLVED: (),
}


class MembershipQuerySet(ScopedQuerySet["Membership"]):
    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"

    def current(self) -> MembershipQuerySet:
        return self.filter(left_on__isnull=True)


class Membership(models.Model):
    """A person's place in a KUBE, from joining to leaving, and the office they hold."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        CHAIR = "chair", _("Ketua")
        SECRETARY = "secretary", _("Sekretaris")
        TREASURER = "treasurer", _("Bendahara")

    OFFICES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER)

    kube = models.ForeignKey(Kube, models.CASCADE, related_name="memberships", verbose_name=_("KUBE"))
    person = models.ForeignKey("registry.Person", models.PROTECT, related_name="memberships", verbose_name=_("person"))
    # Copied from person.household so that the database itself holds "one member per household".
    household = models.ForeignKey("registry.Household", models.PROTECT, related_name="+", verbose_name=_("household"))
    # The approval that made the person eligible: members come only from the cycle's approved nominees.
    nominee = models.ForeignKey(
        "targeting.Nominee", models.PROTECT, related_name="memberships", verbose_name=_("nominee")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leaving"), max_length=255, blank=True)
    replaced_by = models.OneToOneField(
        "self", models.SET_NULL, null=True, blank=True, related_name="replaces", verbose_name=_("replaced by")
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("added by"))

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kube", "left_on", "person__name", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(left_on__isnull=True), name="groups_membership_one_per_household"
            ),
            models.UniqueConstraint(
                fields=["kube", "role"],
                condition=Q(left_on__isnull=True) & ~Q(role="member"),
                name="groups_membership_one_per_office",
            ),
            models.CheckConstraint(condition=Q(left_on__gte=F("joined_on")), name="groups_membership_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.kube}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None

    @property
    def is_officer(self) -> bool:
        return self.role != self.Role.MEMBER


class AssignmentQuerySet(ScopedQuerySet["FacilitatorAssignment"]):
    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


class FacilitatorAssignment(models.Model):
    """A facilitator's period of mentoring one group; a reassignment ends one period and starts the next."""

    kube = models.ForeignKey(Kube, models.CASCADE, related_name="assignments")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="assignments", verbose_name=_("facilitator")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["kube", "-started_on", "-pk"]
        verbose_name = _("facilitator assignment")
        verbose_name_plural = _("facilitator assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["kube"], condition=Q(ended_on__isnull=True), name="groups_assignment_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facilitator} · {self.kube}"
