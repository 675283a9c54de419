"""A small world for the generated scope matrix: one record of every reachable model in four places.

The places are seen from the six roles' users, who all live in Kabupaten Paser (64.01):

- ``in``: Tanah Periuk (64.01.04.2004), facilitator A's group: every role of the matrix may see it.
- ``sibling``: Tapis (64.01.04.2005), the same kecamatan, facilitator B's group: the village operator of Tanah
  Periuk and facilitator A may not.
- ``near``: Kuaro Desa (64.01.05.2001), another kecamatan of the regency, facilitator B's group: only the Dinas
  (admin, officer, monitor) may see it.
- ``far``: a village of another regency (64.02.01.2001), facilitator C's group: no one of the matrix may.

`World.sees(role, kind, place)` says who may see what, from these rules and not from the code under test, so
that a queryset that shows too much is caught as well as a view that forgets its queryset. Every record that a
list could show carries a marker (``ZqKubeFarQ``), so that a list page can be searched for what it must not show.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import FileField, Model
from django.test import Client, override_settings
from PIL import Image

from berdaya.accounts.models import User
from berdaya.accounts.services import create_token
from berdaya.accounts.tests.factories import UserFactory
from berdaya.business.models import (
    BudgetLine,
    CashImport,
    CreditApplication,
    IksEntry,
    MarketEvent,
    MarketParticipation,
    ProfitAllocation,
    Repayment,
)
from berdaya.business.tests.factories import (
    AidStageFactory,
    AssetFactory,
    BusinessPlanFactory,
    CashEntryFactory,
    LoanFactory,
)
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import ApprovedNomineeFactory, KubeFactory, MembershipFactory
from berdaya.inbox.models import Notification
from berdaya.lib.stored_text import keep
from berdaya.mentoring.models import EnvironmentRecord, FollowUp, Meeting, MonthlyReport, VisitPhoto
from berdaya.mentoring.tests.factories import ProblemFactory, VisitFactory
from berdaya.monitoring.models import EarlyWarning, LevelSnapshot, MonevPhoto, MonevVisit
from berdaya.regions.models import Region
from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.models import Disclosure, ImportJob, Person
from berdaya.registry.privacy import record_disclosure
from berdaya.registry.tests.factories import HouseholdFactory, PersonFactory
from berdaya.reports import upward
from berdaya.reports.figures import Period
from berdaya.reports.models import AwardEntry, AwardRound, ReportRequest
from berdaya.screening.models import MatchCandidate, MergedPerson
from berdaya.targeting.models import Cycle, Verval
from berdaya.targeting.tests.factories import CycleFactory, NominationListFactory, NomineeFactory
from berdaya.training.models import Participant, Training

IN, SIBLING, NEAR, FAR = "in", "sibling", "near", "far"
PLACES = (IN, SIBLING, NEAR, FAR)

# The six roles of the matrix (keys of World.users) and the account without a region, which sees nothing.
ADMIN, OFFICER, MONITOR, CAMAT, DESA, FACILITATOR = "admin", "officer", "monitor", "camat", "desa", "facilitator"
ROLES = (ADMIN, OFFICER, CAMAT, DESA, FACILITATOR, MONITOR)
NO_REGION = "no_region"

VILLAGES = {IN: "64.01.04.2004", SIBLING: "64.01.04.2005", NEAR: "64.01.05.2001", FAR: "64.02.01.2001"}
FACILITATORS = {IN: FACILITATOR, SIBLING: "facilitator_b", NEAR: "facilitator_b", FAR: "facilitator_c"}

# Who sees a record by its region: the Dinas of Paser, the kecamatan operator of 64.01.04, the village operator of
# 64.01.04.2004. A facilitator is added per kind (below): by its groups, by its region, or never.
BY_REGION: dict[str, frozenset[str]] = {
    IN: frozenset({ADMIN, OFFICER, MONITOR, CAMAT, DESA}),
    SIBLING: frozenset({ADMIN, OFFICER, MONITOR, CAMAT}),
    NEAR: frozenset({ADMIN, OFFICER, MONITOR}),
    FAR: frozenset(),
}
DINAS = frozenset({ADMIN, OFFICER, MONITOR})

# How a facilitator reaches a kind: through its own groups (facilitator A's group is the `in` one), by its region
# like the other roles (reference data; facilitators are scoped to the regency), or not at all.
GROUP, REGION, NEVER = "group", "region", "never"
FACILITATOR_REACH: dict[str, str] = {
    "region": REGION,
    "user": NEVER,
    "household": NEVER,
    "person": NEVER,
    "import_job": NEVER,
    "candidate": NEVER,
    "merged": NEVER,
    "cycle": NEVER,
    "nomination_list": NEVER,
    "nominee": NEVER,
    "spare_nominee": NEVER,
    "verval": NEVER,
}
# Kinds whose visibility is not a plain region rule: who sees each place's record.
SEEN_BY: dict[str, dict[str, frozenset[str]]] = {
    # A regency's cycle is seen by everyone below it once opened (the world's cycles are decided); facilitators
    # follow no cycle.
    "cycle": {IN: BY_REGION[IN], FAR: frozenset()},
    # An inbox is the addressee's: a notification to Tanah Periuk's office is the village operator's alone.
    "notification": {IN: frozenset({DESA}), FAR: frozenset()},
    # A monthly report and a facilitator's profile: the facilitator and the Dinas of the facilitator's regency.
    "report": {IN: DINAS | {FACILITATOR}, NEAR: DINAS, FAR: frozenset()},
    "facilitator": {IN: DINAS | {FACILITATOR}, NEAR: DINAS, FAR: frozenset()},
    # A facilitator's supervision page: the Dinas of its regency, the facilitator itself, and a kecamatan operator
    # where the facilitator mentors a group of the kecamatan (facilitator B mentors the sibling group of Tanah Grogot).
    "supervisee": {IN: DINAS | {FACILITATOR, CAMAT}, NEAR: DINAS | {CAMAT}, FAR: frozenset()},
    # Paser's market event: the Dinas by its region, everyone else through a stand of a group it sees; inside it,
    # each sees only those stands (kind "participation", scoped like its group).
    "event": {IN: frozenset(ROLES), FAR: frozenset()},
    # An award round and its entries are the regency's Dinas's (a kecamatan, a village, a facilitator: none).
    "award_round": {IN: DINAS, FAR: frozenset()},
    "award_entry": {IN: DINAS, FAR: frozenset()},
    # A report request is its requester's (the kecamatan operator's, for its kecamatan) and the Admin Dinas's of the
    # region; the officer and the monitor of the same regency see only their own.
    "report_request": {IN: frozenset({ADMIN, CAMAT}), FAR: frozenset()},
    # The access log of personal data is the Admin Dinas's page alone (registry.view_disclosure).
    "disclosure": {IN: frozenset({ADMIN}), SIBLING: frozenset({ADMIN}), NEAR: frozenset({ADMIN}), FAR: frozenset()},
    # A service account and its API tokens are managed by the Admin Dinas of its region (and used by no one here).
    "service_account": {IN: frozenset({ADMIN}), FAR: frozenset()},
    "token": {IN: frozenset({ADMIN}), FAR: frozenset()},
}

# Names a page may show beyond the records' own pages: a group's page names its facilitator and its cycle to
# everyone who sees the group, though not all of them may open the facilitator's profile or the cycle.
NAME_SHOWN_TO: dict[str, dict[str, frozenset[str]]] = {
    "facilitator": {IN: frozenset(ROLES)},
    "cycle": {IN: frozenset(ROLES)},
}


def marker(kind: str, place: str) -> str:
    """A word no page shows unless it shows this record (case-insensitive; no character HTML escapes)."""
    return f"Zq{kind.title().replace('_', '')}{place.title()}Q"


def _jpeg() -> ContentFile[bytes]:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 160, 90)).save(out, "JPEG")
    return ContentFile(out.getvalue(), name="foto.jpg")


@dataclass
class World:
    users: dict[str, User]
    # kind -> place -> record
    records: dict[str, dict[str, Model]] = field(default_factory=dict)
    # kind -> place -> marker shown by a page that shows the record
    markers: dict[str, dict[str, str]] = field(default_factory=dict)
    # role -> logged-in client session key
    sessions: dict[str, str] = field(default_factory=dict)
    # role -> a personal access token of the role's user, for the API
    tokens: dict[str, str] = field(default_factory=dict)
    # stored file name -> content, for every file a record holds
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, kind: str, place: str, record: Any, *, marked: bool = False) -> Any:
        self.records.setdefault(kind, {})[place] = record
        if marked:
            self.markers.setdefault(kind, {})[place] = marker(kind, place)
        return record

    def places(self, kind: str) -> list[str]:
        return [place for place in PLACES if place in self.records.get(kind, {})]

    def sees(self, role: str, kind: str, place: str) -> bool:
        """Whether `role` may see the `place` record of `kind` (the rules of the programme, not of the code)."""
        if role == NO_REGION:
            return False
        if kind in SEEN_BY:
            return role in SEEN_BY[kind].get(place, frozenset())
        if role == FACILITATOR:
            reach = FACILITATOR_REACH.get(kind, GROUP)
            if reach == GROUP:
                return place == IN
            if reach == REGION:
                return place != FAR
            return False
        return role in BY_REGION[place]

    def keep_files(self) -> None:
        """Remember every stored file of the world's records (an action the matrix runs may delete one)."""
        for by_place in self.records.values():
            for record in by_place.values():
                for model_field in record._meta.fields:
                    stored = getattr(record, model_field.attname)
                    if isinstance(model_field, FileField) and stored:
                        with default_storage.open(stored.name, "rb") as content:
                            self.files[stored.name] = content.read()

    def restore_files(self) -> None:
        """Put back the files an earlier request deleted: the database rolls back, the file system does not."""
        for name, content in self.files.items():
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(content))

    def hidden_markers(self, role: str) -> list[tuple[str, str, str]]:
        """(kind, place, marker) of every marked record `role` must not be shown."""
        return [
            (kind, place, text)
            for kind, by_place in self.markers.items()
            for place, text in by_place.items()
            if not self.sees(role, kind, place)
            and (role == NO_REGION or role not in NAME_SHOWN_TO.get(kind, {}).get(place, frozenset()))
        ]


def _users() -> dict[str, User]:
    paser = RegionFactory(code="64.01", name="Kabupaten Paser")
    specs = {
        ADMIN: (User.Role.ADMIN, paser),
        OFFICER: (User.Role.OFFICER, paser),
        MONITOR: (User.Role.MONITOR, paser),
        CAMAT: (User.Role.KECAMATAN_OPERATOR, RegionFactory(code="64.01.04", name="Tanah Grogot")),
        DESA: (User.Role.VILLAGE_OPERATOR, RegionFactory(code=VILLAGES[IN], name=marker("region", IN))),
        FACILITATOR: (User.Role.FACILITATOR, paser),
        "facilitator_b": (User.Role.FACILITATOR, paser),
        "facilitator_c": (User.Role.FACILITATOR, RegionFactory(code="64.02", name="Kabupaten Lain")),
    }
    users = {
        key: UserFactory(username=f"scope_{key}", role=role, region=region, first_name=key.title(), last_name="")
        for key, (role, region) in specs.items()
    }
    for key, place in [(FACILITATOR, IN), ("facilitator_c", FAR)]:
        users[key].first_name = marker("facilitator", place)
        users[key].save(update_fields=["first_name"])
    users[NO_REGION] = UserFactory(username="scope_no_region", role=User.Role.ADMIN, region=None)
    return users


def build_world() -> World:
    """Every record a page can reach, once in each place. Runs in a test database transaction."""
    users = _users()
    world = World(users=users)
    admin = users[ADMIN]
    cycles = {
        "64.01": CycleFactory(
            region=RegionFactory(code="64.01"),
            status=Cycle.Status.DECIDED,
            created_by=admin,
            name=marker("cycle", IN),
        ),
        "64.02": CycleFactory(
            region=RegionFactory(code="64.02"),
            status=Cycle.Status.DECIDED,
            created_by=admin,
            name=marker("cycle", FAR),
        ),
    }
    world.add("cycle", IN, cycles["64.01"], marked=True)
    world.add("cycle", FAR, cycles["64.02"], marked=True)
    world.add("facilitator", IN, users[FACILITATOR], marked=True)
    world.add("facilitator", NEAR, users["facilitator_b"])
    world.add("facilitator", FAR, users["facilitator_c"], marked=True)
    # The same facilitators as the people whose work is supervised (berdaya/reports/supervision.py).
    world.add("supervisee", IN, users[FACILITATOR])
    world.add("supervisee", NEAR, users["facilitator_b"])
    world.add("supervisee", FAR, users["facilitator_c"])

    for number, place in enumerate(PLACES, start=1):
        village: Region = RegionFactory(code=VILLAGES[place], name=marker("region", place))
        kecamatan = village.parent
        assert kecamatan is not None
        regency = cycles[village.code[:5]].region
        facilitator = users[FACILITATORS[place]]
        cycle = cycles[village.code[:5]]
        world.add("region", place, village, marked=True)
        operator = UserFactory(
            username=f"scope_operator_{place}",
            role=User.Role.VILLAGE_OPERATOR,
            region=village,
            first_name=marker("user", place),
            last_name="",
        )
        world.add("user", place, operator, marked=True)

        # Registry and screening.
        household = HouseholdFactory(village=village, address=marker("household", place))
        world.add("household", place, household, marked=True)
        person = PersonFactory(household=household, name=marker("person", place))
        world.add("person", place, person, marked=True)
        twin = PersonFactory(household=household, name=person.name, relation=Person.Relation.CHILD)
        job = ImportJob(
            kind=ImportJob.Kind.REGISTRY,
            original_name=f"{marker('import_job', place)}.csv",
            status=ImportJob.Status.CHECKED,
            region=village,
            created_by=operator,
        )
        job.file.save("data.csv", ContentFile(b"nik,nama\n"), save=False)
        job.report.save("report.xlsx", ContentFile(b"PK"), save=False)
        job.save()
        world.add("import_job", place, job, marked=True)
        candidate = MatchCandidate.objects.create(
            left=person,
            right=twin,
            left_label=person.name,
            right_label=twin.name,
            region=village,
            score="0.9500",
            reason="same name",
        )
        world.add("candidate", place, candidate)
        merged = MergedPerson.objects.create(
            old_id=9_000_000 + number,
            old_nik=person.nik,
            old_name=person.name,
            old_kk_number=household.kk_number,
            kept=person,
            region=village,
            candidate=candidate,
            merged_by=admin,
        )
        world.add("merged", place, merged)
        disclosure = record_disclosure(
            by=admin, kind=Disclosure.Kind.PERSON_EXPORT, region=village, count=3, document=marker("disclosure", place)
        )
        world.add("disclosure", place, disclosure, marked=True)

        # Targeting.
        nomination_list = NominationListFactory(cycle=cycle, village=village, created_by=operator)
        nomination_list.minutes.save("berita-acara.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
        world.add("nomination_list", place, nomination_list)
        nominee = NomineeFactory(nomination_list=nomination_list, name=marker("nominee", place), created_by=operator)
        world.add("nominee", place, nominee, marked=True)
        verval = Verval(nominee=nominee, visit_date=dt.date(2027, 8, 2), by=admin)
        verval.photo.save("rumah.jpg", _jpeg(), save=True)
        world.add("verval", place, verval)
        if place in (IN, FAR):
            service = UserFactory(
                username=f"scope_service_{place}",
                role=User.Role.MONITOR,
                region=village.parent,
                is_service_account=True,
                first_name=marker("service_account", place),
                last_name="",
            )
            world.add("service_account", place, service)
            made = create_token(
                by=service, owner=service, name=marker("token", place), expires_on=dt.date(2027, 12, 31), read_only=True
            )
            world.add("token", place, made.record)
            notification = Notification.objects.create(recipient_region=village, subject=marker("notification", place))
            world.add("notification", place, notification, marked=True)

        # Groups and mentoring.
        kube = KubeFactory(
            name=marker("kube", place),
            cycle=cycle,
            village=village,
            facilitator=facilitator,
            status=Kube.Status.ACTIVE,
            created_by=admin,
        )
        kube.signboard_photo.save("papan.jpg", _jpeg(), save=True)
        world.add("kube", place, kube, marked=True)
        membership = MembershipFactory(kube=kube, added_by=admin, nominee__person__name=marker("member", place))
        world.add("membership", place, membership)
        world.add("member", place, membership.person, marked=True)
        # An approved nominee of the group's village who is not a member yet: one a form could add.
        spare = ApprovedNomineeFactory(nomination_list=membership.nominee.nomination_list, created_by=operator)
        world.add("spare_nominee", place, spare)
        visit = VisitFactory(kube=kube, by=facilitator, purpose=marker("visit", place))
        world.add("visit", place, visit, marked=True)
        photo = VisitPhoto(visit=visit)
        photo.image.save("foto.jpg", _jpeg(), save=True)
        world.add("photo", place, photo)
        follow_up = FollowUp.objects.create(visit=visit, action=marker("follow_up", place), due_on=dt.date(2027, 8, 10))
        world.add("follow_up", place, follow_up, marked=True)
        meeting = Meeting.objects.create(
            kube=kube, held_on=dt.date(2027, 7, 5), agenda=marker("meeting", place), by=facilitator
        )
        world.add("meeting", place, meeting, marked=True)
        problem = ProblemFactory(kube=kube, by=facilitator, description=marker("problem", place))
        world.add("problem", place, problem, marked=True)
        environment = EnvironmentRecord.objects.create(
            kube=kube, recorded_on=visit.visited_on, visit=visit, notes=marker("environment", place), by=facilitator
        )
        world.add("environment", place, environment, marked=True)
        training = Training.objects.create(
            title=marker("training", place),
            kind=Training.Kind.BOOKKEEPING,
            starts_on=dt.date(2027, 7, 1),
            ends_on=dt.date(2027, 7, 2),
            trainer="Dinas",
            place="Aula",
            region=kecamatan,
            created_by=admin,
        )
        Participant.objects.create(training=training, membership=membership)
        world.add("training", place, training, marked=True)
        if place == SIBLING:
            # A training shared by two facilitators' groups: the `in` one (Tanah Grogot's) invited the sibling
            # group's member too, whom the village operator of Tanah Periuk and facilitator A may not see.
            Participant.objects.create(training=world.records["training"][IN], membership=membership)
        if place in (IN, NEAR, FAR):
            report = MonthlyReport.objects.create(
                facilitator=facilitator, month=dt.date(2027, 7, 1), narrative=marker("report", place)
            )
            world.add("report", place, report, marked=True)

        # Business.
        plan = BusinessPlanFactory(kube=kube, created_by=facilitator)
        world.add("plan", place, plan)
        line = BudgetLine.objects.create(plan=plan, item=marker("budget_line", place), quantity=1, unit_price=1_000)
        world.add("budget_line", place, line)
        stage = AidStageFactory(kube=kube, number=1, created_by=admin)
        stage.proof.save("bukti.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
        world.add("aid_stage", place, stage)
        world.add("asset", place, AssetFactory(kube=kube, item=marker("asset", place), created_by=admin))
        entry = CashEntryFactory(kube=kube, description=marker("cash_entry", place), entered_by=facilitator)
        entry.receipt.save("nota.jpg", _jpeg(), save=True)
        world.add("cash_entry", place, entry, marked=True)
        cash_import = CashImport(kube=kube, filename="buku-kas.xlsx", report={}, by=facilitator)
        cash_import.file.save("buku-kas.xlsx", ContentFile(b"PK"), save=True)
        world.add("cash_import", place, cash_import)
        loan = world.add("loan", place, LoanFactory(kube=kube, borrower=marker("loan", place), by=facilitator))
        repayment = Repayment.objects.create(loan=loan, paid_on=dt.date(2027, 8, 1), amount=100_000, by=facilitator)
        world.add("repayment", place, repayment)
        allocation = ProfitAllocation.objects.create(
            kube=kube,
            period_start=dt.date(2027, 6, 1),
            period_end=dt.date(2027, 6, 1),
            profit=1_000_000,
            share_capital=50,
            share_members=40,
            share_iks=10,
            to_capital=500_000,
            to_members=400_000,
            to_iks=100_000,
            members=5,
            allocated_on=dt.date(2027, 7, 1),
            by=facilitator,
        )
        world.add("allocation", place, allocation)
        iks = IksEntry.objects.create(
            kube=kube,
            entry_date=dt.date(2027, 7, 1),
            kind="contribution",
            amount=100_000,
            description=marker("iks_entry", place),
            by=facilitator,
        )
        world.add("iks_entry", place, iks, marked=True)
        level = LevelSnapshot.objects.create(kube=kube, month=dt.date(2027, 8, 1), level=1, computed_level=1)
        world.add("level", place, level)
        credit = CreditApplication.objects.create(
            kube=kube,
            lender=marker("credit", place),
            amount_requested=5_000_000,
            applied_on=dt.date(2027, 7, 15),
            by=facilitator,
        )
        world.add("credit", place, credit)
        # Monitoring: a monev visit of the group, with a photo.
        monev = MonevVisit.objects.create(
            kube=kube,
            visited_on=dt.date(2027, 8, 20),
            findings=marker("monev", place),
            verdict=MonevVisit.Verdict.CONTINUE,
            by=admin,
        )
        world.add("monev", place, monev, marked=True)
        monev_photo = MonevPhoto(monev=monev)
        monev_photo.image.save("monev.jpg", _jpeg(), save=True)
        world.add("monev_photo", place, monev_photo)
        if place in (IN, FAR):
            event = MarketEvent.objects.create(
                region=regency, name=marker("event", place), held_on=dt.date(2027, 8, 17), by=admin
            )
            world.add("event", place, event, marked=True)
        # Every group sells at its regency's market event: Paser's event is shared by three places' groups, of
        # two facilitators; each stand's note is marked, like its group's name.
        stand = MarketParticipation.objects.create(
            event=world.records["event"][IN if place != FAR else FAR],
            kube=kube,
            sales=1_000_000 * number,
            note=marker("participation", place),
            by=admin,
        )
        world.add("participation", place, stand, marked=True)

        # Monitoring: an early warning of the group.
        warning = EarlyWarning.objects.create(
            kube=kube,
            kind=EarlyWarning.Kind.NOT_VISITED,
            raised_on=dt.date(2027, 8, 1),
            message=keep(marker("warning", place)),
            evidence_url=kube.get_absolute_url(),
            responsible=facilitator,
        )
        world.add("warning", place, warning, marked=True)

        # Reports: the regency's award round, shortlisting the group.
        if place in (IN, FAR):
            award = AwardRound.objects.create(
                region=regency,
                name=marker("award_round", place),
                year=2027,
                status=AwardRound.Status.SHORTLISTED,
                created_by=admin,
            )
            world.add("award_round", place, award, marked=True)
            entry = AwardEntry.objects.create(
                round=award, kube=kube, name=marker("award_entry", place), shortlisted=True, rank=1
            )
            world.add("award_entry", place, entry, marked=True)

    # Reports upward: a kecamatan operator's full group list of its kecamatan (in), made as the task worker makes it
    # (its two groups, of two facilitators), and another regency's request (far).
    for place in (IN, FAR):
        village = world.records["region"][place]
        wanted = ReportRequest(
            requested_by=users[CAMAT] if place == IN else world.records["user"][FAR],
            kind=ReportRequest.Kind.GROUPS,
            region=village.parent if place == IN else cycles["64.02"].region,
            period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2027, 12, 31),
            as_of=dt.date(2027, 9, 30),
            format=ReportRequest.Format.XLSX,
            status=ReportRequest.Status.DONE,
            progress=100,
        )
        document = upward.build(
            kind=wanted.kind,
            user=wanted.requested_by,
            root=wanted.region,
            period=Period(wanted.period_start, wanted.period_end),
            as_of=wanted.as_of,
        )
        wanted.file.save("groups.xlsx", ContentFile(upward.write(document, wanted.format)), save=False)
        wanted.save()
        world.add("report_request", place, wanted)

    world.keep_files()
    # Log every user in once: each request of the matrix then only sets the session cookie.
    for key, user in users.items():
        client = Client()
        client.force_login(user)
        world.sessions[key] = client.session.session_key or ""
        world.tokens[key] = create_token(
            by=user, owner=user, name="scope matrix", expires_on=dt.date(2027, 12, 31), read_only=False
        ).secret
    return world


# The day the world is built and asked on.
TODAY = dt.datetime(2027, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))


@contextmanager
def rolled_back_world(django_db_blocker: Any, media_root: Path) -> Iterator[World]:
    """The world, built once (for a test module) inside a transaction that is rolled back at the end.

    Each test runs in its own savepoint inside it (pytest-django's `db`), and each request in one more, so an empty
    POST that does something leaves the world as it was for the next. Thousands of expected 400s, 403s and 404s would
    each log a warning (a 403 with its traceback); a 500 is what the tests report themselves.
    """
    requests_log = logging.getLogger("django.request")
    level = requests_log.level
    requests_log.setLevel(logging.CRITICAL)
    try:
        with (
            django_db_blocker.unblock(),
            time_machine.travel(TODAY, tick=False),
            override_settings(MEDIA_ROOT=media_root),
            transaction.atomic(),
        ):
            yield build_world()
            transaction.set_rollback(True)
    finally:
        requests_log.setLevel(level)
