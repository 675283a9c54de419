"""Targeting: programme cycles, the call to kecamatan and villages, nominations, verval and the decree (SK)."""

from __future__ import annotations

import datetime as dt
import re
import string
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib import scoping
from berdaya.lib.formats import shown_value
from berdaya.lib.scoping import ScopedQuerySet, ScopeUser, region_ancestors
from berdaya.registry.models import AssistanceRecord
from berdaya.screening.reasons import translated_reason

if TYPE_CHECKING:
    pass


class CycleQuerySet(ScopedQuerySet["Cycle"]):
    region_path = "region__code"

    def extra_visible(self, user: ScopeUser) -> Q | None:
        """Cycles above the user's region (a village sees its regency's cycles), once they are open.

        Dinas users (whose scope holds the cycle's region) also see drafts; those below only see opened cycles.
        """
        assert user.region_id is not None  # visible_to asks only region-scoped users
        return Q(region__code__in=region_ancestors(user.region_id), status__in=Cycle.OPENED)


class Cycle(models.Model):
    """A round of the KUBE programme ("KUBE 2027 Tahap I") with the rules its nominations are judged by."""

    class FundingSource(models.TextChoices):
        APBN = "apbn", "APBN"
        APBD_PROVINCE = "apbd_province", _("APBD provinsi")
        APBD_REGENCY = "apbd_regency", _("APBD kabupaten")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Nominations open")
        DECIDED = "decided", _("Decided")

    OPENED = (Status.OPEN, Status.DECIDED)
    # The fields that are the cycle's rules: frozen once nominations open, so the cycle keeps the rules it ran under.
    RULE_FIELDS = (
        "year",
        "funding_source",
        "budget",
        "aid_per_member",
        "group_min",
        "group_max",
        "age_min",
        "age_max",
        "decile_max",
    )

    name = models.CharField(_("name"), max_length=100)
    # The regency (or province) whose Dinas runs the cycle; scope for everything below it.
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"))
    funding_source = models.CharField(_("funding source"), max_length=15, choices=FundingSource)
    budget = models.BigIntegerField(_("budget (Rp)"))
    aid_per_member = models.BigIntegerField(_("aid per member (Rp)"), default=2_000_000)
    group_min = models.PositiveSmallIntegerField(_("minimum group size"), default=5)
    group_max = models.PositiveSmallIntegerField(_("maximum group size"), default=20)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), default=60)
    decile_max = models.PositiveSmallIntegerField(_("highest welfare decile"), default=4)
    nomination_deadline = models.DateField(_("nominations due"))
    endorsement_deadline = models.DateField(_("kecamatan review due"))
    verval_deadline = models.DateField(_("verval due"))
    decision_deadline = models.DateField(_("decision due"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    sk_number = models.CharField(_("decree number"), max_length=100, blank=True)
    sk_date = models.DateField(_("decree date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = CycleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        permissions = [
            ("open_cycle", _("Can open a cycle for nominations")),
            ("relay_call", _("Can relay a cycle's call to villages")),
            ("nominate", _("Can nominate households")),
            ("endorse", _("Can endorse or return village lists")),
            ("verify", _("Can verify nominees in the field")),
            ("decide", _("Can approve or reject nominees and issue the decree")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="targeting_cycle_budget_positive"),
            models.CheckConstraint(condition=Q(group_min__lte=models.F("group_max")), name="targeting_cycle_group"),
            models.CheckConstraint(condition=Q(age_min__lte=models.F("age_max")), name="targeting_cycle_age_range"),
            models.CheckConstraint(
                condition=Q(decile_max__gte=1, decile_max__lte=10), name="targeting_cycle_decile_1_to_10"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("targeting:cycle-detail", args=[self.pk])

    @property
    def has_opened(self) -> bool:
        """Nominations have opened (and may since have been decided): the call and its documents exist."""
        return self.status in self.OPENED

    @property
    def is_frozen(self) -> bool:
        """The rules and quotas can no longer change: they froze when nominations opened."""
        return self.has_opened

    @property
    def is_open(self) -> bool:
        """Taking the workflow's steps: the call is relayed, villages nominate, the Dinas decides until the SK."""
        return self.status == self.Status.OPEN

    def nominations_closed(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.nomination_deadline


class QuotaQuerySet(ScopedQuerySet["Quota"]):
    region_path = "kecamatan__code"


class Quota(models.Model):
    """How many households a kecamatan may propose into a cycle."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="quotas", verbose_name=_("cycle"))
    kecamatan = models.ForeignKey(
        "regions.Region", models.PROTECT, related_name="+", verbose_name=_("kecamatan"), limit_choices_to={"level": 3}
    )
    households = models.PositiveIntegerField(_("households"))

    objects = QuotaQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kecamatan__code"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kecamatan"], name="targeting_quota_one_per_kecamatan"),
        ]

    def __str__(self) -> str:
        return f"{self.kecamatan_id}: {self.households}"


class CallRelayQuerySet(ScopedQuerySet["CallRelay"]):
    region_path = "kecamatan__code"


class CallRelay(models.Model):
    """The kecamatan (or the Dinas on its behalf) passing a cycle's call on to its villages, with a note."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="relays", verbose_name=_("cycle"))
    kecamatan = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("kecamatan"))
    note = models.TextField(_("note to the villages"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("entered at"))

    objects = CallRelayQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["at"]
        verbose_name = _("relayed call")
        verbose_name_plural = _("relayed calls")
        constraints = [models.UniqueConstraint(fields=["cycle", "kecamatan"], name="targeting_callrelay_once")]

    def __str__(self) -> str:
        return f"{self.cycle} → {self.kecamatan_id}"


class NominationListQuerySet(ScopedQuerySet["NominationList"]):
    region_path = "village__code"


class NominationList(models.Model):
    """A village's list of proposed households for one cycle, decided in a village meeting (musyawarah desa)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ENDORSED = "endorsed", _("Endorsed")

    # The workflow of a list: each step and the status it starts from (services.py moves, actions_for offers).
    STEPS: ClassVar[dict[str, str]] = {
        "edit": Status.DRAFT,
        "submit": Status.DRAFT,
        "endorse": Status.SUBMITTED,
        "return_to_village": Status.SUBMITTED,
        "return_to_kecamatan": Status.ENDORSED,
    }

    cycle = models.ForeignKey(Cycle, models.PROTECT, related_name="lists", verbose_name=_("cycle"))
    village = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("village"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    minutes = models.FileField(_("village meeting minutes"), upload_to="targeting/minutes/%Y/", blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    objects = NominationListQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["village__code"]
        verbose_name = _("village list")
        verbose_name_plural = _("village lists")
        constraints = [models.UniqueConstraint(fields=["cycle", "village"], name="targeting_list_one_per_village")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.village}"

    def get_absolute_url(self) -> str:
        return reverse("targeting:list-detail", args=[self.pk])

    @property
    def kecamatan_code(self) -> str:
        return scoping.kecamatan_code(self.village_id)

    def can(self, step: str) -> bool:
        """The list is in the status this step starts from (see STEPS)."""
        return self.status == self.STEPS[step]


class NomineeQuerySet(ScopedQuerySet["Nominee"]):
    region_path = "nomination_list__village__code"


class Nominee(models.Model):
    """A person a village proposes for KUBE, carried from draft to approval or rejection."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ENDORSED = "endorsed", _("Endorsed")
        VERIFIED = "verified", _("Verified")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Reason(models.TextChoices):
        NO_INCOME = "no_income", _("No steady income")
        POOR_HOUSING = "poor_housing", _("Uninhabitable house")
        WIDOW = "widow", _("Widow heading the household")
        DISABILITY = "disability", _("Disability in the household")
        HAS_SKILL = "has_skill", _("Has a business skill but no capital")
        OTHER = "other", _("Other")

    # The workflow of one nominee: each step and the status it starts from (services.py moves, actions_for offers).
    STEPS: ClassVar[dict[str, str]] = {
        "endorse": Status.SUBMITTED,
        "verify": Status.ENDORSED,
        "approve": Status.VERIFIED,
        "reject": Status.VERIFIED,
    }

    nomination_list = models.ForeignKey(
        NominationList, models.PROTECT, related_name="nominees", verbose_name=_("nomination list")
    )
    # Copied from the list so that "nominated twice in this cycle" is one indexed lookup across villages.
    cycle = models.ForeignKey(Cycle, models.PROTECT, related_name="nominees", verbose_name=_("cycle"))
    person = models.ForeignKey(
        "registry.Person", models.PROTECT, null=True, blank=True, related_name="nominations", verbose_name=_("person")
    )
    # As the village wrote them (copied from the registry when picked from it): the screening compares these.
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("name"), max_length=150)
    kk_number = models.CharField(_("KK number"), max_length=16)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    reason = models.CharField(_("reason for nomination"), max_length=15, choices=Reason)
    reason_note = models.CharField(_("reason in the village's words"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    override_justification = models.TextField(_("justification for overriding hard flags"), blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    objects = NomineeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        constraints = [
            # Across villages a second nomination is a flag (neither village sees the other's list); inside one
            # list it is a typing mistake the service refuses, and the database backs that up.
            models.UniqueConstraint(fields=["nomination_list", "nik"], name="targeting_nominee_once_per_list"),
        ]
        indexes = [
            models.Index(fields=["cycle", "nik"], name="targeting_nominee_cycle_nik"),
            models.Index(fields=["cycle", "kk_number"], name="targeting_nominee_cycle_kk"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("targeting:nominee-detail", args=[self.pk])

    def can(self, step: str) -> bool:
        """The nominee is in the status this step starts from (see STEPS)."""
        return self.status == self.STEPS[step]


class FlagQuerySet(ScopedQuerySet["Flag"]):
    region_path = "nominee__nomination_list__village__code"


class Flag(models.Model):
    """A finding of the automatic checks about one nominee; hard ones block submission unless justified."""

    class Severity(models.TextChoices):
        HARD = "hard", _("Blocks")
        SOFT = "soft", _("For review")

    class Code(models.TextChoices):
        NOT_IN_REGISTER = "not_in_register", _("Not in the register")
        DECILE = "decile", _("Decile above the cut-off")
        AGE = "age", _("Age outside the range")
        SAME_KK = "same_kk", _("Same household (KK)")
        PRIOR_KUBE = "prior_kube", _("Prior KUBE aid")
        OTHER_AID = "other_aid", _("Other aid")
        OUTSIDE = "outside", _("Lives outside the kecamatan")
        DUPLICATE = "duplicate", _("Nominated twice")
        NIK = "nik", _("NIK check")

    nominee = models.ForeignKey(Nominee, models.CASCADE, related_name="flags")
    code = models.CharField(_("check"), max_length=20, choices=Code)
    severity = models.CharField(_("severity"), max_length=4, choices=Severity)
    # An English msgid with named placeholders and their values, translated when shown (see `text`).
    message = models.CharField(max_length=255)
    params = models.JSONField(default=dict, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["severity", "code", "pk"]  # "hard" sorts before "soft"
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        message = gettext(self.message)
        if not self.params:
            return message
        params: dict[str, Any] = {name: shown_value(value) for name, value in self.params.items()}  # ISO dates
        if self.code in (self.Code.PRIOR_KUBE, self.Code.OTHER_AID):
            if params.get("programme") in AssistanceRecord.Programme.values:
                params["programme"] = AssistanceRecord.Programme(params["programme"]).label
            if "reason" in params:
                params["reason"] = translated_reason(params["reason"])  # the screening engine's, stored in English
        return message % params

    @property
    def is_hard(self) -> bool:
        return self.severity == self.Severity.HARD


class TransitionQuerySet(ScopedQuerySet["Transition"]):
    region_path = "nomination_list__village__code"


class Transition(models.Model):
    """One step of a nominee or a village list through the workflow: who, when, from what to what, and why."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        OVERRIDE = "override", _("Flags justified")
        SUBMIT = "submit", _("Submitted")
        RETURN = "return", _("Returned")
        ENDORSE = "endorse", _("Endorsed")
        VERIFY = "verify", _("Verified")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")

    nomination_list = models.ForeignKey(NominationList, models.CASCADE, related_name="transitions")
    nominee = models.ForeignKey(Nominee, models.CASCADE, null=True, blank=True, related_name="transitions")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    action = models.CharField(_("action"), max_length=30, choices=Action)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return str(Nominee.Status(self.from_status).label) if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return str(Nominee.Status(self.to_status).label)


def verval_photo_path(instance: Verval, filename: str) -> str:
    return f"targeting/verval/{instance.nominee.cycle_id}/{filename}"


class VervalQuerySet(ScopedQuerySet["Verval"]):
    region_path = "nominee__nomination_list__village__code"


class Verval(models.Model):
    """The Dinas's field visit to a nominee (verifikasi dan validasi): date, checklist, photo, position."""

    CHECKLIST = {
        "lives_at_address": _("Lives at the address"),
        "head_or_earner": _("Head of household or main earner"),
        "has_ktp_kk": _("Has KTP and KK"),
        "not_civil_servant": _("Not a civil servant, soldier, police officer or pensioner"),
        "truly_poor": _("Living conditions confirm poverty"),
        "willing": _("Willing to join a group business"),
    }

    nominee = models.OneToOneField(Nominee, models.CASCADE, related_name="verval", verbose_name=_("nominee"))
    visit_date = models.DateField(_("visit date"))
    checklist = models.JSONField(_("checklist"), default=dict)
    photo = models.ImageField(_("photo"), upload_to=verval_photo_path, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("entered at"))

    objects = VervalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verval")
        verbose_name_plural = _("vervals")

    def __str__(self) -> str:
        return f"{self.nominee} @ {self.visit_date}"

    def checklist_items(self) -> list[tuple[str, bool]]:
        return [(str(label), bool(self.checklist.get(key))) for key, label in self.CHECKLIST.items()]

    @property
    def all_checked(self) -> bool:
        return all(self.checklist.get(key) for key in self.CHECKLIST)


# What may follow the colon in {seq:...} or {year:...}: zero padding and a width under 10 ("03d", "4"), nothing else.
_NUMBER_SPEC = re.compile(r"0?[1-9]?d?")


def validate_number_format(value: str) -> None:
    """A decree number format may name only the running number {seq} and the year {year}.

    Checked field by field rather than by trying it: str.format would reach into attributes and items ({seq.real},
    {seq[0]}), take a nested field as the width, or pad a number to a billion characters ({seq:999999999}).
    """
    message = _("The number format may only use {seq} and {year}.")
    try:
        fields = [(name, spec, conversion) for _text, name, spec, conversion in string.Formatter().parse(value)]
    except ValueError as error:  # an unmatched brace
        raise ValidationError(message) from error
    for name, spec, conversion in fields:
        if name is None:
            continue  # plain text after the last field
        if name not in ("seq", "year") or conversion is not None or not _NUMBER_SPEC.fullmatch(spec or ""):
            raise ValidationError(message)


# The decree's considerations (Menimbang) and legal basis (Mengingat) as a new office starts with them: templates the
# office must check against the regulations it applies and edit on the letterhead page. Indonesian, like the decree
# itself (an official document is written in Indonesian, whatever language its reader's screens use). One item per
# line; the decree letters the considerations (a., b., ...) and numbers the legal basis (1., 2., ...).
DEFAULT_CONSIDERATIONS = "\n".join(
    [
        "bahwa dalam rangka penanganan fakir miskin, keluarga miskin perlu diberdayakan melalui bantuan usaha ekonomi "
        "produktif dalam Kelompok Usaha Bersama (KUBE);",
        "bahwa keluarga yang namanya tercantum dalam Lampiran Keputusan ini telah diusulkan oleh desa/kelurahan, "
        "diperiksa oleh kecamatan, serta diverifikasi dan divalidasi oleh Dinas Sosial, dan memenuhi kriteria "
        "penerima bantuan KUBE;",
        "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a dan huruf b, perlu menetapkan Keputusan "
        "tentang Penetapan Penerima Bantuan Kelompok Usaha Bersama;",
    ]
)
DEFAULT_LEGAL_BASIS = "\n".join(
    [
        "Undang-Undang Nomor 11 Tahun 2009 tentang Kesejahteraan Sosial;",
        "Undang-Undang Nomor 13 Tahun 2011 tentang Penanganan Fakir Miskin;",
        "Peraturan Menteri Sosial Nomor 2 Tahun 2019 tentang Bantuan Sosial Usaha Ekonomi Produktif kepada Kelompok "
        "Usaha Bersama untuk Penanganan Fakir Miskin;",
    ]
)
# A label the office may have typed itself at the start of an item ("a.", "b)", "1.", "2)"): the decree adds its own.
_ITEM_LABEL = re.compile(r"^\s*(?:[a-z]|\d{1,2})[.)]\s+")


def decree_items(text: str) -> list[str]:
    """The items of a considerations or legal-basis text: one per non-empty line, without a typed label."""
    return [_ITEM_LABEL.sub("", line).strip() for line in text.splitlines() if line.strip()]


class LetterheadQuerySet(ScopedQuerySet["Letterhead"]):
    region_path = "region__code"


class Letterhead(models.Model):
    """The Dinas's letterhead (kop surat), signatory and decree numbering, printed on the SK and forms."""

    region = models.OneToOneField("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    office_name = models.CharField(_("office name"), max_length=200, default="Dinas Sosial")
    government_name = models.CharField(_("government"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    logo = models.ImageField(_("logo"), upload_to="targeting/letterhead/", blank=True)
    signatory_name = models.CharField(_("signatory name"), max_length=150, blank=True)
    signatory_title = models.CharField(_("signatory title"), max_length=150, default="Kepala Dinas Sosial")
    signatory_nip = models.CharField(_("signatory NIP"), max_length=30, blank=True)
    # Placeholders: {seq} the decree's running number this year, {year}.
    number_format = models.CharField(
        _("decree number format"), max_length=100, default="{seq:03d}/SK-KUBE/DINSOS/{year}"
    )
    place = models.CharField(_("place of signing"), max_length=100, blank=True)
    considerations = models.TextField(
        _("considerations (Menimbang)"),
        default=DEFAULT_CONSIDERATIONS,
        help_text=_(
            "One consideration per line; the decree letters them a., b., c. Start from the template given and check it "
            "against the regulations your office applies; an empty box restores the template."
        ),
    )
    legal_basis = models.TextField(
        _("legal basis (Mengingat)"),
        default=DEFAULT_LEGAL_BASIS,
        help_text=_(
            "One regulation per line; the decree numbers them 1., 2., 3. Start from the template given and check it "
            "against the regulations your office applies; an empty box restores the template."
        ),
    )

    objects = LetterheadQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self) -> str:
        return self.office_name

    @property
    def issuer(self) -> str:
        """Who decrees, as the title names them: the signatory's office and, unless it already says so, the region."""
        region = self.region.name
        if region.lower() in self.signatory_title.lower():
            return self.signatory_title
        return f"{self.signatory_title} {region}"

    def consideration_items(self) -> list[str]:
        return decree_items(self.considerations)

    def legal_basis_items(self) -> list[str]:
        return decree_items(self.legal_basis)
