"""Everything Berdaya holds about one person, for the office to answer a request under UU 27/2022 (personal data).

A project-level module: the record spans the registry, targeting, groups and mentoring, which sit in different
layers. The Admin Dinas downloads it as one JSON file from the person's page; the download is itself a disclosure of
full personal data, so it writes one row of the access log (registry.privacy).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from berdaya.groups.models import Membership
from berdaya.lib.http import AuthedRequest
from berdaya.mentoring.models import Visit, VisitPhoto
from berdaya.registry.models import Disclosure, Person
from berdaya.registry.privacy import disclosures_about, record_disclosure
from berdaya.targeting.models import Nominee, Verval

PERMISSION = "registry.export_person_data"


def _fields(record: models.Model, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A record's own columns (a related record by its id, a file by its stored name)."""
    values: dict[str, Any] = {}
    for field in record._meta.concrete_fields:
        if field.name in leave_out:
            continue
        value = getattr(record, field.attname)
        values[field.attname] = getattr(value, "name", value) if isinstance(field, models.FileField) else value
    return values


def person_record(person: Person) -> dict[str, Any]:
    """Every record about `person`: household, person fields, assistance history, nominations (with the Dinas's
    home visit), group memberships, the facilitator visits they attended, the photos of them or their home, and the
    access log rows about them."""
    household = person.household
    nominees = list(
        Nominee.objects.filter(models.Q(person=person) | models.Q(nik=person.nik))
        .select_related("cycle", "nomination_list__village")
        .order_by("pk")
    )
    vervals = {v.nominee_id: v for v in Verval.objects.filter(nominee__in=nominees)}
    memberships = list(Membership.objects.filter(person=person).select_related("kube").order_by("joined_on", "pk"))
    visits = list(
        Visit.objects.filter(attendees__in=memberships).select_related("kube").distinct().order_by("visited_on", "pk")
    )
    photos = [
        {"kind": "home (verval)", "file": v.photo.name, "taken_on": v.visit_date} for v in vervals.values() if v.photo
    ] + [
        {"kind": "visit", "file": p.image.name, "taken_on": p.visit.visited_on}
        for p in VisitPhoto.objects.filter(visit__in=visits).select_related("visit").order_by("pk")
    ]
    return {
        "person": _fields(person),
        "household": {
            **_fields(household),
            "village_name": household.village.name,
            "members": [
                {"id": m.pk, "name": m.name, "nik": m.nik, "relation": m.relation}
                for m in household.members.order_by("pk")
            ],
        },
        "assistance": [_fields(record) for record in person.assistance.order_by("year", "pk")],
        "nominations": [
            {
                **_fields(nominee),
                "cycle_name": nominee.cycle.name,
                "village_name": nominee.nomination_list.village.name,
                "verval": _fields(vervals[nominee.pk]) if nominee.pk in vervals else None,
            }
            for nominee in nominees
        ],
        "memberships": [{**_fields(m), "kube_name": m.kube.name} for m in memberships],
        "visits_attended": [
            {"id": v.pk, "kube_name": v.kube.name, "visited_on": v.visited_on, "purpose": v.purpose, "notes": v.notes}
            for v in visits
        ],
        "photos": photos,
        "access_log": [
            {
                "at": d.at,
                "by": str(d.by),
                "username": d.by.username,
                "kind": d.kind,
                "document": d.document,
                "rows": d.count,
                "ip": d.ip,
            }
            for d in disclosures_about(person)
        ],
    }


@permission_required(PERMISSION, raise_exception=True)
def person_data_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """One person's record as a JSON file; logged in the access log."""
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("household__village"), pk=pk)
    record = {"generated_at": timezone.now(), "generated_by": request.user.username, **person_record(person)}
    record_disclosure(
        by=request.user,
        kind=Disclosure.Kind.PERSON_DATA,
        region=person.household.village_id,
        person=person,
        document=person.name,
        request=request,
    )
    response = HttpResponse(
        json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="data-pribadi-{person.pk}.json"'
    return response
