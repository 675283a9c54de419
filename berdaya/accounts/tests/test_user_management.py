from django.urls import reverse

from berdaya.accounts.models import User

NEW_USER = {
    "username": "desa.baru",
    "first_name": "Siti",
    "last_name": "Aminah",
    "email": "",
    "phone": "081234567890",
    "role": User.Role.VILLAGE_OPERATOR,
    "region": "64.01.04.2005",
    "password1": "Kelapa-Sawit-2027",
    "password2": "Kelapa-Sawit-2027",
}


def test_an_admin_creates_a_village_operator_scoped_to_a_village(client, users):
    client.force_login(users["admin"])

    response = client.post(reverse("accounts:user-create"), NEW_USER)

    user = User.objects.get(username="desa.baru")
    assert response.status_code == 302
    assert (user.role, user.region_id) == (User.Role.VILLAGE_OPERATOR, "64.01.04.2005")
    assert user.check_password("Kelapa-Sawit-2027")


def test_a_village_operator_must_be_scoped_to_a_village(client, users):
    client.force_login(users["admin"])

    response = client.post(reverse("accounts:user-create"), {**NEW_USER, "region": "64.01.04"})

    assert response.status_code == 200
    assert "Operator Desa bekerja pada tingkat: Desa/Kelurahan" in response.text
    assert not User.objects.filter(username="desa.baru").exists()


def test_an_admin_cannot_give_a_scope_outside_its_own_region(client, users):
    client.force_login(users["admin"])

    response = client.post(reverse("accounts:user-create"), {**NEW_USER, "region": "64.02.01.2001"})

    assert "region" in response.context["form"].errors
    assert not User.objects.filter(username="desa.baru").exists()


def test_a_weak_password_is_refused_beside_the_field(client, users):
    client.force_login(users["admin"])

    response = client.post(reverse("accounts:user-create"), {**NEW_USER, "password1": "12345", "password2": "12345"})

    errors = response.context["form"].errors["password1"]
    assert any("terlalu pendek" in error for error in errors)


def test_two_different_passwords_are_refused(client, users):
    client.force_login(users["admin"])

    response = client.post(reverse("accounts:user-create"), {**NEW_USER, "password2": "Lain-Sekali-2027"})

    assert response.context["form"].errors["password2"]


def test_an_admin_cannot_disable_itself(client, users):
    admin = users["admin"]
    client.force_login(admin)
    data = {
        "username": "admin",
        "first_name": "A",
        "last_name": "",
        "email": "",
        "phone": "",
        "role": admin.role,
        "region": admin.region_id,
    }

    response = client.post(reverse("accounts:user-edit", args=[admin.pk]), data)

    admin.refresh_from_db()
    assert admin.is_active
    assert "Anda tidak dapat mengubah peran" in response.text


def test_only_an_admin_may_manage_users(client, users):
    client.force_login(users["officer"])

    assert client.get(reverse("accounts:user-create")).status_code == 403


def test_an_admin_sets_a_new_password(client, users):
    client.force_login(users["admin"])
    target = users["desa_a"]

    client.post(
        reverse("accounts:user-password", args=[target.pk]),
        {"new_password1": "Sungai-Kandilo-99", "new_password2": "Sungai-Kandilo-99"},
    )

    target.refresh_from_db()
    assert target.check_password("Sungai-Kandilo-99")
