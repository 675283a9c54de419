"""How a page shows NIK and KK numbers: masked for every role, in full only on a logged reveal.

The rule itself (who sees what) is `berdaya.registry.privacy`; these are its template forms. Pages never carry a
full number: a NIK is shown with `{% nik number person %}` (masked, with a "Show NIK" button for a user who may see
it in full, which reveals the NIK and the KK number through the registry's logged reveal), a KK number with
`|masked_nik`, a sentence or a history value with `|masked_numbers`, an address with `|address_for:user`. Documents
and exports take their values from `privacy.shown_for`.
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
    """The user may be offered a reveal (the reveal itself checks the person's region: privacy.may_see_full)."""
    return user is not None and user.has_perm(REVEAL_PERMISSION)


@register.filter
def address_for(address: str | None, user: User | None) -> str:
    """An in-scope address as the user may see it: in full for the Dinas and the operators who keep the registry,
    hidden for everyone else (privacy.shown_for)."""
    return privacy.shown_for(user, nik="", kk_number="", address=address, village_code=None).address


@register.filter
def masked_numbers(text: str | None) -> str:
    """A sentence (a check's finding, a value in a record's history) with every NIK or KK number in it masked, for
    every role: the page shows the number itself beside it, where a user who may reveals it."""
    return _NUMBER.sub(lambda match: masked_nik(match.group()), text or "")


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
