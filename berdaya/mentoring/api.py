"""Mentoring over the API: the facilitators' visits, the groups' meetings and problems, bina lingkungan records."""

from __future__ import annotations

from ninja import ModelSchema, Router

from berdaya.lib.api import kube_records

from .models import EnvironmentRecord, Meeting, Problem, Visit

router = Router(tags=["mentoring"])


class VisitOut(ModelSchema):
    class Meta:
        model = Visit
        fields = ["id", "kube", "visited_on", "purpose", "topics", "notes", "latitude", "longitude", "by", "created_at"]


class MeetingOut(ModelSchema):
    class Meta:
        model = Meeting
        fields = ["id", "kube", "held_on", "agenda", "decisions", "minutes", "by"]


class ProblemOut(ModelSchema):
    class Meta:
        model = Problem
        fields = [
            "id",
            "kube",
            "reported_on",
            "origin",
            "category",
            "severity",
            "description",
            "handler",
            "steps",
            "resolved_on",
            "escalated_on",
            "escalation_note",
            "by",
        ]


class EnvironmentOut(ModelSchema):
    class Meta:
        model = EnvironmentRecord
        fields = [
            "id",
            "kube",
            "recorded_on",
            "visit",
            "practices",
            "neighbours_employed",
            "neighbour_days",
            "neighbour_wages",
            "social_activities",
            "community_contribution",
            "complaints",
            "notes",
            "by",
            "created_at",
        ]


kube_records(
    router,
    path="visits",
    name="mentoring_visits",
    model=Visit,
    schema=VisitOut,
    permission="mentoring.view_visit",
    dated="visited_on",
    label="visits",
)
kube_records(
    router,
    path="meetings",
    name="mentoring_meetings",
    model=Meeting,
    schema=MeetingOut,
    permission="mentoring.view_meeting",
    dated="held_on",
    label="meetings",
)
kube_records(
    router,
    path="problems",
    name="mentoring_problems",
    model=Problem,
    schema=ProblemOut,
    permission="mentoring.view_problem",
    dated="reported_on",
    label="problems",
)
kube_records(
    router,
    path="environment",
    name="mentoring_environment",
    model=EnvironmentRecord,
    schema=EnvironmentOut,
    permission="mentoring.view_environmentrecord",
    dated="recorded_on",
    label="bina lingkungan records",
)
