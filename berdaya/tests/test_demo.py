import re
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db.models import Model

from berdaya.accounts.models import User
from berdaya.mentoring.models import Visit
from berdaya.regions.models import Boundary
from berdaya.regions.tests.factories import RegionFactory

EXPECTED = {
    "admin": (User.Role.ADMIN, "64.01"),
    "dinas": (User.Role.OFFICER, "64.01"),
    "camat.tanahgrogot": (User.Role.KECAMATAN_OPERATOR, "64.01.04"),
    "desa.tanahperiuk": (User.Role.VILLAGE_OPERATOR, "64.01.04.2004"),
    "pendamping1": (User.Role.FACILITATOR, "64.01"),
    "pemantau": (User.Role.MONITOR, "64.01"),
}


def paser(db):
    RegionFactory(code="64.01", name="Kabupaten Paser")
    RegionFactory(code="64.01.04.2004", name="Tanah Periuk")


def test_the_demo_creates_one_account_per_role_with_the_demo_password(db, settings):
    paser(db)

    call_command("demo", "--seed", "7")

    accounts = {u.username: (u.role, u.region_id) for u in User.objects.filter(username__in=EXPECTED)}
    assert accounts == EXPECTED
    assert User.objects.get(username="admin").check_password(settings.BERDAYA_DEMO_PASSWORD)


def test_the_same_seed_gives_the_same_people(db):
    paser(db)
    call_command("demo", "--seed", "7")
    first = sorted(User.objects.values_list("username", "first_name", "last_name"))

    call_command("demo", "--seed", "7")

    assert sorted(User.objects.values_list("username", "first_name", "last_name")) == first


def test_if_empty_leaves_an_existing_database_alone(db):
    paser(db)
    call_command("demo", "--seed", "7")
    User.objects.filter(username="admin").update(first_name="Tetap")

    call_command("demo", "--if-empty")

    assert User.objects.get(username="admin").first_name == "Tetap"


def readme_accounts() -> dict[str, str]:
    """The README's demo accounts table: each username and the name it says the account shows."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Demo accounts", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([^`]+)` \| ([^|]+?) \|", section, flags=re.MULTILINE))


def test_each_demo_account_shows_the_name_the_readme_gives_it(db):
    paser(db)

    call_command("demo", "--seed", "7")

    assert readme_accounts() == {u.username: str(u) for u in User.objects.filter(username__in=EXPECTED)}


def history_models() -> list[type[Model]]:
    """Every django-simple-history table: the models with a `history_user` column."""
    return [model for model in apps.get_models() if "history_user" in {f.name for f in model._meta.fields}]


def test_every_history_row_the_demo_writes_names_a_user(regions):
    call_command("demo", "--seed", "7")

    written = {model._meta.db_table: model.objects.count() for model in history_models()}
    unnamed = {
        model._meta.db_table: count
        for model in history_models()
        if (count := model.objects.filter(history_user__isnull=True).count())
    }
    assert unnamed == {}
    audited_apps = {table.split("_", 1)[0] for table, count in written.items() if count}
    assert audited_apps >= {"accounts", "registry", "targeting", "groups", "mentoring", "training", "business"}


def test_the_demo_loads_the_map_outlines_of_its_regions(db):
    paser(db)

    call_command("demo", "--seed", "7")

    assert set(Boundary.objects.values_list("region_id", flat=True)) >= {"64.01", "64.01.04", "64.01.04.2004"}


def test_the_demo_groups_visits_carry_a_position_inside_their_villages_outline_box(db):
    paser(db)

    call_command("demo", "--seed", "7")

    visits = Visit.objects.select_related("kube__village__boundary")
    assert visits.exists()
    assert all(
        v.kube.village.boundary.min_lat <= float(v.latitude) <= v.kube.village.boundary.max_lat
        and v.kube.village.boundary.min_lon <= float(v.longitude) <= v.kube.village.boundary.max_lon
        for v in visits
    )
