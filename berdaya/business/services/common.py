"""What the business services share: their errors, the group lock and the check of an amount of Rupiah."""

from __future__ import annotations

from berdaya.groups.models import Kube
from berdaya.lib.errors import DomainError

from ..cash_rules import amount_error


class BusinessError(DomainError):
    pass


class CashBookError(BusinessError):
    pass


class AidError(BusinessError):
    pass


class PlanError(BusinessError):
    pass


class IksError(BusinessError):
    pass


class LoanError(BusinessError):
    pass


def lock_kube(kube: Kube) -> Kube:
    """The group row, locked until the transaction ends: actions on one group's books queue behind each other."""
    return Kube.objects.select_for_update().select_related("cycle").get(pk=kube.pk)


def check_amount(amount: object) -> int:
    """A positive whole number of Rupiah below the absurd-amount ceiling; a clear message otherwise."""
    error = amount_error(amount)
    if error is not None:
        raise BusinessError(error.text)
    assert isinstance(amount, int)
    return amount
