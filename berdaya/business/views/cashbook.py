"""Pages of the cash book: the book and its entry form, reversals, monthly closing, receipts, export and import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.groups.models import Kube
from berdaya.lib.actions import act, confirm_first, perform
from berdaya.lib.confirm import Confirmation
from berdaya.lib.files import protected_file_response
from berdaya.lib.formats import day, month, number, rupiah
from berdaya.lib.http import AuthedRequest

from .. import excel, selectors, services, tasks
from ..forms import CashEntryForm, ImportForm, MonthForm, ReasonForm
from ..models import CashEntry, CashImport, month_start
from .common import VIEW, child, group


def _book_url(kube: Kube) -> str:
    return reverse("business:cash-book", args=[kube.pk])


def _cash_context(request: AuthedRequest, kube: Kube, form: CashEntryForm | None = None) -> dict[str, Any]:
    book = selectors.cash_book(kube=kube, page_number=request.GET.get("page"))
    return {
        "kube": kube,
        "tab": "cash",
        "book": book,
        "actions": selectors.actions_for(request.user, book),
        "form": form or CashEntryForm(initial={"entry_date": timezone.localdate()}),
    }


@permission_required(VIEW, raise_exception=True)
def cash_book(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return render(request, "business/cash_book.html", _cash_context(request, kube))


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    form = CashEntryForm(request.POST, request.FILES)
    if perform(request, services.record_cash_entry, form=form, kube=kube):
        if not request.htmx:
            messages.success(request, _("Entry recorded."))
            return redirect(_book_url(kube))
        form = CashEntryForm(initial={"entry_date": timezone.localdate()})  # a fresh form after a saved entry
    template = "business/_cash_book.html" if request.htmx else "business/cash_book.html"
    return render(request, template, _cash_context(request, kube, form))


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_reverse(request: AuthedRequest, pk: int, entry_pk: int) -> HttpResponse:
    kube = group(request, pk)
    entry = child(request, CashEntry, kube, entry_pk)
    form = ReasonForm(request.POST)
    return act(
        request,
        services.reverse_cash_entry,
        back=_book_url(kube),
        form=form,
        entry=entry,
        success=_("The entry has been reversed."),
        confirm=lambda: _reverse_confirmation(entry, form),
    )


def _reverse_confirmation(entry: CashEntry, form: ReasonForm) -> Confirmation | None:
    """Reversing an entry: which one, the opposite entry that cancels it, and today's date it is written on."""
    if entry.is_reversal or entry.is_reversed or entry.is_derived or not form.cleaned_data["reason"].strip():
        return None  # the service says why not
    today = timezone.localdate()
    return Confirmation(
        title=_("Reverse this entry?"),
        effects=[
            _("An opposite entry of %(amount)s dated %(today)s cancels the entry of %(date)s “%(description)s”.")
            % {
                "amount": rupiah(entry.amount),
                "today": day(today),
                "date": day(entry.entry_date),
                "description": entry.description,
            }
        ],
        quote=form.cleaned_data["reason"],
        quote_label=_("Reason"),
        final=_("A reversal cannot itself be reversed; a mistake is then corrected by a new entry."),
        button=_("Reverse"),
    )


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_close(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    form = MonthForm(request.POST)
    return act(
        request,
        services.close_cash_month,
        back=_book_url(kube),
        form=form,
        kube=kube,
        success=_("The month is closed."),
        confirm=lambda: _close_confirmation(kube, form),
    )


def _close_confirmation(kube: Kube, form: MonthForm) -> Confirmation | None:
    """Closing a month: the month, its income and expenses and the balance it closes with, as they will be fixed."""
    chosen = month_start(form.cleaned_data["month"])
    if chosen != selectors.next_month_to_close(kube) or not selectors.is_closable(chosen):
        return None  # not the month to close now: the service says why
    figures = selectors.month_closing(kube=kube, month=chosen)
    return Confirmation(
        title=_("Close %(month)s?") % {"month": month(chosen)},
        effects=[
            _("The cash book of %(kube)s for %(month)s is closed with these totals.")
            % {"kube": kube.name, "month": month(chosen)}
        ],
        rows=[
            (_("Opening balance"), rupiah(figures.opening)),
            (_("Money in"), rupiah(figures.income)),
            (_("Money out"), rupiah(figures.expense)),
            (_("Closing balance"), rupiah(figures.closing)),
        ],
        final=_(
            "No entry can be added to or reversed in %(month)s or earlier; a mistake is corrected by a reversing "
            "entry in an open month."
        )
        % {"month": month(chosen)},
        button=_("Close %(month)s") % {"month": month(chosen)},
    )


@permission_required(VIEW, raise_exception=True)
def cash_receipt(request: AuthedRequest, pk: int, entry_pk: int) -> HttpResponseBase:
    entry = child(request, CashEntry, group(request, pk), entry_pk)
    return protected_file_response(entry.receipt)


# Excel -----------------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def cash_export(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="buku-kas-{kube.pk}.xlsx"'
    excel.write_cash_book(kube=kube, stream=response)  # type: ignore[arg-type]  # HttpResponse is file-like
    return response


@permission_required("business.add_cashentry", raise_exception=True)
def cash_import(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        outcome = perform(request, services.check_cash_import, form=form, kube=kube)
        if outcome:
            return redirect("business:cashimport-detail", kube.pk, outcome.value.pk)
    imports = CashImport.objects.visible_to(request.user).filter(kube=kube)[:10]
    return render(request, "business/cash_import.html", {"kube": kube, "tab": "cash", "form": form, "imports": imports})


def _import_context(request: AuthedRequest, kube: Kube, job: CashImport) -> dict[str, Any]:
    report = excel.ImportReport.from_dict(job.report)
    return {
        "kube": kube,
        "tab": "cash",
        "job": job,
        "actions": selectors.actions_for(request.user, job),
        "report": report,
        "issues": [issue.text for issue in report.issues[:500]],
        "progress": tasks.read_progress(job) if job.is_running else report.rows,
        "progress_url": reverse("business:cashimport-progress", args=[kube.pk, job.pk]),
    }


@permission_required("business.add_cashentry", raise_exception=True)
def cash_import_detail(request: AuthedRequest, pk: int, import_pk: int) -> HttpResponse:
    kube = group(request, pk)
    job = child(request, CashImport, kube, import_pk)
    context = _import_context(request, kube, job)
    if "commit" in context["actions"]:
        context["balance_after"] = excel.balance_after(kube=kube, report=context["report"])
    return render(request, "business/cash_import_detail.html", context)


@permission_required("business.add_cashentry", raise_exception=True)
def cash_import_progress(request: AuthedRequest, pk: int, import_pk: int) -> HttpResponse:
    """The progress fragment the import page polls every second while the task worker checks or stores the file."""
    kube = group(request, pk)
    job = child(request, CashImport, kube, import_pk)
    response = render(request, "_import_progress.html", _import_context(request, kube, job))
    if not job.is_running and request.htmx:
        response["HX-Refresh"] = "true"  # finished: reload the whole page once, to show the report and the next step
    return response


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_import_commit(request: AuthedRequest, pk: int, import_pk: int) -> HttpResponse:
    kube = group(request, pk)
    job = child(request, CashImport, kube, import_pk)
    back = reverse("business:cashimport-detail", args=[kube.pk, job.pk])
    if (asked := confirm_first(request, lambda: _commit_confirmation(request, kube, job), back=back)) is not None:
        return asked
    perform(request, services.commit_cash_import, job=job)
    return redirect(back)  # its progress, then what was stored


def _commit_confirmation(request: AuthedRequest, kube: Kube, job: CashImport) -> Confirmation | None:
    """Importing a checked file: how many rows go in, their totals and the balance after (as its report says)."""
    if "commit" not in selectors.actions_for(request.user, job):
        return None
    report = excel.ImportReport.from_dict(job.report)
    return Confirmation(
        title=_("Import this file into the cash book?"),
        effects=[
            _("%(count)s entries go into the cash book of %(kube)s.")
            % {"count": number(report.accepted), "kube": kube.name},
            _("%(duplicates)s rows already in the book and %(rejected)s refused rows are left out.")
            % {"duplicates": number(report.duplicates), "rejected": number(report.rejected)},
        ],
        rows=[
            (_("Money in"), rupiah(report.income)),
            (_("Money out"), rupiah(report.expense)),
            (_("Balance after the import"), rupiah(excel.balance_after(kube=kube, report=report))),
        ],
        final=_("The entries are then in the book: a wrong one is corrected by a reversing entry, one by one."),
        button=_("Import the entries"),
    )
