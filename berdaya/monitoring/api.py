"""Monitoring over the API: each group's monthly level and four-effort scorecard, monev visits and early warnings."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import ModelSchema, Router, Status

from berdaya.groups.models import Kube
from berdaya.lib.api import WRITE_ERRORS, Created, form_body, form_refusal, get_visible, kube_records, require, submit
from berdaya.lib.http import AuthedRequest
from berdaya.lib.stored_text import show
from berdaya.mentoring.forms import EnvironmentForm

from . import monev
from .forms import MonevForm
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


class MonevCreated(MonevOut, Created):
    pass


@router.post(
    "/kubes/{kube}/monev",
    response={201: MonevCreated, **WRITE_ERRORS},
    operation_id="monitoring_monev_create",
    url_name="monitoring_monev_create",
    summary="Record a monev visit",
    description="The monev form of the group's page (multipart, with its photos, the checklist's `q_…` answers and the"
    " bina lingkungan section `env-…`). `client_key` (a UUID the client makes once per report) makes a report sent"
    " twice be stored once: the second post answers the record the first stored.",
    openapi_extra=form_body((MonevForm, ""), (EnvironmentForm, "env")),
)
def monev_create(request: AuthedRequest, kube: int) -> Status[MonevVisit]:
    require(request, "monitoring.add_monevvisit")
    group = get_visible(Kube.objects.visible_to(request.user).select_related("village__parent"), kube)
    form = MonevForm(
        request.POST, request.FILES, questions=monev.checklist(), initial={"kind": monev.due_for(group).kind}
    )
    environment = EnvironmentForm(request.POST, prefix="env", kube=group)
    sections = (environment,) if environment.has_data() else ()
    if not form.is_valid() or not all(section.is_valid() for section in sections):
        raise form_refusal(form, *sections)
    data = {**form.cleaned_data, "environment": environment.cleaned_data if sections else None}
    return Status(
        201, submit(request, monev.record_monev, form=form, data=data, kube=group, success=_("Monev recorded."))
    )
