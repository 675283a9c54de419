"""Changes to the registry: one function per action, each in a transaction and recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.lib.errors import DomainError
from berdaya.regions.models import Region

from .models import Household, NikReveal, Person


class RegistryError(DomainError):
    pass


def _check_village(*, village: Region, by: User) -> None:
    if village.level != Region.Level.VILLAGE:
        raise RegistryError(_("Choose a village (desa or kelurahan)."))
    if not village.code_within(by.region_id):
        raise RegistryError(_("%(village)s is outside your region.") % {"village": village.name})


def update_household(*, household: Household, by: User, **fields: Any) -> Household:
    """Change a household's address, village, decile or register details."""
    if "village" in fields:
        _check_village(village=fields["village"], by=by)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(household, name, value)
        household._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
        household.full_clean()
        household.save()
    return household


def update_person(*, person: Person, by: User, **fields: Any) -> Person:
    """Change a person's details; the NIK and the household stay as registered."""
    if "nik" in fields or "household" in fields:
        raise RegistryError(_("The NIK and the household are changed by importing a corrected registry."))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(person, name, value)
        person._history_user = by  # type: ignore[attr-defined]
        person.full_clean()
        person.save()
    return person


def reveal_nik(*, person: Person, by: User) -> str:
    """Show a person's full NIK to a user who may see it, and log that they did."""
    if not by.has_perm("registry.reveal_nik"):
        raise RegistryError(_("You may not reveal NIKs."))
    NikReveal.objects.create(person=person, by=by)
    return person.nik
