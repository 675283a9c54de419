from __future__ import annotations

import datetime as dt
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.tests.factories import KubeFactory
from berdaya.mentoring.models import Problem, Visit


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    kube = factory.SubFactory(KubeFactory)
    visited_on = dt.date(2027, 7, 20)
    purpose = "Pendampingan pembukuan"
    by = factory.SubFactory(UserFactory, username="visitor")


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    kube = factory.SubFactory(KubeFactory)
    reported_on = dt.date(2027, 7, 10)
    origin = Problem.Origin.INTERNAL
    category = Problem.Category.BOOKKEEPING
    description = "Buku kas tidak diisi sejak Juni."
    by = factory.SubFactory(UserFactory, username="reporter")


def _rational(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (degrees, minutes, seconds)


def jpeg(*, size: tuple[int, int] = (2400, 1800), gps: tuple[float, float] | None = None, name: str = "foto.jpg"):
    """A JPEG upload, with the EXIF GPS position a phone would write when `gps` is given."""
    image = Image.new("RGB", size, (120, 160, 90))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps is not None:
        lat, lon = gps
        exif[0x8825] = {
            1: "S" if lat < 0 else "N",
            2: _rational(abs(lat)),
            3: "W" if lon < 0 else "E",
            4: _rational(abs(lon)),
        }
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
