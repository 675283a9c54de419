"""What every business model shares: the KUBE scope, the upload path and the month arithmetic of the books."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from berdaya.lib.months import month_end as month_end
from berdaya.lib.months import month_start as month_start
from berdaya.lib.months import next_month as next_month
from berdaya.lib.scoping import ScopedQuerySet

_M = TypeVar("_M", bound=models.Model)


class KubeScoped(ScopedQuerySet[_M]):
    """Rows that belong to one KUBE: seen where the group is, and by its facilitator."""

    region_path = "kube__village__code"
    facilitator_path = "kube__facilitator"


def upload_path(instance: models.Model, filename: str) -> str:
    kube_id = getattr(instance, "kube_id", None) or "x"
    return f"business/{kube_id}/{type(instance).__name__.lower()}/{filename}"
