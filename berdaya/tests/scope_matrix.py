"""The generated scope matrix: which record fills each named URL, and the check run over every role and place.

Every named URL of the URLconf must have a declaration in `MATRIX`: the world's record kind behind each URL
argument (a page with arguments), or none (a list, dashboard, form or site page). `check_page` asks the page as
each role, for the record of each place (GET, or an empty POST where the view takes only POST), and returns what
went wrong: a record outside the role's scope that answers anything but 404 (403 only where the role may not use
the page at all), a record inside it that answers 404, any 500, a page that shows the marker of a record the role
must not see (lists, exports, form choices and detail pages alike; PDFs and workbooks are read as text), or a
list (or a page declared with `shows=`) that shows no one its in-scope record. `undeclared_names` lists the URL names without a declaration, so that a new page fails the suite until
it is added here."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from berdaya.business.models import MarketParticipation
from berdaya.groups.models import Kube, Membership
from berdaya.training.models import Participant

from .scope_world import ADMIN, FACILITATOR, FAR, IN, MONITOR, NEAR, NO_REGION, OFFICER, PLACES, ROLES, SIBLING, World

# Roles with the admin's region: asked for every record they must not see and for the `in` one, but where a record
# elsewhere is theirs to see, the admin's answer stands for theirs.
DINAS_ALIKE = frozenset({OFFICER, MONITOR})


@dataclass(frozen=True)
class Page:
    """How to fill a URL's arguments: argument name -> (record kind, attribute of the record)."""

    args: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Fields a POST-only view needs to reach its record, filled from the same place as the first argument.
    post: dict[str, tuple[str, str]] = field(default_factory=dict)
    # For a list: the record kind it lists, whose in-scope record some role must be shown.
    shows: str = ""
    # Query strings under which a list answers in another form (an export: "format=xlsx"), each checked alike.
    formats: tuple[str, ...] = ()
    # For an API write: the JSON body it sends (a confirmation the operation asks for before it acts).
    body: dict[str, object] = field(default_factory=dict)


def _parse(specs: dict[str, str]) -> dict[str, tuple[str, str]]:
    parsed = {}
    for name, spec in specs.items():
        kind, _, attribute = spec.partition(".")
        parsed[name] = (kind, attribute or "pk")
    return parsed


def page(
    *, post: dict[str, str] | None = None, shows: str = "", body: dict[str, object] | None = None, **args: str
) -> Page:
    """`page(pk="kube", entry_pk="cash_entry")`; "region.code" takes the attribute `code` instead of `pk`.

    `shows` names the kind of record the page (or document) lists inside its own: its in-scope record must be
    shown to some role that opens the in-scope page, or the search for what must not be shown proves nothing.
    """
    return Page(_parse(args), _parse(post or {}), shows, body=body or {})


LIST = page()  # no arguments: checked for what it shows


def listing(kind: str, *formats: str) -> Page:
    """A list or export of `kind`: it shows the in-scope record to some role and never one out of scope.

    `formats` are query strings that turn the list into a file ("format=csv"): each is checked like the page.
    """
    return Page(shows=kind, formats=formats)


MATRIX: dict[str, Page] = {
    # Site pages.
    "dashboard": LIST,
    "tasks": LIST,
    "background-tasks": LIST,
    "login": LIST,
    "logout": LIST,
    "password_change": LIST,
    "password_change_done": LIST,
    "service-worker": LIST,
    "offline": LIST,
    "set_language": LIST,
    # Accounts.
    "accounts:user-list": listing("user"),
    "accounts:user-export": listing("user"),
    "accounts:user-create": LIST,
    "accounts:user-detail": page(pk="user"),
    "accounts:user-edit": page(pk="user"),
    "accounts:user-password": page(pk="user"),
    "accounts:user-unlock": page(pk="user"),
    "accounts:user-tokens": page(pk="service_account"),
    "accounts:token-list": LIST,
    "accounts:token-revoke": page(pk="token"),
    # Regions.
    "regions:region-list": LIST,
    "regions:region-export": listing("region"),
    "regions:region-detail": page(code="region.code"),
    # Registry.
    "registry:person-list": listing("person"),
    "registry:person-export": listing("person"),
    "registry:person-detail": page(pk="person"),
    "registry:person-edit": page(pk="person"),
    "registry:person-reveal-nik": page(pk="person"),
    "privacy:person-data-export": page(pk="person"),
    "registry:household-list": listing("household"),
    "registry:household-export": listing("household"),
    "registry:household-detail": page(pk="household"),
    "registry:household-edit": page(pk="household"),
    "registry:disclosure-list": listing("disclosure"),
    "registry:disclosure-export": listing("disclosure"),
    "registry:import-list": listing("import_job"),
    "registry:import-detail": page(pk="import_job"),
    "registry:import-progress": page(pk="import_job"),
    "registry:import-map": page(pk="import_job"),
    "registry:import-commit": page(pk="import_job"),
    "registry:import-report": page(pk="import_job"),
    # Screening.
    "screening:candidate-list": LIST,
    "screening:run-status": LIST,
    "screening:run-start": LIST,
    "screening:candidate-detail": page(pk="candidate"),
    "screening:candidate-review": page(pk="candidate"),
    "screening:candidate-merge": page(pk="candidate", post={"keep": "person"}),
    "screening:merged-person": page(old_id="merged.old_id"),
    # Targeting.
    "targeting:cycle-list": listing("cycle"),
    "targeting:cycle-create": LIST,
    "targeting:cycle-detail": page(pk="cycle"),
    "targeting:cycle-edit": page(pk="cycle"),
    "targeting:cycle-quota": page(pk="cycle"),
    "targeting:cycle-open": page(pk="cycle"),
    "targeting:cycle-relay": page(pk="cycle"),
    "targeting:list-start": page(pk="cycle"),
    "targeting:cycle-approve-clean": page(pk="cycle"),
    "targeting:cycle-decree": page(pk="cycle"),
    "targeting:cycle-sk": page(pk="cycle", shows="member"),
    "targeting:cycle-bnba": page(pk="cycle", shows="member"),
    "targeting:minutes-template": page(pk="cycle"),
    "targeting:list-detail": page(pk="nomination_list", shows="nominee"),
    "targeting:list-person-search": page(pk="nomination_list"),
    "targeting:list-pick": page(pk="nomination_list"),
    "targeting:list-add-new": page(pk="nomination_list"),
    "targeting:list-minutes": page(pk="nomination_list"),
    "targeting:list-minutes-download": page(pk="nomination_list"),
    "targeting:list-submit": page(pk="nomination_list"),
    "targeting:list-endorse": page(pk="nomination_list"),
    "targeting:list-return": page(pk="nomination_list"),
    "targeting:list-return-kecamatan": page(pk="nomination_list"),
    "targeting:nominee-detail": page(pk="nominee"),
    "targeting:nominee-remove": page(pk="nominee"),
    "targeting:nominee-override": page(pk="nominee"),
    "targeting:nominee-verify": page(pk="nominee"),
    "targeting:nominee-approve": page(pk="nominee"),
    "targeting:verval-photo": page(pk="verval"),
    "targeting:nominee-reject": page(pk="nominee"),
    "inbox:inbox": listing("notification"),
    "inbox:read": page(pk="notification"),
    "inbox:sent": LIST,
    "targeting:letterhead": LIST,
    # Groups.
    "groups:kube-list": listing("kube"),
    "groups:kube-create": LIST,
    "groups:kube-detail": page(pk="kube", shows="member"),
    "groups:kube-edit": page(pk="kube"),
    "groups:kube-rules": page(pk="kube"),
    "groups:kube-officers": page(pk="kube"),
    "groups:member-add": page(pk="kube"),
    "groups:kube-status": page(pk="kube"),
    "groups:kube-assign": page(pk="kube"),
    "groups:kube-signboard": page(pk="kube"),
    "groups:kube-minutes-pdf": page(pk="kube", shows="member"),
    "groups:kube-members-pdf": page(pk="kube", shows="member"),
    "groups:membership-detail": page(pk="membership"),
    "groups:member-leave": page(pk="membership"),
    "groups:member-replace": page(pk="membership"),
    # Mentoring.
    "mentoring:caseload": listing("kube"),
    "mentoring:kube-timeline": page(pk="kube", shows="visit"),
    "mentoring:visit-create": page(pk="kube"),
    "mentoring:meeting-create": page(pk="kube"),
    "mentoring:problem-create": page(pk="kube"),
    "mentoring:environment-create": page(pk="kube"),
    "mentoring:environment-list": page(pk="kube"),
    "mentoring:environment-detail": page(pk="environment"),
    "mentoring:visit-detail": page(pk="visit"),
    "mentoring:follow-up-done": page(pk="follow_up"),
    "mentoring:photo": page(pk="photo"),
    "mentoring:meeting-detail": page(pk="meeting"),
    "mentoring:problem-list": listing("kube"),
    "mentoring:problem-detail": page(pk="problem"),
    "mentoring:problem-update": page(pk="problem"),
    "mentoring:problem-resolve": page(pk="problem"),
    "mentoring:problem-escalate": page(pk="problem"),
    "mentoring:report-list": LIST,
    "mentoring:report-draft": LIST,
    "mentoring:report-detail": page(pk="report"),
    "mentoring:report-refresh": page(pk="report"),
    "mentoring:report-acknowledge": page(pk="report"),
    "mentoring:report-return": page(pk="report"),
    "mentoring:report-pdf": page(pk="report", shows="report"),
    "mentoring:facilitator-list": listing("facilitator"),
    "mentoring:facilitator-detail": page(pk="facilitator", shows="kube"),
    # Training.
    "training:training-list": listing("training"),
    "training:training-create": LIST,
    "training:training-detail": page(pk="training", shows="member"),
    "training:training-invite": page(pk="training"),
    "training:training-attendance": page(pk="training"),
    "training:member-history": page(pk="membership", shows="training"),
    # Business.
    "business:kube-list": listing("kube"),
    "business:event-list": listing("event"),
    "business:kube-home": page(pk="kube"),
    "business:plan": page(pk="kube"),
    "business:plan-line-add": page(pk="kube"),
    "business:plan-line-remove": page(pk="kube", line_pk="budget_line"),
    "business:plan-submit": page(pk="kube"),
    "business:plan-approve": page(pk="kube"),
    "business:plan-return": page(pk="kube"),
    "business:aid": page(pk="kube"),
    "business:aidstage-add": page(pk="kube"),
    "business:aidstage-met": page(pk="kube", stage_pk="aid_stage"),
    "business:aidstage-pay": page(pk="kube", stage_pk="aid_stage"),
    "business:aidstage-proof": page(pk="kube", stage_pk="aid_stage"),
    "business:asset-add": page(pk="kube"),
    "business:asset-check": page(pk="kube", asset_pk="asset"),
    "business:cash-book": page(pk="kube", shows="cash_entry"),
    "business:cashentry-add": page(pk="kube"),
    "business:cashmonth-close": page(pk="kube"),
    "business:cashentry-reverse": page(pk="kube", entry_pk="cash_entry"),
    "business:cashentry-receipt": page(pk="kube", entry_pk="cash_entry"),
    "business:cash-export": page(pk="kube", shows="cash_entry"),
    "business:cash-import": page(pk="kube"),
    "business:cashimport-detail": page(pk="kube", import_pk="cash_import"),
    "business:cashimport-progress": page(pk="kube", import_pk="cash_import"),
    "business:cashimport-commit": page(pk="kube", import_pk="cash_import"),
    "business:iks": page(pk="kube"),
    "business:allocation-add": page(pk="kube"),
    "business:iks-use": page(pk="kube"),
    "business:iks-contribute": page(pk="kube"),
    "business:fund": page(pk="kube"),
    "business:loan-add": page(pk="kube"),
    "business:loan-repay": page(pk="kube", loan_pk="loan"),
    "business:access": page(pk="kube", shows="event"),
    "business:credit-add": page(pk="kube"),
    "business:credit-decide": page(pk="kube", credit_pk="credit"),
    "business:partnership-add": page(pk="kube"),
    "business:participation-add": page(pk="kube"),
    "business:dashboard": page(pk="kube"),
    # Monitoring: the group's Perkembangan tab and the roll-ups.
    "monitoring:overview": LIST,
    "monitoring:kube-progress": page(pk="kube"),
    "monitoring:kube-level": page(pk="kube"),
    "monitoring:kube-level-end": page(pk="kube"),
    # Monitoring: monev visits and settings.
    "monitoring:monev-due": listing("kube"),
    "monitoring:monev-list": page(pk="kube", shows="monev"),
    "monitoring:monev-create": page(pk="kube"),
    "monitoring:monev-detail": page(pk="monev"),
    "monitoring:monev-photo": page(pk="monev_photo"),
    "monitoring:settings": LIST,
    "monitoring:questions": LIST,
    "monitoring:practices": LIST,
    # Monitoring: early warnings.
    "monitoring:warning-list": listing("warning"),
    "monitoring:warning-detail": page(pk="warning"),
    "monitoring:warning-handle": page(pk="warning"),
    # Reports: the dashboard of a region inside the scope (404 outside it).
    "reports:dashboard-region": page(code="region.code"),
    # Reports: awards (a regency's rounds; the Dinas alone sees them).
    "reports:award-list": listing("award_round"),
    "reports:award-create": LIST,
    "reports:award-detail": page(pk="award_round", shows="award_entry"),
    "reports:award-shortlist": page(pk="award_round"),
    "reports:award-close": page(pk="award_round"),
    "reports:award-decide": page(pk="award_round"),
    "reports:award-pdf": page(pk="award_round", shows="award_entry"),
    "reports:award-xlsx": page(pk="award_round", shows="award_entry"),
    "reports:award-entry": page(pk="award_entry"),
    # Reports: facilitator supervision (the list names the facilitators in scope; a facilitator's page is 404 to
    # whoever may not supervise it, 403 to a village operator).
    "reports:supervision": listing("facilitator", "format=csv", "format=xlsx"),
    "reports:supervision-facilitator": page(pk="supervisee", shows="kube"),
    # Reports: the offline map (group points carry the group's name: the map of one's own region lists them).
    "reports:map": listing("kube"),
    "reports:map-region": page(code="region.code"),
    # Reports upward: the form and one's own requests; a request's page, progress and file (its requester and the
    # Admin Dinas of its region; 403 to a village operator and a facilitator, who do not report upward).
    "reports:upward": LIST,
    "reports:upward-detail": page(pk="report_request"),
    "reports:upward-progress": page(pk="report_request"),
    "reports:upward-download": page(pk="report_request", shows="kube"),
}


def _names(patterns: list[URLPattern | URLResolver], namespace: str | None) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


# The REST API's URLs are checked per operation by API_MATRIX (below), not as pages.
API_NAMESPACE = "api:"


def url_names() -> list[str]:
    """Every named URL of the current URLconf (`app:name`), each once; the API's operations are in API_MATRIX."""
    return sorted(name for name in set(_names(get_resolver().url_patterns, None)) if not name.startswith(API_NAMESPACE))


def undeclared_names(matrix: dict[str, Page] = MATRIX) -> list[str]:
    """Named URLs the matrix does not declare: pages that would go without a scope test."""
    return [name for name in url_names() if name not in matrix]


@dataclass
class Answer:
    status: int
    body: str
    # What `probe` found in the database after the request, before its writes were rolled back.
    probed: bool = False


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def readable(raw: bytes, content_type: str) -> str:
    """The text a person reading the answer would see: a PDF's text, every cell of a workbook, or the page itself.

    A PDF and an XLSX are compressed: searched as bytes they would hide any name they show. A stored file that only
    pretends to be one (the world's uploads are a few bytes) is searched as it is.
    """
    try:
        if content_type.startswith("application/pdf") and raw.startswith(b"%PDF") and len(raw) > 64:
            return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
        if content_type.startswith(XLSX) and len(raw) > 64:
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            return "\n".join(
                "\t".join("" if value is None else str(value) for value in row)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
    except Exception as error:  # an unreadable document is reported with the page, never hidden
        return f"UNREADABLE {content_type}: {type(error).__name__}: {error}"
    return raw.decode("utf-8", errors="replace")


def ask(
    world: World,
    role: str,
    url: str,
    data: dict[str, object] | None = None,
    *,
    post: bool = False,
    probe: Callable[[], bool] | None = None,
) -> Answer:
    """The page as `role` would get it: a GET, or a POST (of `data`, else empty) where `post` is set.

    Whatever the view writes is rolled back, so every role asks the same world; an exception is a 500.
    """
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    world.restore_files()
    with transaction.atomic():
        try:
            response = client.post(url, data or {}) if post else client.get(url)
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            answer = Answer(response.status_code, readable(raw, response.get("Content-Type", "")))
            answer.probed = probe() if probe else False
        except Exception as error:  # any exception is a 500 the matrix reports, with its cause
            answer = Answer(500, f"{type(error).__name__}: {error}")
        transaction.set_rollback(True)
    return answer


def _filled(world: World, specs: dict[str, tuple[str, str]], places: dict[str, str]) -> dict[str, object]:
    return {name: getattr(world.records[kind][places[name]], attribute) for name, (kind, attribute) in specs.items()}


def _leaks(world: World, role: str, answer: Answer, url: str) -> list[str]:
    """The records `role` must not see that the page shows anyway (form choices and exports included)."""
    if answer.status >= 500:
        return []
    if answer.body.startswith("UNREADABLE "):
        return [f"{role} asking for {url}: {answer.body[:300]}"]
    shown = answer.body.lower()
    return [
        f"LEAK: {role} is shown the {place} {kind} ({text}) on {url}"
        for kind, place, text in world.hidden_markers(role)
        if text.lower() in shown
    ]


def check_page(world: World, name: str, spec: Page) -> list[str]:
    """Everything wrong with one named URL across the six roles (and an account without a region)."""
    if not spec.args:
        return _check_list(world, name, spec)
    problems: list[str] = []
    kinds = [kind for kind, _ in spec.args.values()]
    common = [place for place in PLACES if all(place in world.records.get(kind, {}) for kind in kinds)]
    reached = []
    shown_to: list[str] = []
    cases: list[tuple[str, dict[str, str], list[str]]] = []
    for place in common:
        roles = [*ROLES, NO_REGION] if place == IN else list(ROLES)
        cases.append((place, dict.fromkeys(spec.args, place), roles))
    # A record of another group under a group the role may see (/business/<ours>/cash/<theirs>/): always hidden.
    for inner in list(spec.args)[1:]:
        places = {**dict.fromkeys(spec.args, IN), inner: FAR}
        cases.append((f"{IN} with the {FAR} {spec.args[inner][0]}", places, list(ROLES)))
    post = _post_only(world, reverse(name, kwargs=_filled(world, spec.args, dict.fromkeys(spec.args, IN))))
    # Roles the page refuses (403) whatever the record: for them a 403 says nothing about scope.
    refused: set[str] = set()
    for label, places, roles in cases:
        url = reverse(name, kwargs=_filled(world, spec.args, places))
        first = places[next(iter(spec.args))]
        data = _filled(world, spec.post, dict.fromkeys(spec.post, first))
        for role in roles:
            seen = all(world.sees(role, kind, places[arg]) for arg, (kind, _) in spec.args.items())
            if seen and label != IN and role in DINAS_ALIKE:
                continue  # the admin stands for the Dinas roles of the same region outside `in` (they cost time)
            answer = ask(world, role, url, data, post=post)
            where = f"{role} asking for the {label} record ({url})"
            if label == IN and answer.status == 403:
                refused.add(role)
            if answer.status >= 500:
                problems.append(f"{where}: {answer.status} {answer.body[:300]}")
            elif not seen and answer.status not in (403, 404):
                leak = "LEAK: " if answer.status == 200 else ""
                problems.append(f"{leak}{where}: {answer.status}, not 403/404")
            elif not seen and answer.status == 403 and label != IN and role not in refused:
                # The role may use the page (its own record is no 403): a record outside its scope is a 404.
                problems.append(f"{where}: 403 where a record out of scope is a 404")
            elif seen and answer.status == 404:
                problems.append(f"{where}: 404 for a record in scope")
            elif seen and label == IN and answer.status != 403:
                reached.append(role)
                if spec.shows and world.markers[spec.shows][IN].lower() in answer.body.lower():
                    shown_to.append(role)
            problems += _leaks(world, role, answer, url)
    if IN in common and not reached:
        problems.append("no role reached the in-scope record: the matrix tests nothing here (check the world)")
    elif spec.shows and not shown_to:
        problems.append(f"no role was shown the in-scope {spec.shows} ({world.markers[spec.shows][IN]}) inside it")
    return problems


def _post_only(world: World, url: str) -> bool:
    """Whether the view takes only POST (a GET answers 405 before anything is looked up)."""
    return ask(world, NO_REGION, url).status == 405


def _check_list(world: World, name: str, spec: Page) -> list[str]:
    problems = []
    for query in ("", *spec.formats):
        url = f"{reverse(name)}?{query}" if query else reverse(name)
        problems += _check_list_url(world, url, spec)
    return problems


def _check_list_url(world: World, url: str, spec: Page) -> list[str]:
    problems = []
    post = _post_only(world, url)
    shown_to = []
    for role in [*ROLES, NO_REGION]:
        answer = ask(world, role, url, post=post)
        if answer.status >= 500:
            problems.append(f"{role} asking for {url}: {answer.status} {answer.body[:300]}")
        problems += _leaks(world, role, answer, url)
        if spec.shows and world.markers[spec.shows][IN].lower() in answer.body.lower():
            shown_to.append(role)
    if spec.shows and not shown_to:
        # Otherwise the search for what must not be shown proves nothing: the page may show no names at all.
        problems.append(f"no role was shown the in-scope {spec.shows} ({world.markers[spec.shows][IN]}) on {url}")
    return problems


@dataclass(frozen=True)
class Choice:
    """A form field that names another record: the form takes one in scope and refuses one outside it.

    The page's record is the `in` one; `field` names the `kind` record of `allowed` (which the form must take,
    or the check proves nothing) or of `far`. `taken(page_record, chosen)` says whether the form took it.
    """

    url: str
    record: str
    field: str
    kind: str
    allowed: str
    role: str
    taken: Callable[[Any, Any], bool]
    data: dict[str, object] = field(default_factory=dict)


CHOICES: list[Choice] = [
    Choice(
        "groups:kube-assign",
        "kube",
        "facilitator",
        "facilitator",
        NEAR,
        ADMIN,
        lambda kube, chosen: Kube.objects.filter(pk=kube.pk, facilitator=chosen).exists(),
    ),
    Choice(
        "groups:member-add",
        "kube",
        "nominee",
        "spare_nominee",
        IN,
        ADMIN,
        lambda kube, chosen: Membership.objects.filter(kube=kube, nominee=chosen).exists(),
    ),
    Choice(
        "groups:member-replace",
        "membership",
        "nominee",
        "spare_nominee",
        IN,
        ADMIN,
        lambda member, chosen: Membership.objects.filter(kube=member.kube, nominee=chosen).exists(),
        {"on": "2027-09-01", "reason": "Pindah"},
    ),
    Choice(
        "training:training-invite",
        "training",
        "kubes",
        "kube",
        SIBLING,
        ADMIN,
        lambda training, chosen: Participant.objects.filter(training=training, membership__kube=chosen).exists(),
    ),
    Choice(
        "business:participation-add",
        "kube",
        "event",
        "event",
        IN,
        FACILITATOR,
        lambda kube, chosen: MarketParticipation.objects.filter(kube=kube, event=chosen).exists(),
        {"sales": "150000"},
    ),
]


def check_choice(world: World, choice: Choice) -> list[str]:
    """Post the form once with a record in scope (taken) and once with one outside it (refused, never taken)."""
    record = world.records[choice.record][IN]
    url = reverse(choice.url, kwargs={"pk": record.pk})
    problems = []
    for place in (choice.allowed, FAR):
        chosen = world.records[choice.kind][place]
        answer = ask(
            world,
            choice.role,
            url,
            {**choice.data, choice.field: chosen.pk},
            post=True,
            probe=lambda chosen=chosen: choice.taken(record, chosen),
        )
        if answer.status >= 500:
            problems.append(f"{choice.role} posting the {place} {choice.kind} to {url}: {answer.body[:300]}")
        elif place == FAR and answer.probed:
            problems.append(f"LEAK: {choice.role} posting the {FAR} {choice.kind} to {url}: the form took it")
        elif place != FAR and not answer.probed:
            problems.append(
                f"{choice.role} posting the {place} {choice.kind} to {url} ({answer.status}): not taken, so the "
                "refusal of the far one proves nothing (check the world or the other fields)"
            )
    return problems


# --- The REST API: every operation of the OpenAPI schema x every role's token x a record inside and outside -------

# Operation id -> the record kind behind its path parameter (a detail, an action) or the kind it lists.
API_MATRIX: dict[str, Page] = {
    "regions_list": listing("region"),
    "regions_detail": page(code="region.code"),
    "registry_households_list": listing("household"),
    "registry_households_detail": page(pk="household"),
    "registry_persons_list": listing("person"),
    "registry_persons_detail": page(pk="person"),
    "registry_persons_reveal": page(pk="person"),
    "registry_imports_create": LIST,
    "registry_imports_detail": page(pk="import_job"),
    "registry_imports_commit": page(pk="import_job", body={"confirm": True}),
    "targeting_cycles_list": listing("cycle"),
    "targeting_cycles_detail": page(pk="cycle"),
    "targeting_lists_list": LIST,
    "targeting_lists_detail": page(pk="nomination_list"),
    "targeting_nominees_list": listing("nominee"),
    "targeting_nominees_detail": page(pk="nominee"),
    "targeting_lists_submit": page(pk="nomination_list"),
    "targeting_lists_endorse": page(pk="nomination_list"),
    "targeting_lists_return_to_village": page(pk="nomination_list"),
    "targeting_lists_return_to_kecamatan": page(pk="nomination_list"),
    "targeting_nominees_verify": page(pk="nominee"),
    "targeting_nominees_approve": page(pk="nominee"),
    "targeting_nominees_reject": page(pk="nominee"),
    "targeting_cycles_set_quota": page(pk="cycle"),
    "targeting_cycles_open": page(pk="cycle"),
    "targeting_cycles_start_list": page(pk="cycle"),
    "targeting_cycles_relay": page(pk="cycle"),
    "targeting_cycles_approve_clean": page(pk="cycle"),
    "targeting_cycles_issue_decree": page(pk="cycle"),
    "targeting_lists_nominate": page(pk="nomination_list"),
    "targeting_lists_nominate_new": page(pk="nomination_list"),
    "targeting_nominees_justify": page(pk="nominee"),
    "targeting_nominees_remove": page(pk="nominee"),
    "groups_kubes_list": listing("kube"),
    "groups_kubes_detail": page(pk="kube"),
    "groups_members_list": LIST,
    "groups_members_detail": page(pk="membership"),
    "mentoring_visits_list": listing("visit"),
    "mentoring_visits_create": page(kube="kube"),
    "mentoring_meetings_create": page(kube="kube"),
    "mentoring_problems_create": page(kube="kube"),
    "mentoring_environment_create": page(kube="kube"),
    "business_cash_entries_create": page(kube="kube"),
    "monitoring_monev_create": page(kube="kube"),
    "mentoring_visits_detail": page(pk="visit"),
    "mentoring_meetings_list": listing("meeting"),
    "mentoring_meetings_detail": page(pk="meeting"),
    "mentoring_problems_list": listing("problem"),
    "mentoring_problems_update": page(pk="problem"),
    "mentoring_problems_resolve": page(pk="problem"),
    "mentoring_problems_escalate": page(pk="problem"),
    "mentoring_reports_submit": page(pk="report"),
    "mentoring_reports_acknowledge": page(pk="report"),
    "mentoring_reports_return": page(pk="report"),
    "mentoring_problems_detail": page(pk="problem"),
    "mentoring_environment_list": listing("environment"),
    "mentoring_environment_detail": page(pk="environment"),
    "training_trainings_list": listing("training"),
    "training_trainings_detail": page(pk="training"),
    "business_plans_list": LIST,
    "business_plans_detail": page(pk="plan"),
    "business_plans_submit": page(pk="plan"),
    "business_plans_approve": page(pk="plan"),
    "business_plans_return": page(pk="plan"),
    "business_aid_stages_list": LIST,
    "business_aid_stages_detail": page(pk="aid_stage"),
    "business_aid_stages_condition_met": page(pk="aid_stage"),
    "business_aid_stages_pay": page(pk="aid_stage"),
    "business_assets_list": LIST,
    "business_assets_detail": page(pk="asset"),
    "business_cash_entries_list": LIST,
    "business_cash_entries_detail": page(pk="cash_entry"),
    "business_iks_entries_list": listing("iks_entry"),
    "business_iks_entries_detail": page(pk="iks_entry"),
    "business_allocations_list": LIST,
    "business_allocations_detail": page(pk="allocation"),
    "business_loans_list": LIST,
    "business_loans_detail": page(pk="loan"),
    "business_repayments_list": LIST,
    "business_repayments_detail": page(pk="repayment"),
    "monitoring_levels_list": LIST,
    "monitoring_levels_detail": page(pk="level"),
    "monitoring_monev_list": listing("monev"),
    "monitoring_monev_detail": page(pk="monev"),
    "monitoring_warnings_list": listing("warning"),
    "monitoring_warnings_detail": page(pk="warning"),
    # Bulk exchange: the BNBA of a decree and the reports upward of a region, as JSON (the matrix's ask) or CSV.
    "targeting_cycles_bnba": page(pk="cycle", shows="member"),
    "reports_recap": page(code="region.code"),
    "reports_spm": page(code="region.code"),
    "reports_groups": page(code="region.code", shows="kube"),
    "reports_programme": page(code="region.code"),
}


# A write posted empty reaches its record when the form or the service judges it (only then is the scope passed), or
# when the record's page would not offer the action in its state (a 403 "not_allowed", after the scope was passed).
REACHED_BY_WRITE = (200, 201, 400, 422)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str


def api_operations() -> list[Operation]:
    """Every operation of the API's OpenAPI schema: a new endpoint appears here without anyone listing it."""
    from berdaya.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted(
        (
            Operation(details["operationId"], method.upper(), path)
            for path, methods in schema["paths"].items()
            for method, details in methods.items()
        ),
        key=lambda operation: operation.operation_id,
    )


def undeclared_operations() -> list[str]:
    return [op.operation_id for op in api_operations() if op.operation_id not in API_MATRIX]


def ask_api(world: World, role: str, method: str, url: str, body: dict[str, object] | None = None) -> Answer:
    """The API as `role`'s token would get it (with a JSON `body`, if any); writes are rolled back, an exception is a
    500."""
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    with transaction.atomic():
        try:
            if body:
                response = client.generic(
                    method, url, json.dumps(body), content_type="application/json", headers=headers
                )
            else:
                response = client.generic(method, url, headers=headers)
            answer = Answer(response.status_code, response.content.decode("utf-8", errors="replace"))
        except Exception as error:  # any exception is a 500 the matrix reports, with its cause
            answer = Answer(500, f"{type(error).__name__}: {error}")
        transaction.set_rollback(True)
    return answer


def check_operation(world: World, operation: Operation, spec: Page) -> list[str]:
    """Everything wrong with one API operation across the six roles' tokens (and an account without a region)."""
    problems: list[str] = []
    if not spec.args:
        shown_to = []
        for role in [*ROLES, NO_REGION]:
            answer = ask_api(world, role, operation.method, operation.path)
            if answer.status >= 500:
                problems.append(f"{role} asking for {operation.path}: {answer.status} {answer.body[:300]}")
            problems += _leaks(world, role, answer, operation.path)
            if spec.shows and world.markers[spec.shows][IN].lower() in answer.body.lower():
                shown_to.append(role)
        if spec.shows and not shown_to:
            problems.append(f"no role was shown the in-scope {spec.shows} on {operation.path}")
        return problems
    (argument, (kind, attribute)), *_rest = spec.args.items()
    refused: set[str] = set()
    reached = []
    for place in world.places(kind):
        url = operation.path.replace(f"{{{argument}}}", str(getattr(world.records[kind][place], attribute)))
        for role in [*ROLES, NO_REGION] if place == IN else ROLES:
            seen = world.sees(role, kind, place)
            answer = ask_api(world, role, operation.method, url, spec.body)
            where = f"{role} {operation.method} the {place} {kind} ({url})"
            if place == IN and answer.status == 403:
                refused.add(role)
            if answer.status >= 500:
                problems.append(f"{where}: {answer.status} {answer.body[:300]}")
            elif not seen and answer.status not in (403, 404):
                problems.append(f"{'LEAK: ' if answer.status == 200 else ''}{where}: {answer.status}, not 404")
            elif not seen and answer.status == 403 and role not in refused:
                problems.append(f"{where}: 403 where a record out of scope is a 404")
            elif seen and answer.status == 404:
                problems.append(f"{where}: 404 for a record in scope")
            elif (
                seen
                and place == IN
                and (
                    (200 <= answer.status < 300)  # a read, a write stored (201) or queued for the worker (202)
                    or (operation.method != "GET" and answer.status in REACHED_BY_WRITE)  # judged by form or service
                    or (answer.status == 403 and '"not_allowed"' in answer.body)  # found, but not offered in its state
                )
            ):
                reached.append(role)
            problems += _leaks(world, role, answer, url)
    if not reached:
        problems.append("no role reached the in-scope record: the matrix tests nothing here (check the world)")
    return problems
