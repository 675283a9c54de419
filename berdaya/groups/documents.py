"""Printable group documents: the berita acara pembentukan and the member list with officers (PDF)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from berdaya.registry.privacy import Shown, shown_person
from berdaya.targeting.models import Letterhead

from .models import Kube, Membership

if TYPE_CHECKING:
    from berdaya.accounts.models import User


def _pdf(template: str, context: dict[str, object]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time no other page needs

    return bytes(HTML(string=render_to_string(template, context), base_url="/").write_pdf())


def _context(kube: Kube, members: Sequence[Membership], letterhead: Letterhead) -> dict[str, object]:
    officers = {m.role: m for m in members if m.is_officer}
    logo = ""
    if letterhead.logo:
        try:
            logo = "file://" + letterhead.logo.path
        except (NotImplementedError, ValueError):
            logo = ""
    return {
        "kube": kube,
        "members": members,
        "letterhead": letterhead,
        "logo_url": logo,
        "chair": officers.get(Membership.Role.CHAIR),
        "secretary": officers.get(Membership.Role.SECRETARY),
        "treasurer": officers.get(Membership.Role.TREASURER),
    }


def formation_minutes_pdf(*, kube: Kube, members: Sequence[Membership], letterhead: Letterhead) -> bytes:
    """The berita acara pembentukan: the meeting, the officers elected, the business, the rules, the signatures."""
    return _pdf("groups/documents/formation_minutes.html", _context(kube, members, letterhead))


@dataclass(frozen=True)
class MemberRow:
    """One line of the member list: the member and their NIK, KK number and address as the viewer may see them."""

    member: Membership
    shown: Shown


def member_rows(members: Sequence[Membership], *, viewer: User | None) -> list[MemberRow]:
    """The member list's lines under the personal-data rule (registry.privacy): full numbers for the Dinas, masked
    for other roles, the name alone for a member living outside the viewer's region."""
    return [MemberRow(member, shown_person(viewer, member.person)) for member in members]


def member_list_pdf(*, kube: Kube, rows: Sequence[MemberRow], letterhead: Letterhead) -> bytes:
    """The current members with their office, NIK, household and village, as `member_rows` shows them."""
    members = [row.member for row in rows]
    return _pdf("groups/documents/member_list.html", {**_context(kube, members, letterhead), "rows": rows})
