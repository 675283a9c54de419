"""The review queue: the engine's findings in the registry, a reviewer's decision, and merging."""

import datetime as dt

import pytest
from django.apps import apps
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from berdaya.registry.models import AssistanceRecord, Disclosure, ImportJob, Person
from berdaya.registry.privacy import disclosures_about, record_disclosure
from berdaya.registry.tests.factories import AssistanceRecordFactory, HouseholdFactory, PersonFactory
from berdaya.screening.models import MatchCandidate, MergedPerson, ScreeningRun
from berdaya.screening.selectors import actions_for
from berdaya.screening.services import (
    ScreeningError,
    merge_persons,
    review_candidate,
    screen_registry,
    start_screening,
)

NAMES = [
    "Ahmad Fauzi",
    "Siti Rahmawati",
    "Budi Santoso",
    "Dewi Lestari",
    "Rudi Hartono",
    "Sri Wahyuni",
    "Agus Salim",
    "Nur Aini",
    "Hendra Gunawan",
    "Yuliana Putri",
    "Bambang Irawan",
    "Fitri Handayani",
    "Joko Susilo",
    "Rina Marlina",
    "Slamet Riyadi",
    "Wulan Sari",
    "Eko Prasetyo",
    "Ani Suryani",
    "Dedi Kurniawan",
    "Lina Marlina",
]


def swap(nik: str, i: int) -> str:
    return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]


def different_people(regions):
    """Twenty different people in two villages, and Muhammad Soekarno."""
    people = []
    for n, name in enumerate(NAMES):
        village = regions["village_a"] if n % 2 else regions["village_b"]
        people.append(
            PersonFactory(
                name=name,
                household=HouseholdFactory(village=village),
                birth_date=dt.date(1975, 1, 1) + dt.timedelta(days=397 * n),
            )
        )
    original = PersonFactory(
        name="Muhammad Soekarno",
        birth_date=dt.date(1970, 6, 15),
        household=HouseholdFactory(village=regions["village_a"]),
    )
    return people, original


@pytest.fixture
def registry(regions):
    """Different people, and one of them recorded again with an old spelling and two NIK digits swapped."""
    people, original = different_people(regions)
    copy = Person.objects.create(
        nik=swap(original.nik, 6),
        name="Moh. Sukarno",
        household=HouseholdFactory(village=regions["village_a"]),
        birth_date=original.birth_date,
        sex=original.sex,
        birth_place="Tanah Grogot",
    )
    return {"people": people, "original": original, "copy": copy}


def run_for(user):
    return screen_registry(run=start_screening(region_code=user.region_id, by=user, trigger="test"))


def test_a_misspelt_second_record_with_swapped_nik_digits_is_queued_with_its_reason(users, registry):
    run = run_for(users["officer"])

    candidate = MatchCandidate.objects.get()
    assert {candidate.left_id, candidate.right_id} == {registry["original"].pk, registry["copy"].pk}
    assert "transposition" in candidate.reason
    assert run.status == ScreeningRun.Status.DONE
    assert run.new_candidates == 1


def test_screening_again_does_not_queue_a_pair_twice(users, registry):
    run_for(users["officer"])

    second = run_for(users["officer"])

    assert second.new_candidates == 0
    assert MatchCandidate.objects.count() == 1


def test_a_rejected_pair_stays_rejected_after_a_new_run(users, registry):
    run_for(users["officer"])
    review_candidate(candidate=MatchCandidate.objects.get(), same_person=False, note="kembar", by=users["officer"])

    run_for(users["officer"])

    assert MatchCandidate.objects.get().status == MatchCandidate.Status.REJECTED


def test_rejecting_needs_a_reason(users, registry):
    run_for(users["officer"])

    with translation.override("en"), pytest.raises(ScreeningError, match="different people"):
        review_candidate(candidate=MatchCandidate.objects.get(), same_person=False, note=" ", by=users["officer"])


def test_a_screening_outside_the_users_region_is_refused(users):
    with pytest.raises(ScreeningError):
        start_screening(region_code="64.02", by=users["officer"], trigger="test")


def test_merging_moves_the_aid_history_and_keeps_the_old_id_findable(client, users, registry):
    AssistanceRecordFactory(person=registry["copy"], programme=AssistanceRecord.Programme.KUBE, year=2019)
    run_for(users["officer"])
    candidate = review_candidate(candidate=MatchCandidate.objects.get(), same_person=True, note="", by=users["officer"])
    old_id = registry["copy"].pk

    merge_persons(candidate=candidate, keep=registry["original"], by=users["officer"])

    assert not Person.objects.filter(pk=old_id).exists()
    assert registry["original"].assistance.get().programme == AssistanceRecord.Programme.KUBE
    assert MergedPerson.objects.get(old_id=old_id).old_name == "Moh. Sukarno"
    client.force_login(users["officer"])
    assert client.get(reverse("screening:merged-person", args=[old_id])).url == registry["original"].get_absolute_url()


def test_merging_keeps_who_saw_the_duplicates_data_in_the_access_log(users, registry, regions):
    copy, original = registry["copy"], registry["original"]
    reveal = record_disclosure(
        by=users["officer"], kind=Disclosure.Kind.REVEAL, region=regions["village_a"], person=copy
    )
    both = record_disclosure(
        by=users["admin"], kind=Disclosure.Kind.SK_PDF, region=regions["regency"], persons=[copy.pk, original.pk]
    )
    run_for(users["officer"])
    candidate = review_candidate(candidate=MatchCandidate.objects.get(), same_person=True, note="", by=users["officer"])

    merge_persons(candidate=candidate, keep=original, by=users["officer"])

    assert set(disclosures_about(original)) == {reveal, both}
    assert list(both.persons.all()) == [original]


def test_the_merged_records_history_is_kept_with_who_merged_it(users, registry):
    run_for(users["officer"])
    candidate = review_candidate(candidate=MatchCandidate.objects.get(), same_person=True, note="", by=users["officer"])
    old_id = registry["copy"].pk

    merge_persons(candidate=candidate, keep=registry["original"], by=users["officer"])

    deletion = Person.history.filter(id=old_id).latest("history_date")
    assert (deletion.history_type, deletion.history_user) == ("-", users["officer"])
    assert deletion.history_change_reason == f"merged into #{registry['original'].pk}"


def test_an_unconfirmed_pair_cannot_be_merged(users, registry):
    run_for(users["officer"])

    with translation.override("en"), pytest.raises(ScreeningError, match="confirmed"):
        merge_persons(candidate=MatchCandidate.objects.get(), keep=registry["original"], by=users["officer"])


def test_a_decision_through_the_page_is_in_the_pairs_history(client, users, registry):
    run_for(users["officer"])
    candidate = MatchCandidate.objects.get()
    client.force_login(users["officer"])

    client.post(reverse("screening:candidate-review", args=[candidate.pk]), {"decision": "same", "note": "sama"})

    page = client.get(candidate.get_absolute_url())
    assert page.context["history"][0].who == str(users["officer"])
    assert candidate.__class__.objects.get().status == MatchCandidate.Status.CONFIRMED


@pytest.mark.parametrize(
    ("username", "status"),
    [("admin", 200), ("officer", 200), ("monitor", 200), ("camat", 403), ("desa_a", 403), ("facilitator", 403)],
)
def test_the_queue_is_for_the_dinas(client, users, registry, username, status):
    run_for(users["officer"])
    client.force_login(users[username])

    assert client.get(reverse("screening:candidate-list")).status_code == status


def test_a_pair_from_another_regency_is_404(client, users, registry):
    from berdaya.accounts.tests.factories import UserFactory
    from berdaya.regions.tests.factories import RegionFactory

    run_for(users["officer"])
    outsider = UserFactory(username="dinas_lain", role=users["officer"].role, region=RegionFactory(code="64.02"))
    client.force_login(outsider)

    assert client.get(MatchCandidate.objects.get().get_absolute_url()).status_code == 404


def test_the_monitor_sees_but_cannot_decide(client, users, registry):
    run_for(users["officer"])
    client.force_login(users["monitor"])

    response = client.post(
        reverse("screening:candidate-review", args=[MatchCandidate.objects.get().pk]), {"decision": "same"}
    )

    assert response.status_code == 403


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_committing_a_registry_file_screens_the_regency_and_queues_the_duplicate(
    client, users, regions, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT, settings.TASKS = tmp_path / "media", IMMEDIATE
    _, original = different_people(regions)
    line = f"{swap(original.nik, 6)},6401041506700099,Moh. Sukarno,64.01.04.2005,L,15-06-1970,Jl. Baru"
    path = tmp_path / "desa.csv"
    path.write_text("nik,kk_number,name,village_code,sex,birth_date,address\n" + line + "\n", encoding="utf-8")
    client.force_login(users["desa_b"])
    with path.open("rb") as handle:
        client.post(reverse("registry:import-list"), {"kind": "registry", "file": handle})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import-commit", args=[ImportJob.objects.get().pk]), {"confirmed": "1"})

    run = ScreeningRun.objects.get()
    assert (run.region_id, run.status, run.started_by) == ("64.01", ScreeningRun.Status.DONE, users["desa_b"])
    assert MatchCandidate.objects.get().right_label.startswith("Moh. Sukarno")


def test_a_merged_record_is_found_by_its_old_nik(client, users, registry):
    run_for(users["officer"])
    candidate = review_candidate(candidate=MatchCandidate.objects.get(), same_person=True, note="", by=users["officer"])
    old_nik = registry["copy"].nik
    merge_persons(candidate=candidate, keep=registry["original"], by=users["officer"])
    client.force_login(users["officer"])

    response = client.get(reverse("screening:candidate-list"), {"q": old_nik})

    assert [m.kept for m in response.context["merged"]] == [registry["original"]]


def test_every_history_row_of_a_review_and_a_merge_names_the_reviewer(users, registry):
    run_for(users["officer"])
    history_models = [model for model in apps.get_models() if model.__name__.startswith("Historical")]
    marks = {model: model._default_manager.aggregate(last=Max("pk"))["last"] or 0 for model in history_models}

    candidate = review_candidate(candidate=MatchCandidate.objects.get(), same_person=True, note="", by=users["officer"])
    merge_persons(candidate=candidate, keep=registry["original"], by=users["officer"])

    written = [row for model, last in marks.items() for row in model._default_manager.filter(pk__gt=last)]
    assert {type(row).__name__ for row in written} == {"HistoricalMatchCandidate", "HistoricalPerson"}
    assert {row.history_user_id for row in written} == {users["officer"].pk}


def test_a_pair_offers_a_decision_until_merged_and_a_merge_only_once_confirmed(users, registry):
    run_for(users["officer"])
    officer = users["officer"]
    assert actions_for(officer, MatchCandidate.objects.get()) == {"confirm", "reject"}

    candidate = review_candidate(candidate=MatchCandidate.objects.get(), same_person=True, note="", by=officer)
    assert actions_for(officer, candidate) == {"confirm", "reject", "merge"}

    merge_persons(candidate=candidate, keep=registry["original"], by=officer)
    assert actions_for(officer, MatchCandidate.objects.get()) == frozenset()


def test_a_monitor_may_do_nothing_to_a_pair(users, registry):
    run_for(users["officer"])

    assert actions_for(users["monitor"], MatchCandidate.objects.get()) == frozenset()


@pytest.mark.xdist_group("screening-cluster")
def test_with_a_screening_cluster_set_the_run_finds_the_same_pair_there(users, registry, settings):
    settings.BERDAYA_SCREENING_CLUSTER = "local:1"  # a Dask cluster of one worker process, started for the run
    settings.BERDAYA_SCREENING_CLUSTER_MIN_RECORDS = 0  # every run, however small

    run_for(users["officer"])

    candidate = MatchCandidate.objects.get()
    assert {candidate.left_id, candidate.right_id} == {registry["original"].pk, registry["copy"].pk}
    assert "transposition" in candidate.reason
