"""Names are cleaned where they enter: every form that takes a person's, a group's or a user's name stores it in
Unicode NFC without bidi or zero-width controls (berdaya.lib.text.clean_name; the registry import does the same,
see registry/tests/test_importing.py)."""

from __future__ import annotations

import unicodedata

import pytest

from berdaya.accounts.forms import UserForm
from berdaya.groups.forms import KubeProfileForm
from berdaya.groups.tests.factories import KubeFactory
from berdaya.registry.forms import PersonForm
from berdaya.targeting.forms import NewNomineeForm

pytestmark = pytest.mark.django_db

HOSTILE = "\u202eSiti\u200b Ami\u2066nah\ufeff"
DECOMPOSED = unicodedata.normalize("NFD", "Désy")


def test_a_persons_name_is_cleaned_in_the_person_form():
    form = PersonForm({"name": HOSTILE, "relation": "head", "sex": "P"})
    form.is_valid()

    assert form.cleaned_data["name"] == "Siti Aminah"


def test_a_nominees_name_is_cleaned_in_the_new_nominee_form():
    form = NewNomineeForm({"name": DECOMPOSED})
    form.is_valid()

    assert form.cleaned_data["name"] == "Désy"
    assert unicodedata.is_normalized("NFC", form.cleaned_data["name"])


def test_a_groups_name_and_account_holder_are_cleaned_in_the_profile_form(regions):
    kube = KubeFactory(village=regions["village_a"])
    form = KubeProfileForm({"name": "KUBE \u200dMawar", "bank_account_holder": HOSTILE}, instance=kube)
    form.is_valid()

    assert (form.cleaned_data["name"], form.cleaned_data["bank_account_holder"]) == ("KUBE Mawar", "Siti Aminah")


def test_a_users_names_are_cleaned_in_the_user_form(users):
    form = UserForm({"first_name": HOSTILE, "last_name": "\u200fLestari"}, user=users["admin"])
    form.is_valid()

    assert (form.cleaned_data["first_name"], form.cleaned_data["last_name"]) == ("Siti Aminah", "Lestari")


def test_a_name_of_hidden_characters_only_is_refused_as_empty(users):
    form = UserForm({"first_name": "\u200b\u202e"}, user=users["admin"])

    assert not form.is_valid()
    assert "first_name" in form.errors
