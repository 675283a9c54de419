"""The whole demo in order: accounts, registry, targeting, screening, groups with mentoring and training, business,
monitoring."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from faker import Faker

from berdaya.accounts.models import User
from berdaya.lib.audit import acting_as

from .accounts import DemoAccount, create_demo_users
from .business import DemoBusiness, create_demo_business
from .groups import DemoGroups, create_demo_groups
from .monitoring import DemoMonitoring, create_demo_monitoring
from .registry import DemoRegistry, create_demo_registry
from .screening import DemoScreening, create_demo_screening
from .targeting import DemoTargeting, create_demo_targeting


@dataclass(frozen=True)
class Demo:
    accounts: list[DemoAccount]
    registry: DemoRegistry
    targeting: DemoTargeting
    screening: DemoScreening
    groups: DemoGroups
    business: DemoBusiness
    monitoring: DemoMonitoring


def create_demo(*, seed: int, scale: str) -> Demo:
    """Create the demo data (each area only once); the same seed gives the same data."""
    faker = Faker("id_ID")
    faker.seed_instance(seed)
    random.seed(seed)
    # The demo's notifications would e-mail the demo accounts: keep those mails in memory, not on the console. The
    # mails go when the transaction commits, so the override must still hold then: it comes first.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        accounts = create_demo_users(faker=faker, scale=scale, password=settings.BERDAYA_DEMO_PASSWORD)
        # Every history row names a user: the services name their own `by`; direct writes name the admin.
        with acting_as(User.objects.get(username="admin")):
            return Demo(
                accounts=accounts,
                registry=create_demo_registry(faker=faker, scale=scale),
                targeting=create_demo_targeting(faker=faker, scale=scale),
                # After targeting: the prior recipients a village typed in again are in the registry now, as well.
                screening=create_demo_screening(scale=scale),
                groups=create_demo_groups(faker=faker, scale=scale),
                business=create_demo_business(faker=faker, scale=scale),
                # Last: it judges what the steps before made.
                monitoring=create_demo_monitoring(faker=faker, scale=scale),
            )
