from django.urls import reverse


def test_a_change_made_in_the_ui_shows_in_the_records_history_with_who_made_it(client, users):
    admin, target = users["admin"], users["desa_a"]
    admin.first_name, admin.last_name = "Rahmat", "Hidayat"
    admin.save()
    client.force_login(admin)
    data = {
        "username": target.username,
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": "",
        "phone": "0811",
        "role": target.role,
        "region": "64.01.04.2005",
        "is_active": "on",
    }

    client.post(reverse("accounts:user-edit", args=[target.pk]), data)
    page = client.get(reverse("accounts:user-detail", args=[target.pk]))

    newest = page.context["history"][0]
    assert newest.who == "Rahmat Hidayat"
    assert ("Tanah Periuk", "Tapis") in {(c.old, c.new) for c in newest.changes}
    assert "Rahmat Hidayat" in page.text


def test_history_does_not_record_password_hashes(client, users):
    target = users["desa_a"]
    target.set_password("Baru-Sekali-2027")
    target.save()

    assert "password" not in {f.name for f in target.history.model._meta.get_fields()}
