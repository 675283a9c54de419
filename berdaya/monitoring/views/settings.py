"""The Dinas's monitoring settings: versions of the rules, the monev checklist, the environmental practices.

The Admin Dinas changes them (monitoring.configure_monitoring); a Dinas officer reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from berdaya.lib.actions import confirm_first, perform
from berdaya.lib.confirm import Confirmation
from berdaya.lib.formats import day
from berdaya.lib.http import AuthedRequest, record_id
from berdaya.mentoring.models import EnvironmentPractice
from berdaya.monitoring import configuration
from berdaya.monitoring.forms import ChecklistItemForm, QuestionAddForm, RuleSetForm
from berdaya.monitoring.models import Bina, MonevQuestion
from berdaya.regions.models import Region

CONFIGURE = "monitoring.configure_monitoring"


def _may_read(request: AuthedRequest) -> None:
    """The Admin Dinas, and the officers who make monevs, read the settings; only the admin changes them."""
    user = request.user
    if not (user.has_perm(CONFIGURE) or user.has_perm("monitoring.add_monevvisit")):
        raise PermissionDenied
    if request.method == "POST" and not user.has_perm(CONFIGURE):
        raise PermissionDenied


def _regency(request: AuthedRequest) -> tuple[Region, list[Region]]:
    """The regency the page is about: the user's own, or the one a province user picked (the first by default)."""
    regencies = list(configuration.regencies_for(request.user))
    if not regencies:
        raise Http404
    own = request.user.region_id
    wanted = request.POST.get("regency") or request.GET.get("regency") or own
    chosen = next((region for region in regencies if region.code == wanted), regencies[0])
    return chosen, regencies


def rule_settings(request: AuthedRequest) -> HttpResponse:
    """The rules in force for the regency, the versions, and the form for a new version (saved after a confirmation)."""
    _may_read(request)
    regency, regencies = _regency(request)
    rules, groups = configuration.rules_in_force(regency=regency)
    form = RuleSetForm(request.POST or None, rules=rules)
    back = f"{reverse('monitoring:settings')}?regency={regency.code}"
    if request.method == "POST":
        asked = confirm_first(request, lambda: _confirmation(regency, form), back=back, form=form)
        if asked is not None:
            return asked
        data = {key: form.cleaned_data[key] for key in ("effective_from", "note", "values")} if form.is_valid() else {}
        if perform(request, configuration.add_rule_set, form=form, data=data, regency=regency):
            messages.success(request, _("The new version of the rules is stored."))
            return redirect(back)
    context = {
        "regency": regency,
        "regencies": regencies if len(regencies) > 1 else [],
        "groups": groups,
        "rules": rules,
        "versions": configuration.rule_set_versions(user=request.user, regency=regency),
        "form": form,
        "earliest": configuration.earliest_effective_date(),
        "can_configure": request.user.has_perm(CONFIGURE),
    }
    return render(request, "monitoring/settings_rules.html", context)


def _confirmation(regency: Region, form: RuleSetForm) -> Confirmation | None:
    """What a new version changes, setting by setting; None when it changes nothing (the service says so)."""
    effective_from = form.cleaned_data["effective_from"]
    changes = configuration.rule_changes(
        regency=regency, effective_from=effective_from, values=form.cleaned_data["values"]
    )
    if not changes or not form.cleaned_data["note"].strip():
        return None
    return Confirmation(
        title=_("Store a new version of the rules for %(regency)s?") % {"regency": regency.name},
        effects=[
            _("From %(date)s every group of %(regency)s is judged by these rules; earlier months keep theirs.")
            % {"date": day(effective_from), "regency": regency.name},
            ngettext("%(count)d setting changes.", "%(count)d settings change.", len(changes))
            % {"count": len(changes)},
        ],
        rows=[
            (str(change.label), f"{change.before} → {change.after} {change.setting.unit}".strip()) for change in changes
        ],
        rows_title=_("What changes"),
        quote=form.cleaned_data["note"],
        quote_label=_("What changed and why"),
        final=_("A version is never edited; to correct it, store another version."),
        button=_("Store the new version"),
    )


# Checklists ------------------------------------------------------------------------------------------------------


def _checklist(
    request: AuthedRequest,
    *,
    model: type[MonevQuestion] | type[EnvironmentPractice],
    add: Callable[..., Any],
    add_form: type[ChecklistItemForm],
    template: str,
    url: str,
) -> HttpResponse:
    """One page for a checklist: its items with a form each (reword, move, retire, restore), and a form to add one.

    A POST says what to do (`action`) and to which item (`item`)."""
    _may_read(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            form = add_form(request.POST)
            if perform(request, add, form=form, success=_("Item added.")):
                return redirect(url)
            return _checklist_page(request, model, add_form, template, adding=form)
        item: Model = get_object_or_404(model._default_manager.all(), pk=record_id(request.POST.get("item")) or 0)
        if action == "change":
            form = ChecklistItemForm(request.POST)
            if perform(request, configuration.change_item, form=form, item=item, success=_("Item saved.")):
                return redirect(url)
            return _checklist_page(request, model, add_form, template, editing=(item.pk, form))
        services = {"retire": configuration.retire_item, "restore": configuration.restore_item}
        if action not in services:
            raise Http404
        perform(request, services[action], item=item, success=_("Item saved."))
        return redirect(url)
    return _checklist_page(request, model, add_form, template)


def _checklist_page(
    request: AuthedRequest,
    model: type[MonevQuestion] | type[EnvironmentPractice],
    add_form: type[ChecklistItemForm],
    template: str,
    *,
    adding: ChecklistItemForm | None = None,
    editing: tuple[int, ChecklistItemForm] | None = None,
) -> HttpResponse:
    items: list[MonevQuestion | EnvironmentPractice] = list(model._default_manager.all())
    rows = [
        (
            item,
            editing[1]
            if editing and editing[0] == item.pk
            else ChecklistItemForm(initial={"text": item.text, "order": item.order}, auto_id=f"item{item.pk}_%s"),
        )
        for item in items
    ]
    context = {
        "rows": rows,
        "form": adding or add_form(),
        "can_configure": request.user.has_perm(CONFIGURE),
        "efforts": Bina.choices,
    }
    return render(request, template, context)


def questions(request: AuthedRequest) -> HttpResponse:
    """The monev checklist, by effort."""
    return _checklist(
        request,
        model=MonevQuestion,
        add=configuration.add_question,
        add_form=QuestionAddForm,
        template="monitoring/settings_questions.html",
        url=reverse("monitoring:questions"),
    )


def practices(request: AuthedRequest) -> HttpResponse:
    """The checklist of environmental practices (bina lingkungan)."""
    return _checklist(
        request,
        model=EnvironmentPractice,
        add=configuration.add_practice,
        add_form=ChecklistItemForm,
        template="monitoring/settings_practices.html",
        url=reverse("monitoring:practices"),
    )
