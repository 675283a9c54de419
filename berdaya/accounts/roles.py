"""The roles of the programme (DOMAIN.md §3) and what each may do.

Permissions are granted per role here, in one table, by the RoleBackend; scope (which rows) is separate.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin Dinas")
    OFFICER = "officer", _("Petugas Dinas")
    KECAMATAN_OPERATOR = "kecamatan", _("Operator Kecamatan")
    VILLAGE_OPERATOR = "village", _("Operator Desa")
    FACILITATOR = "facilitator", _("Pendamping")
    MONITOR = "monitor", _("Pemantau")


# Region levels a role's scope may sit at (1 province, 2 regency, 3 kecamatan, 4 village).
ROLE_SCOPE_LEVELS: dict[str, tuple[int, ...]] = {
    Role.ADMIN: (1, 2),
    Role.OFFICER: (1, 2),
    Role.KECAMATAN_OPERATOR: (3,),
    Role.VILLAGE_OPERATOR: (4,),
    Role.FACILITATOR: (2, 3),
    Role.MONITOR: (1, 2, 3),
}

_VIEW_REFERENCE = {"regions.view_region"}
_VIEW_REGISTRY = {"registry.view_household", "registry.view_person", "registry.view_assistancerecord"}
# Editing and importing the registry; scope still limits which rows.
_EDIT_REGISTRY = _VIEW_REGISTRY | {
    "registry.add_household",
    "registry.change_household",
    "registry.add_person",
    "registry.change_person",
    "registry.add_assistancerecord",
    "registry.change_assistancerecord",
    "registry.add_importjob",
    "registry.view_importjob",
}

# Targeting: every role but the facilitator follows the cycles of its region; each step belongs to one role.
_VIEW_TARGETING = {"targeting.view_cycle", "targeting.view_nominationlist", "targeting.view_nominee"}
_RUN_TARGETING = _VIEW_TARGETING | {
    "targeting.open_cycle",
    "targeting.relay_call",
    "targeting.verify",
    "targeting.decide",
}

# "app_label.codename" per role. Later capabilities add their permissions here.
_VIEW_SCREENING = {"screening.view_matchcandidate"}
_REVIEW_SCREENING = _VIEW_SCREENING | {
    "screening.change_matchcandidate",
    "screening.add_screeningrun",
    "screening.merge_persons",
}

# Groups, mentoring and training: everyone in scope reads; the Dinas forms groups and runs trainings; the
# facilitator records visits, meetings, problems and monthly reports.
_VIEW_GROUPS = {
    "groups.view_kube",
    "mentoring.view_visit",
    "mentoring.view_meeting",
    "mentoring.view_problem",
    "training.view_training",
    # Monitoring and evaluation: levels, scorecards, monev visits, bina lingkungan records and warnings.
    "mentoring.view_environmentrecord",
    "monitoring.view_levelsnapshot",
    "monitoring.view_monevvisit",
    "monitoring.view_earlywarning",
}
_RUN_GROUPS = _VIEW_GROUPS | {
    "groups.add_kube",
    "groups.change_kube",
    "groups.add_membership",
    "groups.change_membership",
    "mentoring.change_problem",
    "mentoring.view_monthlyreport",
    "mentoring.review_monthlyreport",
    "mentoring.view_facilitatorprofile",
    "mentoring.change_facilitatorprofile",
    "training.add_training",
    "training.change_training",
    "mentoring.add_environmentrecord",
    "monitoring.add_monevvisit",
    "monitoring.set_level",
    "monitoring.change_earlywarning",
}
_FACILITATE = _VIEW_GROUPS | {
    "groups.view_caseload",
    "mentoring.add_visit",
    "mentoring.add_meeting",
    "mentoring.add_problem",
    "mentoring.change_problem",
    "mentoring.view_monthlyreport",
    "mentoring.add_monthlyreport",
    "mentoring.view_facilitatorprofile",
    "mentoring.add_environmentrecord",
    "monitoring.change_earlywarning",
}

# Business (bina usaha): everyone in scope follows a group's books; the facilitator keeps them with the group;
# the Dinas approves plans, plans and pays the aid and holds market events.
_VIEW_BUSINESS = {"business.view_cashentry"}
_KEEP_BOOKS = _VIEW_BUSINESS | {
    "business.add_cashentry",
    "business.change_businessplan",
    "business.add_asset",
    "business.add_profitallocation",
    "business.add_iksentry",
    "business.add_loan",
    "business.add_creditapplication",
    "business.add_partnership",
    "business.add_marketparticipation",
}
_DISBURSE = {
    "business.approve_businessplan",
    "business.add_aidstage",
    "business.pay_aidstage",
    "business.add_marketevent",
}

# Awards (KUBE berprestasi, best facilitators): the Dinas runs the rounds and its committee marks; a monitor reads.
_VIEW_AWARDS = {"reports.view_awardround"}
_RUN_AWARDS = _VIEW_AWARDS | {"reports.add_awardround", "reports.add_assessment", "reports.decide_awardround"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _VIEW_REFERENCE
        | {"accounts.view_user", "accounts.add_user", "accounts.change_user", "accounts.view_history"}
        | _EDIT_REGISTRY
        # Full NIK, KK number and address (registry.privacy), the log of who was shown them, and everything held about a
        # person (berdaya/personal_data.py, UU 27/2022).
        | {"registry.reveal_nik", "registry.view_disclosure", "registry.export_person_data"}
        | _RUN_TARGETING
        | {"targeting.add_cycle", "targeting.change_cycle", "targeting.change_letterhead"}
        | {"monitoring.configure_monitoring"}
        # The task worker's page: stuck background tasks and the worker's heartbeat.
        | {"worker.view_workerbeat"}
        | _REVIEW_SCREENING
        | _RUN_GROUPS
        | _KEEP_BOOKS
        | _DISBURSE
        | _RUN_AWARDS
    ),
    Role.OFFICER: frozenset(
        _VIEW_REFERENCE
        | {"accounts.view_history"}
        | _EDIT_REGISTRY
        | {"registry.reveal_nik"}
        | _RUN_TARGETING
        | _REVIEW_SCREENING
        | _RUN_GROUPS
        | _KEEP_BOOKS
        | _DISBURSE
        | _RUN_AWARDS
    ),
    Role.KECAMATAN_OPERATOR: frozenset(
        _VIEW_REFERENCE
        | _EDIT_REGISTRY
        | _VIEW_TARGETING
        | {"targeting.relay_call", "targeting.endorse"}
        | _VIEW_GROUPS
        | _VIEW_BUSINESS
    ),
    Role.VILLAGE_OPERATOR: frozenset(
        _VIEW_REFERENCE | _EDIT_REGISTRY | _VIEW_TARGETING | {"targeting.nominate"} | _VIEW_GROUPS | _VIEW_BUSINESS
    ),
    Role.FACILITATOR: frozenset(_VIEW_REFERENCE | _FACILITATE | _KEEP_BOOKS),
    Role.MONITOR: frozenset(
        _VIEW_REFERENCE
        | {"accounts.view_history"}
        | _VIEW_REGISTRY
        | _VIEW_TARGETING
        | _VIEW_SCREENING
        | _VIEW_GROUPS
        | {"mentoring.view_monthlyreport", "mentoring.view_facilitatorprofile"}
        | _VIEW_BUSINESS
        | _VIEW_AWARDS
    ),
}
