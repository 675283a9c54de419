from __future__ import annotations

import factory

from berdaya.accounts.models import User
from berdaya.regions.tests.factories import RegionFactory

PASSWORD = "rahasia-Berdaya-2027"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    role = User.Role.ADMIN
    region = factory.SubFactory(RegionFactory, code="64.01")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
