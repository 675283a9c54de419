"""Field photos from cheap phones: check size and type, read the GPS position, shrink before storing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from .errors import DomainError


class PhotoError(DomainError):
    pass


@dataclass(frozen=True)
class Photo:
    """A photo ready to store: a resized JPEG and the position its EXIF data gave, if any."""

    content: ContentFile[bytes]
    latitude: Decimal | None
    longitude: Decimal | None


def _degrees(value: Any, ref: Any) -> Decimal | None:
    try:
        d, m, s = (Fraction(float(part)) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = Decimal(float(d + m / 60 + s / 3600)).quantize(Decimal("0.000001"))
    return -degrees if str(ref).upper() in ("S", "W") else degrees


def _gps(image: Image.Image) -> tuple[Decimal | None, Decimal | None]:
    gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    if not gps:
        return None, None
    latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
    longitude = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude


def _megabytes(size: int) -> str:
    """10,0 in Indonesian, 10.0 in English."""
    return number_format(round(size / 1024 / 1024, 1), decimal_pos=1, use_l10n=True)


def prepare_photo(upload: UploadedFile[bytes]) -> Photo:
    """Refuse a file that is too big or not an image; otherwise a JPEG at most BERDAYA_PHOTO_MAX_SIDE wide."""
    limit = settings.BERDAYA_MAX_PHOTO_BYTES
    # Checked before the file is read: a 30 MB upload never reaches Pillow or the storage.
    if upload.size is None or upload.size > limit:
        raise PhotoError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(upload.size or 0), "limit": _megabytes(limit)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()  # finds truncated or fake files; the image must be opened again afterwards
        upload.seek(0)
        opened = Image.open(upload)
        opened.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise PhotoError(_("%(name)s is not a photo (JPEG or PNG).") % {"name": upload.name}) from error
    latitude, longitude = _gps(opened)
    image = ImageOps.exif_transpose(opened).convert("RGB")
    side = settings.BERDAYA_PHOTO_MAX_SIDE
    image.thumbnail((side, side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    name = f"{Path(upload.name or 'photo').stem[:50]}.jpg"
    return Photo(ContentFile(out.getvalue(), name=name), latitude, longitude)
