"""Monitoring over the API: each group's monthly level and four-effort scorecard, monev visits and early warnings."""

from __future__ import annotations

from ninja import ModelSchema, Router

from berdaya.lib.api import kube_records
from berdaya.lib.stored_text import show

from .models import EarlyWarning, LevelSnapshot, MonevVisit

router = Router(tags=["monitoring"])


class LevelOut(ModelSchema):
    """A group's level in one month (1 Tumbuh, 2 Berkembang, 3 Maju/Mandiri), its indicators and its scorecard."""

    class Meta:
        model = LevelSnapshot
        fields = ["id", "kube", "month", "level", "computed_level", "is_manual", "indicators", "scores", "computed_at"]


class MonevOut(ModelSchema):
    class Meta:
        model = MonevVisit
        fields = [
            "id",
            "kube",
            "kind",
            "visited_on",
            "answers",
            "findings",
            "recommendation",
            "verdict",
            "latitude",
            "longitude",
            "by",
            "created_at",
        ]


class WarningOut(ModelSchema):
    message: str

    class Meta:
        model = EarlyWarning
        fields = [
            "id",
            "kube",
            "kind",
            "key",
            "raised_on",
            "responsible",
            "cleared_on",
            "handled_at",
            "handled_by",
            "handled_note",
        ]

    @staticmethod
    def resolve_message(warning: EarlyWarning) -> str:
        return show(warning.message)  # in the caller's language


kube_records(
    router,
    path="levels",
    name="monitoring_levels",
    model=LevelSnapshot,
    schema=LevelOut,
    permission="monitoring.view_levelsnapshot",
    dated="month",
    label="level snapshots and scorecards",
)
kube_records(
    router,
    path="monev",
    name="monitoring_monev",
    model=MonevVisit,
    schema=MonevOut,
    permission="monitoring.view_monevvisit",
    dated="visited_on",
    label="monev visits",
)
kube_records(
    router,
    path="warnings",
    name="monitoring_warnings",
    model=EarlyWarning,
    schema=WarningOut,
    permission="monitoring.view_earlywarning",
    dated="raised_on",
    label="early warnings",
)
