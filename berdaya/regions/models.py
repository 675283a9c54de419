from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from berdaya.lib.scoping import ScopedQuerySet, region_ancestors, region_contains, region_q

if TYPE_CHECKING:
    from collections.abc import Iterator


class RegionQuerySet(ScopedQuerySet["Region"]):
    region_path = "code"
    # Regions are public reference data, not a facilitator's cases: a facilitator sees the regions of its scope.
    facilitator_by_region = True

    def within(self, code: str) -> RegionQuerySet:
        """The region with this code and everything below it."""
        return self.filter(region_q("code", code))

    def kecamatan(self) -> RegionQuerySet:
        return self.filter(level=Region.Level.KECAMATAN)

    def villages(self) -> RegionQuerySet:
        return self.filter(level=Region.Level.VILLAGE)


class Region(models.Model):
    """An administrative region of Indonesia (province, regency/city, kecamatan or village) by its Kemendagri code."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency/City")
        KECAMATAN = 3, _("Kecamatan")
        VILLAGE = 4, _("Village")

    # The dotted Kemendagri code is the natural key and the primary key: foreign keys then hold the code itself,
    # so scoping by "this code or below" is a prefix test on the referencing row, without a join.
    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "code"], name="regions_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_kelurahan(self) -> bool:
        """A village whose code's last four digits start with 1 is a kelurahan (urban); with 2, a desa."""
        return self.level == self.Level.VILLAGE and self.code.rsplit(".", 1)[1].startswith("1")

    @property
    def kind_label(self) -> str:
        if self.level == self.Level.VILLAGE:
            return str(_("Kelurahan")) if self.is_kelurahan else str(_("Desa"))
        if self.level == self.Level.REGENCY:
            return str(_("City")) if self.name.startswith("Kota") else str(_("Regency"))
        return str(self.get_level_display())

    @property
    def nik_prefix(self) -> str:
        """The first digits of a NIK first registered here (down to the kecamatan): 64.01.04 -> 640104."""
        return self.code.replace(".", "")[:6]

    def contains(self, other: Region) -> bool:
        return other.code_within(self.code)

    def code_within(self, code: str | None) -> bool:
        """Is this region the region `code` or below it?"""
        return code is not None and region_contains(code, self.code)

    def ancestors(self) -> Iterator[Region]:
        """Parents from the nearest up to the province (one query each; use on a single record only)."""
        region = self.parent
        while region is not None:
            yield region
            region = region.parent

    def ancestor_codes(self) -> list[str]:
        return region_ancestors(self.code)


class Boundary(models.Model):
    """A region's outline for the offline map: its rings in longitude, latitude (WGS 84) and their bounding box."""

    region = models.OneToOneField(
        Region, models.CASCADE, primary_key=True, related_name="boundary", verbose_name=_("region")
    )
    # Compact JSON: a list of rings, each a list of [longitude, latitude]. The outer rings and holes of a
    # MultiPolygon are kept alike; the map fills them with the even-odd rule, which cuts the holes out.
    rings = models.TextField(_("rings"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return str(self.region_id)
