from __future__ import annotations

import factory

from berdaya.regions.models import Region

NAMES = {1: "Provinsi", 2: "Kabupaten", 3: "Kecamatan", 4: "Desa"}


class RegionFactory(factory.django.DjangoModelFactory):
    """A region and, from its dotted code, all its parents: tests say only `code="64.01.04.2004"`."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "64.01.04.2004"
    name = factory.LazyAttribute(lambda r: f"{NAMES[r.code.count('.') + 1]} {r.code}")
    level = factory.LazyAttribute(lambda r: r.code.count(".") + 1)
    parent = factory.LazyAttribute(lambda r: RegionFactory(code=r.code.rsplit(".", 1)[0]) if "." in r.code else None)
