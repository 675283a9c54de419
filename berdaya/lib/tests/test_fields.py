from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.lib.fields import RecordsChoiceField
from berdaya.lib.http import record_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "1.5", "-1", "\u00b2"])
def test_a_value_that_is_not_a_record_id_is_refused_as_unknown(value):
    UserFactory()
    field = RecordsChoiceField(queryset=User.objects.all())

    with pytest.raises(ValidationError) as refused:
        field.clean([value])

    assert refused.value.code == "invalid_pk_value"


def test_records_chosen_by_id_are_found():
    user = UserFactory()
    field = RecordsChoiceField(queryset=User.objects.all())

    assert list(field.clean([str(user.pk)])) == [user]


@pytest.mark.parametrize(("value", "found"), [("42", 42), ("", None), (None, None), ("4" * 19, None), ("٣", None)])
def test_record_id_reads_only_plain_ids(value, found):
    assert record_id(value) == found
