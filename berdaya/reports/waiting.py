"""Awards work waiting for a user (see berdaya/worklist.py): shortlisted entries the committee member has yet to
mark, while the round is open for marks."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.waiting import Effort, Plan, Tally, Waiting, link, one_or_list

from .models import Assessment, AwardEntry, AwardRound


def plan_waiting(user: User, tally: Tally) -> Plan:
    """Shortlisted entries of the rounds open for marks that the user (a committee member) has not marked."""
    if not user.has_perm("reports.add_assessment"):
        return list
    marked = Assessment.objects.filter(entry=OuterRef("pk"), assessor=user)
    entries = (
        AwardEntry.objects.visible_to(user)
        .shortlisted()
        .filter(round__status=AwardRound.Status.SHORTLISTED)
        .filter(~Exists(marked))
    )
    row = tally.figures(
        entries,
        n=("COUNT", "pk"),
        one=("MIN", "pk"),
        first_round=("MIN", "round_id"),
        last_round=("MAX", "round_id"),
    )

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        # Entries of one round: that round's page, where the committee marks them (the entry itself when it is the
        # only one); of several rounds: the list of rounds.
        if row["first_round"] == row["last_round"]:
            url = one_or_list(
                row["n"], row["one"], "reports:award-entry", link("reports:award-detail", row["first_round"])
            )
        else:
            url = link("reports:award-list")
        return [
            Waiting(
                label=ngettext_lazy("%(count)s award entry to mark", "%(count)s award entries to mark", "count"),
                count=row["n"],
                url=url,
                effort=Effort.INSTITUTION,
                kind="reports.awards.marks",
            )
        ]

    return read
