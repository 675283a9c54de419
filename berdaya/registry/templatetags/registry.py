"""How a page shows NIK and KK numbers: masked for every role, the full NIK only on a logged reveal.

The rule itself (who sees what) is `berdaya.registry.privacy`; these are its template forms.

Pages show a NIK with `{% nik number person %}` (nominee tables, group members, the registry): masked, with a
"Show NIK" button for a user with `registry.reveal_nik` that reveals it through the registry's reveal view, which logs
who saw whose number. Documents and KK numbers use `{{ number|masked_for:user }}`: in full only for a user who may
reveal NIKs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import template

from berdaya.registry import privacy

if TYPE_CHECKING:
    from berdaya.accounts.models import User
    from berdaya.registry.models import Person

register = template.Library()

REVEAL_PERMISSION = privacy.FULL_PERMISSION
# A NIK or KK number inside a sentence: sixteen digits that are not part of a longer number.
_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")


masked_nik = register.filter("masked_nik", privacy.masked_nik)


def may_reveal(user: User | None) -> bool:
    return user is not None and user.has_perm(REVEAL_PERMISSION)


@register.filter
def address_for(address: str | None, user: User | None) -> str:
    """An in-scope address as the user may see it: in full for the Dinas and the operators who keep the registry,
    hidden for everyone else (privacy.shown_for)."""
    return privacy.shown_for(user, nik="", kk_number="", address=address, village_code=None).address


@register.filter
def masked_for(number: str | None, user: User | None) -> str:
    """A NIK or KK number in full for a user who may reveal NIKs, masked for everyone else (and for no user)."""
    return (number or "") if may_reveal(user) else masked_nik(number)


@register.filter
def masked_numbers(text: str | None) -> str:
    """A sentence (a check's finding) with every NIK or KK number in it masked, for every role: the page shows the
    number itself beside it, where a user who may reveals it."""
    return _NUMBER.sub(lambda match: masked_nik(match.group()), text or "")


@register.filter
def numbers_masked_for(text: Any, user: User | None) -> str:
    """A text (a value in a record's history) with its NIK and KK numbers in full for a user who may reveal NIKs, as
    `masked_for` shows them, masked for everyone else."""
    return str(text) if may_reveal(user) else masked_numbers(str(text))


@register.inclusion_tag("registry/_nik.html", takes_context=True)
def nik(
    context: template.Context, number: str | None, person: Person | None = None, revealed: str | None = None
) -> dict[str, Any]:
    """A NIK masked, with a button that reveals it (logged) when the user may and the number has a registry person."""
    return {
        "number": number or (person.nik if person is not None else ""),
        "person": person,
        "revealed_nik": revealed,
        "can_reveal": person is not None and may_reveal(context.get("user")),
    }
