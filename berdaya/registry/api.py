"""The registry over the API: households and persons of the caller's scope, under the one rule for personal data.

`shown` and `reveal` are the API's only ways to a NIK, KK number or address: every endpoint that returns a person
(here, in targeting and in groups) goes through `shown`, which asks `privacy.shown_for` as a page does (masked numbers
for every role, the address only for a role that keeps the registry, the name alone for a person outside the
caller's region), and the reveal endpoint through `reveal`, which calls the same service as the page's "Show NIK"
button, so the full number is written to the access log alike (docs/architecture.md, Personal data).
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from berdaya.accounts.models import User
from berdaya.lib.api import ErrorOut, KeysetPagination, get_visible, require
from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import region_q

from . import privacy, selectors, services
from .models import Household, HouseholdQuerySet, Person, PersonQuerySet

router = Router(tags=["registry"])


# The one place that decides what the API shows of a person (see the module's docstring).
def shown(
    user: User, *, village_code: str | None, nik: str | None = None, kk_number: str | None = None, address: str = ""
) -> privacy.Shown:
    """A person's numbers and address as the API returns them: as a page shows them, never in full (a full number
    leaves only through the logged reveal, or a logged document or export)."""
    return privacy.shown_for(
        user, nik=nik, kk_number=kk_number, address=address, village_code=village_code, issuer=False
    )


def reveal(user: User, person: Person, request: AuthedRequest) -> str:
    """One person's full NIK, logged as the page's reveal is (refused for a role that may not see it)."""
    return services.reveal_nik(person=person, by=user, request=request)


class HouseholdOut(Schema):
    id: int
    kk_number: str
    address: str
    village: str
    decile: int | None
    register_id: str
    register_verified_on: dt.date | None

    @staticmethod
    def resolve_kk_number(household: Household, context: dict[str, AuthedRequest]) -> str:
        return shown(
            context["request"].user, kk_number=household.kk_number, village_code=household.village_id
        ).kk_number

    @staticmethod
    def resolve_address(household: Household, context: dict[str, AuthedRequest]) -> str:
        return shown(context["request"].user, address=household.address, village_code=household.village_id).address

    @staticmethod
    def resolve_village(household: Household) -> str:
        return household.village_id


class PersonOut(Schema):
    id: int
    nik: str
    name: str
    household: int
    village: str
    relation: str
    sex: str
    birth_date: dt.date | None
    marital_status: str
    education: str
    occupation: str
    disability: str

    @staticmethod
    def resolve_nik(person: Person, context: dict[str, AuthedRequest]) -> str:
        return shown(context["request"].user, nik=person.nik, village_code=person.household.village_id).nik

    @staticmethod
    def resolve_household(person: Person) -> int:
        return person.household_id

    @staticmethod
    def resolve_village(person: Person) -> str:
        return person.household.village_id


class RevealOut(Schema):
    id: int
    nik: str


@router.get("/households", response=list[HouseholdOut], operation_id="registry_households_list")
@paginate(KeysetPagination)
def households_list(request: AuthedRequest, region: str = "", q: str = "") -> HouseholdQuerySet:
    """Households of your scope: in a `region` (a kecamatan or village code), found by KK number, NIK or name (`q`)."""
    require(request, "registry.view_household")
    return selectors.households_for_list(user=request.user, query=q, village=region)


@router.get(
    "/households/{pk}",
    response={200: HouseholdOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="registry_households_detail",
)
def households_detail(request: AuthedRequest, pk: int) -> Household:
    """One household of your scope."""
    require(request, "registry.view_household")
    return get_visible(Household.objects.visible_to(request.user), pk)


@router.get("/persons", response=list[PersonOut], operation_id="registry_persons_list")
@paginate(KeysetPagination)
def persons_list(request: AuthedRequest, region: str = "", household: int | None = None, q: str = "") -> PersonQuerySet:
    """Persons of your scope: in a `region`, of a `household`, found by NIK, KK number or name (`q`)."""
    require(request, "registry.view_person")
    if not q:
        # The list's own filter without its name ordering (pages go by id): one index range per page.
        persons = Person.objects.visible_to(request.user).select_related("household")
        if region:
            persons = persons.filter(region_q("household__village__code", region))
    else:
        persons = selectors.persons_for_list(user=request.user, query=q, village=region)
    if household is not None:
        persons = persons.filter(household_id=household)
    return persons


@router.get(
    "/persons/{pk}", response={200: PersonOut, 403: ErrorOut, 404: ErrorOut}, operation_id="registry_persons_detail"
)
def persons_detail(request: AuthedRequest, pk: int) -> Person:
    """One person of your scope."""
    require(request, "registry.view_person")
    return get_visible(Person.objects.visible_to(request.user).select_related("household"), pk)


@router.post(
    "/persons/{pk}/reveal",
    response={200: RevealOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="registry_persons_reveal",
)
def persons_reveal(request: AuthedRequest, pk: int) -> RevealOut:
    """One person's full NIK, for a role that may reveal NIKs; logged in the NIK reveal log as the page's button is."""
    require(request, "registry.reveal_nik")
    person = get_visible(Person.objects.visible_to(request.user), pk)
    return RevealOut(id=person.pk, nik=reveal(request.user, person, request))
