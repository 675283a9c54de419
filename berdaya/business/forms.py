"""Input shapes and field errors; the programme's rules live in services.py."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from berdaya.lib.uploads import FileRefused, Limits, check_uploaded_file

from .models import AidStage, Asset, CashEntry, CreditApplication, IksEntry, Partnership

# "1500000", "1.500.000" or "1,500,000" (thousands in groups of three), optionally "Rp 1.500.000".
# Beyond any amount a group handles, and far inside the database's 64-bit integers: a longer number is a typing
# error, and stored it would overflow the column (a 500) or every total it enters.
MAX_RUPIAH = 10**12 - 1
# A PositiveIntegerField's range on every database Berdaya runs on.
MAX_QUANTITY = 2_147_483_647
_RUPIAH = re.compile(r"^(?:\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+)$")


class RupiahField(forms.CharField):
    """A whole number of Rupiah as people type it; never goes through a float."""

    def __init__(self, *, min_value: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.min_value = min_value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        text = re.sub(r"^rp\.?\s*", "", text, flags=re.IGNORECASE).replace(" ", "")
        if not text:
            return None
        if text.startswith("-"):
            raise ValidationError(_("The amount cannot be negative."), code="negative")
        if not _RUPIAH.match(text):
            raise ValidationError(_("Type a whole number of Rupiah, such as 1500000 or 1.500.000."), code="invalid")
        digits = re.sub(r"[.,]", "", text)
        # Compared as text first: int() refuses a number of more than 4,300 digits (a 500, not a message).
        if len(digits.lstrip("0")) > len(str(MAX_RUPIAH)):
            raise ValidationError(_("The amount must be at most %(max)s.") % {"max": MAX_RUPIAH}, code="max_value")
        amount = int(digits)
        if amount < self.min_value:
            raise ValidationError(_("The amount must be at least %(min)s.") % {"min": self.min_value}, code="min_value")
        if amount > MAX_RUPIAH:
            raise ValidationError(_("The amount must be at most %(max)s.") % {"max": MAX_RUPIAH}, code="max_value")
        return amount


class DateInput(forms.DateInput):
    input_type = "date"


class CashEntryForm(forms.Form):
    entry_date = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("In or out"), choices=CashEntry.Kind.choices)
    category = forms.ChoiceField(
        label=_("Category"), choices=[c for c in CashEntry.Category.choices if c[0] not in ("aid", "reversal")]
    )
    amount = RupiahField(label=_("Amount (Rp)"))
    description = forms.CharField(label=_("Description"), max_length=255)
    receipt = forms.FileField(label=_("Receipt photo"), required=False)
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, required=False)
    unit_price = RupiahField(label=_("Unit price (Rp)"), required=False)
    buyer_type = forms.ChoiceField(label=_("Buyer"), choices=[("", "—"), *CashEntry.BuyerType.choices], required=False)
    channel = forms.ChoiceField(
        label=_("Market channel"), choices=[("", "—"), *CashEntry.Channel.choices], required=False
    )
    # Sent twice (a retry after a lost answer), written once (services.record_cash_entry).
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"])


class PlanForm(forms.Form):
    summary = forms.CharField(label=_("Business description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    products = forms.CharField(label=_("Planned products"), max_length=255, required=False)
    expected_monthly_revenue = RupiahField(label=_("Expected monthly revenue (Rp)"), min_value=0)
    revolving_fund = forms.BooleanField(label=_("Runs a revolving fund (dana bergulir)"), required=False)


class BudgetLineForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=150)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    unit_price = RupiahField(label=_("Unit price (Rp)"))


class AidStageForm(forms.Form):
    amount = RupiahField(label=_("Amount (Rp)"), required=False)
    share = forms.DecimalField(
        label=_("or share of the aid (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    planned_on = forms.DateField(label=_("Planned date"), widget=DateInput)
    condition = forms.ChoiceField(label=pgettext_lazy("aid stage", "Condition"), choices=AidStage.Condition.choices)


class ConditionMetForm(forms.Form):
    met_on = forms.DateField(label=_("Condition met on"), widget=DateInput)


class PayStageForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    transfer_reference = forms.CharField(label=_("Transfer reference"), max_length=100)
    proof = forms.FileField(label=_("Proof of transfer"), required=False)
    override_reason = forms.CharField(
        label=_("Reason for paying before the condition is met"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class AssetForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=150)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    value = RupiahField(label=_("Value (Rp)"), min_value=0)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    location = forms.CharField(label=_("Location"), max_length=150, required=False)
    from_aid = forms.BooleanField(label=_("In-kind aid"), required=False, initial=True)
    photo = forms.FileField(label=_("Photo"), required=False)


class AssetCheckForm(forms.Form):
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput)
    condition = forms.ChoiceField(label=_("Condition"), choices=Asset.Condition.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    photo = forms.FileField(label=_("Photo"), required=False)


class AllocationForm(forms.Form):
    period_start = forms.DateField(label=_("From month"), input_formats=["%Y-%m", "%Y-%m-%d"])
    period_end = forms.DateField(label=_("To month"), input_formats=["%Y-%m", "%Y-%m-%d"])


class IksUseForm(forms.Form):
    entry_date = forms.DateField(label=_("Date"), widget=DateInput)
    purpose = forms.ChoiceField(label=_("For"), choices=IksEntry.Purpose.choices)
    amount = RupiahField(label=_("Amount (Rp)"))
    beneficiary = forms.CharField(label=_("Beneficiary"), max_length=150)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


class IksContributionForm(forms.Form):
    entry_date = forms.DateField(label=_("Date"), widget=DateInput)
    amount = RupiahField(label=_("Amount (Rp)"))
    description = forms.CharField(label=_("Description"), max_length=255)


class LoanForm(forms.Form):
    borrower = forms.CharField(label=_("Borrower"), max_length=150)
    is_member = forms.BooleanField(label=_("Member of the group"), required=False, initial=True)
    principal = RupiahField(label=_("Amount lent (Rp)"))
    issued_on = forms.DateField(label=_("Lent on"), widget=DateInput)
    instalments = forms.IntegerField(label=_("Monthly instalments"), min_value=1, max_value=60)
    purpose = forms.CharField(label=_("Purpose"), max_length=255, required=False)


class RepaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    amount = RupiahField(label=_("Amount (Rp)"))


class CreditForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Scheme"), choices=CreditApplication.Scheme.choices)
    lender = forms.CharField(label=_("Bank or lender"), max_length=100)
    amount_requested = RupiahField(label=_("Amount requested (Rp)"))
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class CreditDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in CreditApplication.Outcome.choices if c[0] != "pending"]
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput)
    amount_approved = RupiahField(label=_("Amount approved (Rp)"), required=False)


class PartnershipForm(forms.Form):
    partner = forms.CharField(label=_("Partner"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Partnership.Kind.choices)
    started_on = forms.DateField(label=_("Since"), widget=DateInput)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)


class MarketEventForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    location = forms.CharField(label=_("Location"), max_length=150, required=False)


class ParticipationForm(forms.Form):
    event: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Market event"), queryset=None)
    sales = RupiahField(label=_("Sales (Rp)"), min_value=0)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, events: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Cash book spreadsheet (XLSX)"))

    def clean_file(self) -> Any:
        """Its size and that it is a zip, nothing more: the task worker reads it (berdaya.lib.uploads)."""
        file = self.cleaned_data["file"]
        try:
            check_uploaded_file(file, Limits.of("cash_book"), xlsx=True)
        except FileRefused as error:
            raise forms.ValidationError(error.message) from error
        return file

    def add_error(self, field: str | None, error: Any) -> None:
        # The file is all there is to refuse here: a refusal (an unreadable file) is shown beside it.
        super().add_error(field or "file", error)
