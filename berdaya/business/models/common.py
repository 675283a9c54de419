"""What every business model shares: the KUBE scope, the upload path and the month arithmetic of the books."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import models

from berdaya.lib.scoping import ScopedQuerySet

_M = TypeVar("_M", bound=models.Model)


class KubeScoped(ScopedQuerySet[_M]):
    """Rows that belong to one KUBE: seen where the group is, and by its facilitator."""

    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


def upload_path(instance: models.Model, filename: str) -> str:
    kube_id = getattr(instance, "kube_id", None) or "x"
    return f"business/{kube_id}/{type(instance).__name__.lower()}/{filename}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
