"""A reason a service stored in English is read in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from berdaya.accounts.models import User
from berdaya.lib.history import shown_reason
from berdaya.targeting.models import NominationList


@pytest.mark.parametrize(("language", "shown"), [("id", "Diajukan"), ("en", "Submitted")])
def test_a_workflow_step_is_shown_in_the_readers_language(language, shown):
    with translation.override(language):
        assert shown_reason(NominationList, "submit") == shown


def test_a_reason_naming_a_status_is_shown_by_the_status_label():
    with translation.override("id"):
        assert shown_reason(NominationList, "endorsed") == "Disahkan"


def test_a_reason_someone_typed_is_shown_as_written():
    with translation.override("id"):
        assert shown_reason(NominationList, "Pegawai honorer") == "Pegawai honorer"


def test_a_merge_names_the_other_record():
    with translation.override("en"):
        assert shown_reason(User, "merged into #12") == "Merged into #12"


def test_a_status_label_stored_in_indonesian_reads_in_english():
    with translation.override("id"):
        stored = str(NominationList.Status.ENDORSED.label)

    with translation.override("en"):
        assert shown_reason(NominationList, stored) == "Endorsed"
