"""Reads that feed the group pages and documents, and what a user may do to a group or a member now."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.scoping import region_q
from berdaya.lib.waiting import Effort, Plan, Tally, Waiting, link, one_or_list, run_plan
from berdaya.regions.models import Region
from berdaya.targeting.checks import join_obstacles
from berdaya.targeting.models import Cycle, Nominee

from .models import FacilitatorAssignment, Kube, Membership

# The action that moves a group to each status (as actions_for names it).
STATUS_ACTIONS: dict[str, str] = {
    Kube.Status.ACTIVE: "activate",
    Kube.Status.INACTIVE: "deactivate",
    Kube.Status.GRADUATED: "graduate",
    Kube.Status.DISSOLVED: "dissolve",
}


def actions_for(user: User, obj: Kube | Membership) -> frozenset[str]:
    """What the user may do to a group or a membership now: the role's permissions and the record's state.

    A group: "edit" (profile, rules), "officers", "add_member", "assign" (its facilitator) while it is not ended,
    and "change_status" with the lifecycle's moves ("activate", "deactivate", "graduate", "dissolve").
    A membership: "leave" and "replace" while it is current.
    """
    if isinstance(obj, Membership):
        if user.has_perm("groups.change_membership") and obj.is_current:
            return frozenset({"leave", "replace"})
        return frozenset()
    actions: set[str] = set()
    if obj.is_ended:
        return frozenset()
    if user.has_perm("groups.change_kube"):
        actions |= {"edit", "officers", "assign"}
        moves = {STATUS_ACTIONS[to] for to in obj.next_statuses}
        if moves:
            actions |= {"change_status", *moves}
    if user.has_perm("groups.add_membership"):
        actions.add("add_member")
    return frozenset(actions)


def status_choices(actions: frozenset[str], kube: Kube) -> tuple[str, ...]:
    """The statuses the user may move this group to now (for the status form)."""
    return tuple(to for to in kube.next_statuses if STATUS_ACTIONS[to] in actions)


def readiness_problems(kube: Kube) -> list[str]:
    """What still stops a forming group from starting: size, officers, bank account, formation meeting."""
    problems = []
    members = list(kube.memberships.current())
    if not kube.cycle.group_min <= len(members) <= kube.cycle.group_max:
        problems.append(
            _("A group needs %(min)d to %(max)d members; it has %(count)d.")
            % {"min": kube.cycle.group_min, "max": kube.cycle.group_max, "count": len(members)}
        )
    roles = [m.role for m in members]
    if any(roles.count(office) != 1 for office in Membership.OFFICES):
        problems.append(_("Elect exactly one ketua, one sekretaris and one bendahara."))
    if not kube.has_bank_account:
        problems.append(_("Record the bank account in the group's name."))
    if kube.formed_on is None:
        problems.append(_("Record the date of the formation meeting."))
    return problems


def kube_assignments(*, kube: Kube) -> QuerySet[FacilitatorAssignment]:
    """The group's facilitators over time, the current one first."""
    return FacilitatorAssignment.objects.filter(kube=kube).select_related("facilitator")


def kube_list(*, user: User, status: str = "", query: str = "", kecamatan: str = "") -> QuerySet[Kube]:
    """Groups the user may see, with their current member count."""
    kubes = (
        Kube.objects.visible_to(user)
        .select_related("village__parent", "facilitator", "cycle")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    if status:
        kubes = kubes.filter(status=status)
    if kecamatan:
        kubes = kubes.filter(region_q("village__code", kecamatan))
    if query.strip():
        kubes = kubes.filter(name__icontains=query.strip())
    return kubes.order_by("name", "pk")


def _approved_in(*, cycle: Cycle, kecamatan_code: str, user: User) -> QuerySet[Nominee]:
    return (
        Nominee.objects.visible_to(user)
        .filter(
            region_q("nomination_list__village__code", kecamatan_code),
            cycle=cycle,
            status=Nominee.Status.APPROVED,
        )
        .select_related("nomination_list__village", "person")
        .order_by("name", "pk")
    )


def available_nominees(*, cycle: Cycle, kecamatan_code: str, user: User) -> QuerySet[Nominee]:
    """Approved nominees of a cycle in one kecamatan who may join a group now (check_eligible's rules)."""
    approved = _approved_in(cycle=cycle, kecamatan_code=kecamatan_code, user=user)
    blocked = join_obstacles(list(approved))
    return approved.exclude(pk__in=list(blocked))


@dataclass(frozen=True)
class NotOffered:
    """An approved nominee the formation page does not offer, and why."""

    nominee: Nominee
    reason: str


def unavailable_nominees(*, cycle: Cycle, kecamatan_code: str, user: User) -> list[NotOffered]:
    """Approved nominees of a cycle in one kecamatan who cannot join a group now, each with the reason."""
    approved = list(_approved_in(cycle=cycle, kecamatan_code=kecamatan_code, user=user))
    blocked = join_obstacles(approved)
    return [NotOffered(nominee, blocked[nominee.pk].message) for nominee in approved if nominee.pk in blocked]


def cycles_with_approvals(*, user: User) -> QuerySet[Cycle]:
    """Decided cycles with approved nominees the user may see: the ones groups can be formed from."""
    approved = Nominee.objects.visible_to(user).filter(status=Nominee.Status.APPROVED).values("cycle_id")
    return Cycle.objects.filter(pk__in=approved, status=Cycle.Status.DECIDED).order_by("-year", "name")


def kecamatan_for(*, user: User) -> QuerySet[Region]:
    return Region.objects.visible_to(user).filter(level=Region.Level.KECAMATAN).order_by("name")


def facilitators_for(*, user: User) -> QuerySet[User]:
    facilitators: QuerySet[User] = (
        User.objects.visible_to(user).filter(role=User.Role.FACILITATOR, is_active=True).order_by("username")
    )
    return facilitators


def kube_members(*, kube: Kube) -> QuerySet[Membership]:
    """Current members first, officers at the top, then those who left."""
    officer_first = Case(
        *[When(role=role, then=Value(rank)) for rank, role in enumerate(Membership.OFFICES)], default=Value(9)
    )
    return kube.memberships.select_related("person__household__village", "replaced_by__person").order_by(
        "left_on", officer_first, "person__name"
    )


# What waits for the user ----------------------------------------------------------------------------------------


def waiting_for(user: User) -> list[Waiting]:
    return run_plan(user, lambda tally: plan_waiting(user, tally))


def plan_waiting(user: User, tally: Tally) -> Plan:
    """The Dinas's group work: groups still mentored with no facilitator to assign one to, groups being formed to
    complete (members, officers, bank account, formation meeting) and start."""
    if not user.has_perm("groups.change_kube"):
        return lambda: []
    kubes = Kube.objects.visible_to(user)
    kinds = [
        (
            "groups.assign",
            kubes.running().filter(facilitator__isnull=True),
            link("groups:kube-list"),
            ngettext_lazy(
                "%(count)s group without a facilitator: assign one",
                "%(count)s groups without a facilitator: assign one",
                "count",
            ),
        ),
        (
            "groups.forming",
            kubes.forming(),
            link("groups:kube-list", query=f"status={Kube.Status.FORMING}"),
            ngettext_lazy(
                "%(count)s group being formed: complete it and start it",
                "%(count)s groups being formed: complete them and start them",
                "count",
            ),
        ),
    ]
    rows = [tally.figures(found, n=("COUNT", "pk"), one=("MIN", "pk")) for _kind, found, _url, _label in kinds]

    def read() -> list[Waiting]:
        return [
            Waiting(
                label=label,
                count=row["n"],
                url=one_or_list(row["n"], row["one"], "groups:kube-detail", listing),
                effort=Effort.INSTITUTION,
                kind=kind,
            )
            for (kind, _found, listing, label), row in zip(kinds, rows, strict=True)
            if row["n"]
        ]

    return read
