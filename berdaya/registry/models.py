"""The registry of poor households (KK) and their members (NIK), with the assistance each has already received."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib.db import IsDigits
from berdaya.lib.formats import day_time
from berdaya.lib.scoping import ScopedQuerySet, province_of


class HouseholdQuerySet(ScopedQuerySet["Household"]):
    region_path = "village__code"
    partition_paths = ("province",)


def _province_field() -> models.CharField[str, str]:
    # The partition key of the registry's tables on PostgreSQL (migration 0009): always the province of the row's
    # household, so a region-scoped read can say which partition it needs. Derived, never typed in.
    return models.CharField(_("province"), max_length=2, editable=False, default="")


# Derived columns the audit trail does not keep: the household's village already says where it is.
_NOT_AUDITED = ["province"]


class Household(models.Model):
    """A family on one family card (KK): the unit of the one-member-per-household rule."""

    # Unique by a constraint rather than unique=True: on PostgreSQL that would add a second, pattern-ops index, and a
    # number prefix is searched as a range of the unique index (berdaya.lib.db.digits_prefix).
    kk_number = models.CharField(_("KK number"), max_length=16)
    address = models.CharField(_("address"), max_length=255, blank=True)
    village = models.ForeignKey(
        "regions.Region", models.PROTECT, related_name="+", verbose_name=_("village"), limit_choices_to={"level": 4}
    )
    decile = models.PositiveSmallIntegerField(_("welfare decile"), null=True, blank=True)
    register_id = models.CharField(_("DTSEN/DTKS id"), max_length=40, blank=True)
    register_verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    province = _province_field()

    # The province as read from the database: a save that changes it moves the members and records too.
    _stored_province: str | None = None

    objects = HouseholdQuerySet.as_manager()
    # Written in bulk by imports: the audit trail is read by record id, so indexes on its other columns, and a database
    # check of its user per row (users are deactivated, never deleted), would only slow every import down.
    history = HistoricalRecords(
        no_db_index=["kk_number", "village"], user_db_constraint=False, excluded_fields=_NOT_AUDITED
    )

    class Meta:
        ordering = ["kk_number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["kk_number"], name="registry_household_kk_unique"),
            models.CheckConstraint(condition=IsDigits("kk_number", length=16), name="registry_household_kk_16_digits"),
            models.CheckConstraint(
                condition=Q(decile__isnull=True) | Q(decile__gte=1, decile__lte=10),
                name="registry_household_decile_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return self.kk_number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The province follows the village here and in the import's SQL (importing.sql.follow_households); a
        # queryset update() of the village would bypass both.
        self.province = province_of(self.village_id)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "village" in update_fields:
            kwargs["update_fields"] = {*update_fields, "province"}
        super().save(*args, **kwargs)
        if self._stored_province is not None and self._stored_province != self.province:
            # Moved to a village of another province: its members and its assistance history follow it (on
            # PostgreSQL into the other province's partition).
            Person.objects.filter(household=self).update(province=self.province)
            AssistanceRecord.objects.filter(household=self).update(province=self.province)
        self._stored_province = self.province

    def get_absolute_url(self) -> str:
        return reverse("registry:household-detail", args=[self.pk])

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Household:
        household: Household = super().from_db(db, field_names, values, **kwargs)
        household._stored_province = household.__dict__.get("province")
        return household


class PersonQuerySet(ScopedQuerySet["Person"]):
    region_path = "household__village__code"
    # The household is joined for its village: naming its partition too keeps the join to one province.
    partition_paths = ("province", "household__province")


class Person(models.Model):
    """A member of a registered household, identified by the NIK on the KTP."""

    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        CHILD_IN_LAW = "child_in_law", _("Child-in-law")
        GRANDCHILD = "grandchild", _("Grandchild")
        PARENT = "parent", _("Parent")
        PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
        OTHER = "other", _("Other")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Not married")
        MARRIED = "married", _("Married")
        DIVORCED = "divorced", _("Divorced")
        WIDOWED = "widowed", _("Widowed")

    nik = models.CharField(_("NIK"), max_length=16)  # unique by a constraint: see Household.kk_number
    name = models.CharField(_("name"), max_length=150)
    household = models.ForeignKey(Household, models.PROTECT, related_name="members", verbose_name=_("household"))
    relation = models.CharField(_("relation to head"), max_length=15, choices=Relation, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex, blank=True)
    birth_place = models.CharField(_("birth place"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=10, choices=MaritalStatus, blank=True)
    education = models.CharField(_("education"), max_length=60, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    # Free text ("tuna netra", "fisik"): the kinds recorded differ between registers. Empty means none recorded.
    disability = models.CharField(_("disability"), max_length=100, blank=True)
    province = _province_field()  # the household's
    _stored_household_id: int | None = None  # as read from the database (see _follow_household)

    objects = PersonQuerySet.as_manager()
    # Written in bulk by imports: see Household.history.
    history = HistoricalRecords(
        no_db_index=["nik", "household"], user_db_constraint=False, excluded_fields=_NOT_AUDITED
    )

    class Meta:
        ordering = ["name", "nik"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        permissions = [
            ("reveal_nik", _("Can see full NIK, KK numbers and addresses (logged)")),
            ("export_person_data", _("Can export everything held about a person (logged)")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["nik"], name="registry_person_nik_unique"),
            models.CheckConstraint(condition=IsDigits("nik", length=16), name="registry_person_nik_16_digits"),
        ]
        indexes = [models.Index(fields=["name"], name="registry_person_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        _follow_household(self, Person.household.field, kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("registry:person-detail", args=[self.pk])

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Person:
        person: Person = super().from_db(db, field_names, values, **kwargs)
        person._stored_household_id = person.__dict__.get("household_id")
        return person


class AssistanceRecordQuerySet(ScopedQuerySet["AssistanceRecord"]):
    region_path = "household__village__code"
    partition_paths = ("province", "household__province")


class AssistanceRecord(models.Model):
    """Aid a person (and through them their household) received from a social programme in a given year."""

    class Programme(models.TextChoices):
        KUBE = "kube", "KUBE"
        PKH = "pkh", "PKH"
        BPNT = "bpnt", "BPNT/Sembako"
        BLT = "blt", "BLT"
        RS_RTLH = "rs_rtlh", "RS-RTLH"
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, models.PROTECT, related_name="assistance", verbose_name=_("person"))
    # Copied from the person so that the history stays with the household even if the person later moves KK.
    household = models.ForeignKey(Household, models.PROTECT, related_name="assistance", verbose_name=_("household"))
    programme = models.CharField(_("programme"), max_length=10, choices=Programme)
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source of funds"), max_length=100, blank=True)
    amount = models.BigIntegerField(_("amount (Rp)"), null=True, blank=True)
    province = _province_field()  # the household's
    _stored_household_id: int | None = None  # as read from the database (see _follow_household)

    objects = AssistanceRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=_NOT_AUDITED)

    class Meta:
        ordering = ["-year", "programme"]
        verbose_name = _("assistance record")
        verbose_name_plural = _("assistance records")
        constraints = [
            # The import's upsert key: one record per person, programme and year.
            models.UniqueConstraint(
                fields=["person", "programme", "year"], name="registry_assistancerecord_one_per_programme_year"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="registry_assistancerecord_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _follow_household(self, AssistanceRecord.household.field, kwargs)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> AssistanceRecord:
        record: AssistanceRecord = super().from_db(db, field_names, values, **kwargs)
        record._stored_household_id = record.__dict__.get("household_id")
        return record


def _follow_household(row: Person | AssistanceRecord, field: Any, save_kwargs: dict[str, Any]) -> None:
    """Give a new person or record, or one that changed household, the province of its household.

    A row read from the database with the same household keeps the province it has (a household's move updates its
    rows itself), so saving it costs no look-up of the household.
    """
    household_id = row.household_id
    if not row._state.adding and row.province and household_id == row._stored_household_id:
        return
    cached = field.get_cached_value(row, None)
    if cached is not None and cached.pk == household_id:
        row.province = cached.province or province_of(cached.village_id)
    elif household_id is not None:
        row.province = Household.objects.filter(pk=household_id).values_list("province", flat=True).first() or ""
    update_fields = save_kwargs.get("update_fields")
    if update_fields is not None:
        save_kwargs["update_fields"] = {*update_fields, "province"}
    row._stored_household_id = household_id


class DisclosureQuerySet(ScopedQuerySet["Disclosure"]):
    region_path = "region__code"


class Disclosure(models.Model):
    """One time full personal data (NIK, KK number, address) left the server: a reveal on a page, a document that
    carries full numbers by law, an export. Append-only: written by `registry.privacy.record_disclosure`, never
    changed, removed only by `berdaya purge` once past its retention."""

    class Kind(models.TextChoices):
        REVEAL = "reveal", _("NIK revealed on a page")
        SK_PDF = "sk_pdf", _("SK penetapan (PDF)")
        BNBA_XLSX = "bnba_xlsx", _("BNBA list (XLSX)")
        BNBA_API = "bnba_api", _("BNBA list (API, JSON or CSV)")
        MEMBER_LIST_PDF = "member_list_pdf", _("KUBE member list (PDF)")
        PERSON_EXPORT = "person_export", _("Registry export: persons")
        HOUSEHOLD_EXPORT = "household_export", _("Registry export: households")
        PERSON_DATA = "person_data", _("Everything held about a person")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("seen by"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    # The one person of a reveal or a person-data export; empty for a document or export of many.
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="disclosures", verbose_name=_("person")
    )
    # Every person whose data the document or export carried in full, so that "who saw this person's data" is one
    # query (a reveal links its person here too).
    persons = models.ManyToManyField(Person, related_name="disclosed_in", blank=True, verbose_name=_("persons"))
    count = models.PositiveIntegerField(_("rows"), default=1)
    document = models.CharField(_("document"), max_length=200, blank=True)
    url = models.CharField(_("address of the page or file"), max_length=500, blank=True)
    # The narrowest region holding everyone disclosed: the log page is scoped by it.
    region = models.ForeignKey(
        "regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"), db_index=False
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal data disclosure")
        verbose_name_plural = _("personal data disclosures")
        indexes = [
            models.Index(fields=["region", "at"], name="registry_disclosure_region_at"),
            models.Index(fields=["by", "at"], name="registry_disclosure_by_at"),
            models.Index(fields=["at"], name="registry_disclosure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.by} · {self.get_kind_display()} · {day_time(self.at)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("The access log is append-only: a disclosure is never changed.")
        super().save(*args, **kwargs)


class PurgeRun(models.Model):
    """One `berdaya purge --apply`: the retention cut-offs it applied and how much of each kind it removed."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    cutoffs = models.JSONField(_("removed what was older than"), default=dict)
    removed = models.JSONField(_("removed"), default=dict)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")

    def __str__(self) -> str:
        return f"purge @ {day_time(self.at)}"


class ImportJobQuerySet(ScopedQuerySet["ImportJob"]):
    region_path = "region__code"


class ImportJob(models.Model):
    """One uploaded registry or assistance-history file on its way from dry run to commit."""

    class Kind(models.TextChoices):
        REGISTRY = "registry", _("Registry (households and persons)")
        HISTORY = "history", _("Assistance history")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.PENDING, Status.CHECKING, Status.IMPORTING)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    # Header as written in the file -> field name, chosen by the user for headers Berdaya does not know.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    accepted_only = models.BooleanField(_("import only accepted rows"), default=False)
    # The last dry run or commit: counts, file-level error, unknown headers (see importing.ImportSummary).
    summary = models.JSONField(default=dict, blank=True, verbose_name=_("summary"))
    report = models.FileField(_("report"), upload_to="imports/reports/%Y/%m/", blank=True)
    # Scope: the uploader's region when the job was made; the import itself refuses rows outside it.
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    objects = ImportJobQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["summary"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("registry:import-detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_checked(self) -> bool:
        """Checked and waiting for the uploader: to be imported, or checked again with a column mapping."""
        return self.status == self.Status.CHECKED

    @property
    def wants_mapping(self) -> bool:
        """Checked, with headers Berdaya did not know or a file it could not read as it was."""
        return self.is_checked and bool(self.summary.get("unknown_headers") or self.summary.get("error"))
