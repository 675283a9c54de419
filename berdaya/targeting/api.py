"""Targeting over the API: cycles, village lists and nominees of the caller's scope, with their states."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from berdaya.lib.api import (
    CSV_ALSO,
    WRITE_ERRORS,
    ErrorOut,
    FormatParam,
    KeysetPagination,
    action_body,
    get_visible,
    posted,
    require,
    state_action,
    wants_csv,
)
from berdaya.lib.exports import csv_response
from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import region_q
from berdaya.regions.models import Region
from berdaya.registry.api import shown
from berdaya.registry.models import Disclosure

from . import documents, selectors, services
from .forms import (
    EndorseForm,
    JustifyForm,
    NewNomineeForm,
    PickPersonForm,
    QuotaForm,
    ReasonForm,
    RelayForm,
    VervalForm,
)
from .models import Cycle, NominationList, Nominee, Verval

router = Router(tags=["targeting"])


class CycleOut(Schema):
    id: int
    name: str
    region: str
    year: int
    funding_source: str
    budget: int
    aid_per_member: int
    group_min: int
    group_max: int
    age_min: int
    age_max: int
    decile_max: int
    nomination_deadline: dt.date
    endorsement_deadline: dt.date
    verval_deadline: dt.date
    decision_deadline: dt.date
    status: str
    opened_at: dt.datetime | None
    sk_number: str
    sk_date: dt.date | None

    @staticmethod
    def resolve_region(cycle: Cycle) -> str:
        return cycle.region_id


class NominationListOut(Schema):
    id: int
    cycle: int
    village: str
    status: str
    meeting_date: dt.date | None
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_cycle(nomination_list: NominationList) -> int:
        return nomination_list.cycle_id

    @staticmethod
    def resolve_village(nomination_list: NominationList) -> str:
        return nomination_list.village_id


class NomineeOut(Schema):
    id: int
    cycle: int
    nomination_list: int
    village: str
    person: int | None
    nik: str
    kk_number: str
    name: str
    birth_date: dt.date | None
    sex: str
    reason: str
    status: str
    created_at: dt.datetime

    @staticmethod
    def resolve_cycle(nominee: Nominee) -> int:
        return nominee.cycle_id

    @staticmethod
    def resolve_nomination_list(nominee: Nominee) -> int:
        return nominee.nomination_list_id

    @staticmethod
    def resolve_village(nominee: Nominee) -> str:
        return nominee.nomination_list.village_id

    @staticmethod
    def resolve_person(nominee: Nominee) -> int | None:
        return nominee.person_id

    @staticmethod
    def resolve_nik(nominee: Nominee, context: dict[str, AuthedRequest]) -> str:
        return shown(context["request"].user, nik=nominee.nik, village_code=nominee.nomination_list.village_id).nik

    @staticmethod
    def resolve_kk_number(nominee: Nominee, context: dict[str, AuthedRequest]) -> str:
        user, village = context["request"].user, nominee.nomination_list.village_id
        return shown(user, kk_number=nominee.kk_number, village_code=village).kk_number


@router.get("/cycles", response=list[CycleOut], operation_id="targeting_cycles_list")
@paginate(KeysetPagination)
def cycles_list(request: AuthedRequest, status: str = "", year: int | None = None) -> QuerySet[Cycle]:
    """The programme cycles you follow, by `status` (draft, open, decided) and `year`."""
    require(request, "targeting.view_cycle")
    cycles = selectors.cycles_for_list(user=request.user)
    if status:
        cycles = cycles.filter(status=status)
    if year is not None:
        cycles = cycles.filter(year=year)
    return cycles


@router.get(
    "/cycles/{pk}", response={200: CycleOut, 403: ErrorOut, 404: ErrorOut}, operation_id="targeting_cycles_detail"
)
def cycles_detail(request: AuthedRequest, pk: int) -> Cycle:
    """One cycle you follow."""
    require(request, "targeting.view_cycle")
    return get_visible(Cycle.objects.visible_to(request.user), pk)


@router.get("/lists", response=list[NominationListOut], operation_id="targeting_lists_list")
@paginate(KeysetPagination)
def lists_list(
    request: AuthedRequest, cycle: int | None = None, status: str = "", region: str = ""
) -> QuerySet[NominationList]:
    """Village lists of your scope: of a `cycle`, in a `status` (draft, submitted, endorsed), in a `region`."""
    require(request, "targeting.view_nominationlist")
    lists = NominationList.objects.visible_to(request.user)
    if cycle is not None:
        lists = lists.filter(cycle_id=cycle)
    if status:
        lists = lists.filter(status=status)
    if region:
        lists = lists.filter(region_q("village__code", region))
    return lists


@router.get(
    "/lists/{pk}",
    response={200: NominationListOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="targeting_lists_detail",
)
def lists_detail(request: AuthedRequest, pk: int) -> NominationList:
    """One village list of your scope."""
    require(request, "targeting.view_nominationlist")
    return get_visible(NominationList.objects.visible_to(request.user), pk)


@router.get("/nominees", response=list[NomineeOut], operation_id="targeting_nominees_list")
@paginate(KeysetPagination)
def nominees_list(
    request: AuthedRequest,
    cycle: int | None = None,
    nomination_list: int | None = None,
    status: str = "",
    region: str = "",
) -> QuerySet[Nominee]:
    """Nominees of your scope: of a `cycle` or a `nomination_list`, in a `status` (draft … approved, rejected), in a
    `region`. NIK and KK number masked unless your role may reveal NIKs."""
    require(request, "targeting.view_nominee")
    nominees = Nominee.objects.visible_to(request.user).select_related("nomination_list")
    if cycle is not None:
        nominees = nominees.filter(cycle_id=cycle)
    if nomination_list is not None:
        nominees = nominees.filter(nomination_list_id=nomination_list)
    if status:
        nominees = nominees.filter(status=status)
    if region:
        nominees = nominees.filter(region_q("nomination_list__village__code", region))
    return nominees


@router.get(
    "/nominees/{pk}",
    response={200: NomineeOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="targeting_nominees_detail",
)
def nominees_detail(request: AuthedRequest, pk: int) -> Nominee:
    """One nominee of your scope."""
    require(request, "targeting.view_nominee")
    return get_visible(Nominee.objects.visible_to(request.user).select_related("nomination_list"), pk)


# --- Bulk exchange: the BNBA of a decree as JSON or CSV (docs/api.md "Bulk exchange") ----------------------------


class BnbaRowOut(Schema):
    number: int
    nik: str
    name: str
    kk_number: str
    address: str
    village: str
    kecamatan: str
    aid: int  # Rupiah, the cycle's aid per member


class BnbaOut(Schema):
    cycle: int
    cycle_name: str
    sk_number: str
    sk_date: dt.date | None
    rows: list[BnbaRowOut]


BNBA_HEADER = [label for label, _width in documents.BNBA_COLUMNS]


@router.get(
    "/cycles/{pk}/bnba",
    response={200: BnbaOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="targeting_cycles_bnba",
    openapi_extra=CSV_ALSO,
    summary="The BNBA of a cycle's decree",
)
def cycles_bnba(request: AuthedRequest, pk: int, fmt: FormatParam = None) -> BnbaOut | HttpResponseBase:
    """The by-name-by-address list of the cycle's approved nominees, as the BNBA spreadsheet lists them (the same
    rows): NIK and KK number in full only for a role that may issue the decree (that copy is logged in the access
    log with its row count), masked for every other."""
    require(request, "targeting.view_cycle")
    cycle = get_visible(Cycle.objects.visible_to(request.user), pk)
    rows = documents.bnba_rows(list(selectors.approved_nominees(cycle=cycle, user=request.user)), user=request.user)
    documents.log_full_copy(cycle=cycle, rows=rows, kind=Disclosure.Kind.BNBA_API, request=request)
    if wants_csv(request, fmt):
        aid = cycle.aid_per_member
        lines = ([r.number, r.nik, r.name, r.kk_number, r.address, r.village, r.kecamatan, aid] for r in rows)
        return csv_response(f"bnba-{cycle.pk}.csv", BNBA_HEADER, lines)
    return BnbaOut(
        cycle=cycle.pk,
        cycle_name=cycle.name,
        sk_number=cycle.sk_number,
        sk_date=cycle.sk_date,
        rows=[
            BnbaRowOut(
                number=row.number,
                nik=row.nik,
                name=row.name,
                kk_number=row.kk_number,
                address=row.address,
                village=row.village,
                kecamatan=row.kecamatan,
                aid=cycle.aid_per_member,
            )
            for row in rows
        ],
    )


# --- State actions: what a village list's or a nominee's page offers the caller (selectors.actions_for) ----------
# Each asks the page's permission (403), finds the record in the caller's scope (404), refuses a step the page would
# not offer now (403 `not_allowed`), checks the page's form (422), requires `"confirm": true` where the page asks a
# confirmation (400 `confirm_required`) and runs the page's service (a refusal of it: 400 with the page's message).

_ListService = Callable[..., NominationList]
_NomineeService = Callable[..., Any]

# action: (permission, form, service, confirmed, summary)
_LIST_ACTIONS: dict[str, tuple[str, type[forms.Form] | None, _ListService, bool, str]] = {
    "submit": (
        "targeting.nominate",
        None,
        services.submit_list,
        True,
        "The village submits its list to the kecamatan (minutes attached, every hard flag justified)",
    ),
    "endorse": (
        "targeting.endorse",
        EndorseForm,
        services.endorse_list,
        True,
        "The kecamatan endorses a submitted list (an optional note as `reason`): it goes to the Dinas for verval",
    ),
    "return_to_village": (
        "targeting.endorse",
        ReasonForm,
        services.return_to_village,
        False,
        "The kecamatan returns a submitted list to its village, saying why (`reason`)",
    ),
    "return_to_kecamatan": (
        "targeting.decide",
        ReasonForm,
        services.return_to_kecamatan,
        False,
        "The Dinas returns an endorsed list to its kecamatan, saying why (`reason`)",
    ),
}


def _list(request: AuthedRequest, permission: str, pk: int) -> NominationList:
    require(request, permission)
    return get_visible(NominationList.objects.visible_to(request.user).select_related("cycle", "village"), pk)


def _list_action(
    action: str, permission: str, form_class: type[forms.Form] | None, service: _ListService, confirm: bool, what: str
) -> None:
    path = action.replace("_", "-")

    @router.post(
        f"/lists/{{pk}}/{path}",
        response={200: NominationListOut, **WRITE_ERRORS},
        operation_id=f"targeting_lists_{action}",
        url_name=f"targeting_lists_{action}",
        summary=what,
        description=f"{what}: the list page's action, refused (403) when the page would not offer it to you."
        + (' The page confirms it first: send `"confirm": true`.' if confirm else ""),
        openapi_extra=action_body(*((form_class,) if form_class else ()), confirm=confirm),
    )
    def run(request: AuthedRequest, pk: int) -> NominationList:
        nomination_list = _list(request, permission, pk)
        allowed = selectors.actions_for(request.user, nomination_list)
        form = form_class(posted(request)) if form_class else None
        return state_action(
            request, action, allowed, service, form=form, confirm=confirm, nomination_list=nomination_list
        )


for _action, (_permission, _form, _service, _confirm, _what) in _LIST_ACTIONS.items():
    _list_action(_action, _permission, _form, _service, _confirm, _what)


def _nominee(request: AuthedRequest, permission: str, pk: int) -> Nominee:
    require(request, permission)
    return get_visible(Nominee.objects.visible_to(request.user).select_related("nomination_list__village", "cycle"), pk)


_CHECKLIST_FIELDS = {
    f"check_{key}": forms.BooleanField(label=label, required=False) for key, label in Verval.CHECKLIST.items()
}


@router.post(
    "/nominees/{pk}/verify",
    response={200: NomineeOut, **WRITE_ERRORS},
    operation_id="targeting_nominees_verify",
    url_name="targeting_nominees_verify",
    summary="Record the Dinas's verval visit to an endorsed nominee",
    description="The verval form of the nominee's page: the visit day, the checklist (`check_…`, true when seen),"
    " place and notes; as JSON, or as a form (multipart) with its `photo`.",
    openapi_extra=action_body(VervalForm, fields=_CHECKLIST_FIELDS),
)
def nominee_verify(request: AuthedRequest, pk: int) -> Nominee:
    nominee = _nominee(request, "targeting.verify", pk)
    allowed = selectors.actions_for(request.user, nominee)
    form = VervalForm(posted(request), request.FILES)
    state_action(request, "verify", allowed, services.verify_nominee, form=form, nominee=nominee)
    return _nominee(request, "targeting.verify", pk)


_DECISIONS: dict[str, tuple[_NomineeService, str]] = {
    "approve": (services.approve_nominee, "Approve a verified nominee, within the kecamatan's quota"),
    "reject": (services.reject_nominee, "Reject a verified nominee, saying why (`reason`)"),
}


def _decision(decision: str, service: _NomineeService, what: str) -> None:
    @router.post(
        f"/nominees/{{pk}}/{decision}",
        response={200: NomineeOut, **WRITE_ERRORS},
        operation_id=f"targeting_nominees_{decision}",
        url_name=f"targeting_nominees_{decision}",
        summary=what,
        description=f"{what}: the Dinas's decision on the nominee's page, which confirms it first (it cannot be"
        ' undone): send `"confirm": true`.',
        openapi_extra=action_body(ReasonForm, confirm=True),
    )
    def run(request: AuthedRequest, pk: int) -> Nominee:
        nominee = _nominee(request, "targeting.decide", pk)
        allowed = selectors.actions_for(request.user, nominee)
        form = ReasonForm(posted(request))
        decided: Nominee = state_action(request, decision, allowed, service, form=form, confirm=True, nominee=nominee)
        return decided


for _decided, (_deciding, _what) in _DECISIONS.items():
    _decision(_decided, _deciding, _what)


# Cycle actions: what the cycle's page offers the Dinas and the kecamatan (selectors.actions_for on the cycle) -----


def _cycle(request: AuthedRequest, permission: str, pk: int) -> Cycle:
    require(request, permission)
    return get_visible(Cycle.objects.visible_to(request.user), pk)


def _quota_form(request: AuthedRequest, cycle: Cycle) -> forms.Form:
    return QuotaForm(posted(request), kecamatan=Region.objects.visible_to(request.user).kecamatan())


def _relay_form(request: AuthedRequest, cycle: Cycle) -> forms.Form:
    return RelayForm(posted(request), kecamatan=selectors.relay_kecamatan(cycle=cycle, user=request.user))


_CycleForm = Callable[[AuthedRequest, Cycle], forms.Form]

# action: (permission, form class for the schema, form maker, service, confirmed, summary)
_CYCLE_ACTIONS: dict[str, tuple[str, type[forms.Form] | None, _CycleForm | None, Callable[..., Any], bool, str]] = {
    "set_quota": (
        "targeting.change_cycle",
        QuotaForm,
        _quota_form,
        services.set_quota,
        False,
        "The Dinas sets how many households a kecamatan (`kecamatan`, its code) may propose, before opening",
    ),
    "open": (
        "targeting.open_cycle",
        None,
        None,
        services.open_cycle,
        True,
        "The Dinas opens nominations: the rules and quotas freeze and each kecamatan with a quota gets the call",
    ),
    "relay": (
        "targeting.relay_call",
        RelayForm,
        _relay_form,
        services.relay_call,
        False,
        "The kecamatan (or the Dinas) relays the call to the villages of a kecamatan (`kecamatan`), with a `note`",
    ),
    "approve_clean": (
        "targeting.decide",
        None,
        None,
        services.approve_verified_clean,
        True,
        "The Dinas approves every verified nominee without flags and with a full checklist, within the quotas",
    ),
    "issue_decree": (
        "targeting.decide",
        None,
        None,
        services.issue_decree,
        True,
        "The Dinas issues the decree (SK): the approved list is numbered, dated and fixed; the cycle is decided",
    ),
}


def _cycle_action(
    action: str,
    permission: str,
    form_class: type[forms.Form] | None,
    make_form: _CycleForm | None,
    service: Callable[..., Any],
    confirm: bool,
    what: str,
) -> None:
    @router.post(
        f"/cycles/{{pk}}/{action.replace('_', '-')}",
        response={200: CycleOut, **WRITE_ERRORS},
        operation_id=f"targeting_cycles_{action}",
        url_name=f"targeting_cycles_{action}",
        summary=what,
        description=f"{what}: the cycle page's action, refused (403) when the page would not offer it to you."
        + (' The page confirms it first: send `"confirm": true`.' if confirm else ""),
        openapi_extra=action_body(*((form_class,) if form_class else ()), confirm=confirm),
    )
    def run(request: AuthedRequest, pk: int) -> Cycle:
        cycle = _cycle(request, permission, pk)
        allowed = selectors.actions_for(request.user, cycle)
        form = make_form(request, cycle) if make_form else None
        state_action(request, action, allowed, service, form=form, confirm=confirm, cycle=cycle)
        return _cycle(request, permission, pk)


for _action, (_permission, _form, _make, _service, _confirm, _what) in _CYCLE_ACTIONS.items():
    _cycle_action(_action, _permission, _form, _make, _service, _confirm, _what)


@router.post(
    "/cycles/{pk}/start-list",
    response={201: NominationListOut, **WRITE_ERRORS},
    operation_id="targeting_cycles_start_list",
    url_name="targeting_cycles_start_list",
    summary="The village starts its nomination list for the cycle (or finds the one it started)",
    description="The cycle page's \"start the list\" for the caller's village, once the kecamatan has relayed the"
    " call: answers the village's list (the same one however often it is called). Refused (403) when the page would"
    " not offer it (another role, or nominations closed); a call not yet relayed is refused (400) with the page's"
    " message.",
    openapi_extra=action_body(),
)
def cycles_start_list(request: AuthedRequest, pk: int) -> Status[NominationList]:
    cycle = _cycle(request, "targeting.nominate", pk)
    allowed = selectors.actions_for(request.user, cycle)
    nomination_list = state_action(
        request, "start_list", allowed, services.start_list, cycle=cycle, village=request.user.region
    )
    return Status(201, _list(request, "targeting.nominate", nomination_list.pk))


# The village's own nominee actions, while its list can still change ---------------------------------------------


@router.post(
    "/nominees/{pk}/justify",
    response={200: NomineeOut, **WRITE_ERRORS},
    operation_id="targeting_nominees_justify",
    url_name="targeting_nominees_justify",
    summary="The village justifies keeping a nominee with hard flags (`reason`, at least 10 characters)",
    description="The justification of the nominee's page: kept in the audit trail, it lets the list be submitted"
    " with that nominee's hard flags. Refused (403) once the list can no longer change.",
    openapi_extra=action_body(JustifyForm),
)
def nominee_justify(request: AuthedRequest, pk: int) -> Nominee:
    nominee = _nominee(request, "targeting.nominate", pk)
    allowed = selectors.actions_for(request.user, nominee)
    form = JustifyForm(posted(request))
    state_action(request, "justify", allowed, services.override_flags, form=form, nominee=nominee)
    return _nominee(request, "targeting.nominate", pk)


@router.post(
    "/nominees/{pk}/remove",
    response={200: NominationListOut, **WRITE_ERRORS},
    operation_id="targeting_nominees_remove",
    url_name="targeting_nominees_remove",
    summary="The village takes a nominee off its draft list",
    description='The removal of the list page, which confirms it first: send `"confirm": true`. Answers the'
    " village list. Refused (403) once the list can no longer change.",
    openapi_extra=action_body(confirm=True),
)
def nominee_remove(request: AuthedRequest, pk: int) -> NominationList:
    nominee = _nominee(request, "targeting.nominate", pk)
    allowed = selectors.actions_for(request.user, nominee)
    state_action(request, "remove", allowed, services.remove_nominee, confirm=True, nominee=nominee)
    return nominee.nomination_list


# Nominating: the village adds a nominee to its draft list (the list page's two forms) ---------------------------


def _nominated(request: AuthedRequest, nominee: Nominee) -> Status[Nominee]:
    return Status(201, _nominee(request, "targeting.nominate", nominee.pk))


@router.post(
    "/lists/{pk}/nominees",
    response={201: NomineeOut, **WRITE_ERRORS},
    operation_id="targeting_lists_nominate",
    url_name="targeting_lists_nominate",
    summary="The village nominates a registered person of the village (`person`, its id) to its draft list",
    description="The list page's pick form: a person of the village's registry, the `reason` and the village's own"
    " words (`reason_note`). Refused (403) once the list can no longer change; a person already nominated in the"
    " cycle, or a household already on a list, is refused (400) with the page's message.",
    openapi_extra=action_body(PickPersonForm),
)
def lists_nominate(request: AuthedRequest, pk: int) -> Status[Nominee]:
    nomination_list = _list(request, "targeting.nominate", pk)
    allowed = selectors.actions_for(request.user, nomination_list)
    persons = selectors.village_persons(nomination_list=nomination_list, user=request.user)
    form = PickPersonForm(posted(request), persons=persons)
    nominee = state_action(
        request, "edit", allowed, services.nominate_person, form=form, nomination_list=nomination_list
    )
    return _nominated(request, nominee)


@router.post(
    "/lists/{pk}/nominees/new",
    response={201: NomineeOut, **WRITE_ERRORS},
    operation_id="targeting_lists_nominate_new",
    url_name="targeting_lists_nominate_new",
    summary="The village nominates a household not yet in the registry to its draft list",
    description="The list page's new-person form: `nik`, `name`, `kk_number`, optionally `birth_date`, `sex`,"
    " `address`, and the `reason` with the village's words (`reason_note`). Refused (403) once the list can no longer"
    " change; the page's checks of the NIK and of duplicates refuse (400) with its message.",
    openapi_extra=action_body(NewNomineeForm),
)
def lists_nominate_new(request: AuthedRequest, pk: int) -> Status[Nominee]:
    nomination_list = _list(request, "targeting.nominate", pk)
    allowed = selectors.actions_for(request.user, nomination_list)
    form = NewNomineeForm(posted(request))
    nominee = state_action(request, "edit", allowed, services.nominate_new, form=form, nomination_list=nomination_list)
    return _nominated(request, nominee)
