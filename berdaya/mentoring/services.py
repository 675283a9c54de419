"""Every write of mentoring: visits, meetings, problems, bina lingkungan records and the monthly report.

The monthly report is a small state machine: draft → submitted → acknowledged, or returned → submitted again.
Every write runs inside `acting_as(by)`, so that its history names the user also outside a request.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.groups.models import Kube, Membership
from berdaya.inbox.services import notify
from berdaya.lib.audit import acting_as
from berdaya.lib.errors import DomainError
from berdaya.lib.formats import iso_month
from berdaya.lib.images import prepare_photo
from berdaya.lib.sent_once import sent_once
from berdaya.lib.stored_text import keep

from .models import (
    EnvironmentPractice,
    EnvironmentRecord,
    FacilitatorProfile,
    FollowUp,
    Meeting,
    MonthlyReport,
    Problem,
    Visit,
    VisitPhoto,
)
from .selectors import month_summary


class MentoringError(DomainError):
    pass


def _check_date(day: dt.date, message: str) -> None:
    if day > timezone.localdate():
        raise MentoringError(message)


def _check_mentored(kube: Kube) -> None:
    if not kube.is_mentored:
        raise MentoringError(_("%(kube)s is %(status)s.") % {"kube": kube, "status": kube.get_status_display()})


def _check_attendees(kube: Kube, attendees: Sequence[Membership]) -> None:
    if any(m.kube_id != kube.pk for m in attendees):
        raise MentoringError(_("Only members of %(kube)s can be marked present.") % {"kube": kube})


# Visits ----------------------------------------------------------------------------------------------------------


def record_visit(
    *,
    kube: Kube,
    visited_on: dt.date,
    purpose: str,
    by: User,
    topics: str = "",
    notes: str = "",
    attendees: Sequence[Membership] = (),
    photos: Sequence[UploadedFile[bytes]] = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    follow_ups: Sequence[tuple[str, dt.date]] = (),
    environment: Mapping[str, Any] | None = None,
    client_key: uuid.UUID | None = None,
) -> Visit:
    """Record a visit to a group with who came, photos (shrunk, with their GPS position) and follow-up actions.

    `environment` (the arguments of record_environment but the group, date and user: forms.EnvironmentForm's
    cleaned data) is the visit's bina lingkungan record, written with the visit and dated the day of the visit.
    A report with the `client_key` of one already stored is that report sent again (a double tap, or a phone's outbox
    retrying after a lost answer): it is not stored twice, and the stored visit (with its record) is returned.
    """

    def store() -> Visit:
        _check_date(visited_on, _("The visit date cannot be in the future."))
        _check_mentored(kube)
        _check_attendees(kube, attendees)
        for action, due_on in follow_ups:
            if due_on < visited_on:
                raise MentoringError(_("The follow-up '%(action)s' is due before the visit.") % {"action": action})
        # Every photo is checked and shrunk before anything is written: one bad photo stores nothing.
        prepared = [prepare_photo(photo) for photo in photos]
        position = (latitude, longitude)
        if latitude is None and longitude is None:
            located = next((p for p in prepared if p.latitude is not None), None)
            if located is not None:
                position = (located.latitude, located.longitude)
        visit = Visit.objects.create(
            kube=kube,
            visited_on=visited_on,
            purpose=purpose,
            topics=topics,
            notes=notes,
            latitude=position[0],
            longitude=position[1],
            by=by,
            client_key=client_key,
        )
        visit.attendees.set(attendees)
        for photo in prepared:
            stored = VisitPhoto(visit=visit, latitude=photo.latitude, longitude=photo.longitude)
            stored.image.save(photo.content.name or "photo.jpg", photo.content, save=True)
        for action, due_on in follow_ups:
            FollowUp.objects.create(visit=visit, action=action, due_on=due_on)
        if environment is not None:
            # The visit's key covers its record: a visit sent again is found before this runs.
            _store_environment(kube=kube, recorded_on=visited_on, by=by, visit=visit, **environment)
        return visit

    return _sent_once(Visit, client_key, kube=kube, by=by, store=store)


_Sent = TypeVar("_Sent", Visit, Meeting, Problem, EnvironmentRecord)


def _sent_once(
    model: type[_Sent], client_key: uuid.UUID | None, *, kube: Kube, by: User, store: Callable[[], _Sent]
) -> _Sent:
    """Store a record from the field once per client key (see models.client_key_field and lib.sent_once)."""

    def stored() -> _Sent:
        with acting_as(by):
            return store()

    refuse = MentoringError(_("This report was already sent for another group or by another user."))
    return sent_once(model, client_key, kube=kube, by=by, store=stored, refuse=refuse)


def complete_follow_up(*, follow_up: FollowUp, done_on: dt.date, by: User) -> FollowUp:
    """Mark a follow-up action as done."""
    _check_date(done_on, _("The completion date cannot be in the future."))
    with acting_as(by):
        follow_up.done_on = done_on
        follow_up.save()
    return follow_up


# Meetings --------------------------------------------------------------------------------------------------------


def record_meeting(
    *,
    kube: Kube,
    held_on: dt.date,
    agenda: str,
    by: User,
    decisions: str = "",
    minutes: str = "",
    attendees: Sequence[Membership] = (),
    client_key: uuid.UUID | None = None,
) -> Meeting:
    """Record a meeting of the group's members with its decisions, minutes and attendance (once per client key)."""

    def store() -> Meeting:
        _check_date(held_on, _("The meeting date cannot be in the future."))
        _check_mentored(kube)
        _check_attendees(kube, attendees)
        meeting = Meeting.objects.create(
            kube=kube,
            held_on=held_on,
            agenda=agenda,
            decisions=decisions,
            minutes=minutes,
            by=by,
            client_key=client_key,
        )
        meeting.attendees.set(attendees)
        return meeting

    return _sent_once(Meeting, client_key, kube=kube, by=by, store=store)


# Problems --------------------------------------------------------------------------------------------------------


def report_problem(
    *,
    kube: Kube,
    reported_on: dt.date,
    origin: str,
    category: str,
    severity: int,
    description: str,
    by: User,
    handler: str = "",
    client_key: uuid.UUID | None = None,
) -> Problem:
    """Log a problem of the group in its register (once per client key)."""

    def store() -> Problem:
        _check_date(reported_on, _("The date a problem was noticed cannot be in the future."))
        problem = Problem(
            kube=kube,
            reported_on=reported_on,
            origin=origin,
            category=category,
            severity=severity,
            description=description,
            handler=handler,
            by=by,
            client_key=client_key,
        )
        problem.full_clean(exclude=["client_key"])  # its uniqueness is _sent_once's to judge
        problem.save()
        return problem

    return _sent_once(Problem, client_key, kube=kube, by=by, store=store)


def update_problem(*, problem: Problem, handler: str, steps: str, severity: int, by: User) -> Problem:
    """Record who handles an open problem and the steps taken so far."""
    if not problem.is_open:
        raise MentoringError(_("This problem is already resolved."))
    with acting_as(by):
        problem.handler, problem.steps, problem.severity = handler, steps, severity
        problem.save()
    return problem


def resolve_problem(*, problem: Problem, resolved_on: dt.date, steps: str, by: User) -> Problem:
    """Close a problem with the day it was solved and how."""
    _check_date(resolved_on, _("The resolution date cannot be in the future."))
    if not problem.is_open:
        raise MentoringError(_("This problem is already resolved."))
    if resolved_on < problem.reported_on:
        raise MentoringError(_("A problem cannot be resolved before it was noticed."))
    with acting_as(by, "resolved"):
        problem.resolved_on = resolved_on
        if steps.strip():
            problem.steps = steps
        problem.save()
        notify(
            kind="problem.resolved",
            region=problem.kube.village_id,
            users=[problem.kube.facilitator],
            subject=keep(N_("A problem of %(kube)s was resolved"), kube=problem.kube.name),
            body=steps,
            url=problem.get_absolute_url(),
            by=by,
        )
    return problem


def escalate_problem(*, problem: Problem, note: str, by: User) -> Problem:
    """Pass a problem the group and facilitator cannot solve to the Dinas."""
    if not by.is_facilitator:
        raise MentoringError(_("Only the group's facilitator passes a problem up to the Dinas."))
    if not problem.is_open:
        raise MentoringError(_("This problem is already resolved."))
    if problem.is_escalated:
        raise MentoringError(_("This problem has already been escalated."))
    if not note.strip():
        raise MentoringError(_("Tell the Dinas what help is needed."))
    with acting_as(by, "escalated"):
        problem.escalated_on = timezone.localdate()
        problem.escalation_note = note
        problem.save()
        notify(
            kind="problem.escalated",
            region=problem.kube.village_id,
            roles=[User.Role.OFFICER, User.Role.ADMIN],
            subject=keep(
                N_("A problem of %(kube)s (%(village)s) was passed up to the Dinas"),
                kube=problem.kube.name,
                village=problem.kube.village.name,
            ),
            body=note,
            url=problem.get_absolute_url(),
            by=by,
        )
    return problem


# Bina lingkungan -------------------------------------------------------------------------------------------------


def record_environment(
    *, kube: Kube, recorded_on: dt.date, by: User, client_key: uuid.UUID | None = None, **fields: Any
) -> EnvironmentRecord:
    """Record what a group does for its environment and neighbourhood (once per client key); complaints from the
    neighbours go to the Dinas. `fields`: those of `_store_environment` (practices, neighbours_employed, ...)."""

    def store() -> EnvironmentRecord:
        return _store_environment(kube=kube, recorded_on=recorded_on, by=by, client_key=client_key, **fields)

    return _sent_once(EnvironmentRecord, client_key, kube=kube, by=by, store=store)


def _store_environment(
    *,
    kube: Kube,
    recorded_on: dt.date,
    by: User,
    practices: Mapping[str, bool],
    visit: Visit | None = None,
    neighbours_employed: int = 0,
    neighbour_days: int = 0,
    neighbour_wages: int = 0,
    social_activities: str = "",
    community_contribution: int = 0,
    complaints: str = "",
    notes: str = "",
    client_key: uuid.UUID | None = None,
) -> EnvironmentRecord:
    """Check and write one record; the caller holds acting_as(by) (and, for a field report, its key)."""
    _check_date(recorded_on, _("The date of a bina lingkungan record cannot be in the future."))
    _check_mentored(kube)
    if visit is not None:
        if visit.kube_id != kube.pk:
            raise MentoringError(_("The visit was to another group."))
        if EnvironmentRecord.objects.filter(visit=visit).exists():
            raise MentoringError(_("This visit already has a bina lingkungan record."))
    figures = {
        _("Neighbours employed"): neighbours_employed,
        _("Days of work for neighbours"): neighbour_days,
        _("Wages paid to neighbours"): neighbour_wages,
        _("Contributions to the community"): community_contribution,
    }
    for label, value in figures.items():
        if value < 0:
            raise MentoringError(_("%(field)s cannot be negative.") % {"field": label})
    if neighbours_employed == 0 and (neighbour_wages or neighbour_days):
        raise MentoringError(_("Wages or days of work are recorded, but no neighbour employed: how many worked?"))
    known = set(EnvironmentPractice.objects.filter(code__in=list(practices)).values_list("code", flat=True))
    if unknown := sorted(set(practices) - known):
        raise MentoringError(_("Unknown environmental practice: %(codes)s.") % {"codes": ", ".join(unknown)})
    texts = (social_activities, complaints, notes)
    if not practices and not any(figures.values()) and not any(text.strip() for text in texts):
        raise MentoringError(_("Nothing to record: answer the checklist or fill in a figure."))
    record = EnvironmentRecord.objects.create(
        kube=kube,
        recorded_on=recorded_on,
        visit=visit,
        practices={code: bool(followed) for code, followed in practices.items()},
        neighbours_employed=neighbours_employed,
        neighbour_days=neighbour_days,
        neighbour_wages=neighbour_wages,
        social_activities=social_activities,
        community_contribution=community_contribution,
        complaints=complaints,
        notes=notes,
        client_key=client_key,
        by=by,
    )
    if record.has_complaints:
        notify(
            kind="mentoring.complaint",
            region=kube.village_id,
            roles=[User.Role.OFFICER, User.Role.ADMIN],
            subject=keep(
                N_("Neighbours of %(kube)s (%(village)s) complained"), kube=kube.name, village=kube.village.name
            ),
            body=complaints,
            url=record.get_absolute_url(),
            by=by,
        )
    return record


# Facilitators ----------------------------------------------------------------------------------------------------


def save_profile(*, facilitator: User, by: User, **fields: Any) -> FacilitatorProfile:
    """Create or change a facilitator's profile."""
    if not facilitator.is_facilitator:
        raise MentoringError(_("%(name)s is not a facilitator.") % {"name": facilitator})
    with acting_as(by):
        profile = FacilitatorProfile.objects.filter(user=facilitator).first() or FacilitatorProfile(user=facilitator)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
    return profile


# Monthly report --------------------------------------------------------------------------------------------------


def draft_monthly_report(*, facilitator: User, month: dt.date, by: User) -> MonthlyReport:
    """Start (or refresh the records of) a facilitator's report for a month that has begun."""
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise MentoringError(_("A report cannot be written for a month that has not begun."))
    with acting_as(by):
        report = MonthlyReport.objects.select_for_update().filter(
            facilitator=facilitator, month=month
        ).first() or MonthlyReport(facilitator=facilitator, month=month)
        if not report.is_editable:
            raise MentoringError(_("The report has been submitted and can no longer be changed."))
        report.summary = month_summary(facilitator=facilitator, month=month)
        report.save()
    return report


def save_report_text(*, report: MonthlyReport, narrative: str, next_plan: str, by: User) -> MonthlyReport:
    """Write the report's narrative and next month's plan while it is a draft or returned."""
    if not report.is_editable:
        raise MentoringError(_("The report has been submitted and can no longer be changed."))
    with acting_as(by):
        report.narrative, report.next_plan = narrative, next_plan
        report.save()
    return report


def _move_report(
    report: MonthlyReport, *, allowed: Callable[[MonthlyReport], bool], to: str, by: User, note: str = ""
) -> MonthlyReport:
    """Move the report to `to` if `allowed` (a state of the model) holds for it under a row lock."""
    with acting_as(by, note or to):
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if not allowed(report):
            raise MentoringError(
                _("The report is %(status)s; it cannot become %(to)s.")
                % {"status": report.get_status_display(), "to": MonthlyReport.Status(to).label}
            )
        report.status = to
        if to == MonthlyReport.Status.SUBMITTED:
            report.submitted_at = timezone.now()
        else:
            report.reviewed_by, report.reviewed_at, report.review_note = by, timezone.now(), note
        report.save()
        _tell(report, to, note=note, by=by)
    return report


def _tell(report: MonthlyReport, to: str, *, note: str, by: User) -> None:
    """A submitted report to the Dinas over the facilitator's region; a reviewed one back to the facilitator."""
    facilitator = report.facilitator
    month = iso_month(report.month)
    if facilitator.region_id is None:  # an account without a region is over no one's inbox
        return
    if to == MonthlyReport.Status.SUBMITTED:
        notify(
            kind="report.submitted",
            region=facilitator.region_id,
            roles=[User.Role.OFFICER, User.Role.ADMIN],
            subject=keep(
                N_("Monthly report %(month)s of %(facilitator)s to review"), month=month, facilitator=facilitator
            ),
            url=report.get_absolute_url(),
            by=by,
        )
        return
    notify(
        kind="report.returned" if to == MonthlyReport.Status.RETURNED else "report.acknowledged",
        region=facilitator.region_id,
        users=[facilitator],
        subject=keep(
            N_("Your monthly report %(month)s was returned")
            if to == MonthlyReport.Status.RETURNED
            else N_("Your monthly report %(month)s was accepted"),
            month=month,
        ),
        body=note,
        url=report.get_absolute_url(),
        by=by,
    )


def submit_report(*, report: MonthlyReport, by: User) -> MonthlyReport:
    """Send the report to the Dinas."""
    if not report.narrative.strip() or not report.next_plan.strip():
        raise MentoringError(_("Write the narrative and next month's plan before submitting."))
    return _move_report(report, allowed=lambda r: r.is_editable, to=MonthlyReport.Status.SUBMITTED, by=by)


def acknowledge_report(*, report: MonthlyReport, by: User, note: str = "") -> MonthlyReport:
    """The Dinas accepts a submitted report."""
    return _move_report(
        report, allowed=lambda r: r.is_awaiting_review, to=MonthlyReport.Status.ACKNOWLEDGED, by=by, note=note
    )


def return_report(*, report: MonthlyReport, note: str, by: User) -> MonthlyReport:
    """The Dinas sends a report back to the facilitator, saying what to change."""
    if not note.strip():
        raise MentoringError(_("Say what the facilitator should change."))
    return _move_report(
        report, allowed=lambda r: r.is_awaiting_review, to=MonthlyReport.Status.RETURNED, by=by, note=note
    )
