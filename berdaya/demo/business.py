"""Demo business: 12 to 24 months of books for the demo groups, some thriving, some stalled.

Everything goes through the services (plan, aid stages, assets, cash entries, closings, allocations, IKS, loans),
so the demo books obey the same rules as real ones. Does nothing when the groups step has made no groups.

The amounts are a real KUBE's: the aid is the cycle's aid per member (Rp 2.000.000) for each member, about
Rp 20 juta for ten; a group sells Rp 300.000 a month per member at first (single-digit millions a month), and a
thriving one grows by half in a year; materials take most of the sales, so a year's books end around the aid
plus a modest profit. A stalled group spent part of its first stage on equipment and sells at a small loss.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from berdaya.accounts.models import User
from berdaya.business import selectors, services
from berdaya.business.models import CashEntry, MarketEvent, month_end, month_start, next_month
from berdaya.groups.models import Kube
from berdaya.monitoring.models import MonevQuestion, MonevVisit
from berdaya.monitoring.monev import record_monev
from berdaya.regions.models import Region

PRODUCTS = {
    Kube.Sector.FISHERIES: [("Ikan nila segar", 35_000), ("Ikan asap", 60_000)],
    Kube.Sector.TOURISM: [("Paket makan siang", 25_000), ("Kelapa muda", 10_000)],
    Kube.Sector.HOME_INDUSTRY: [("Kue lapis", 5_000), ("Amplang", 15_000), ("Keripik pisang", 12_000)],
    Kube.Sector.LIVESTOCK: [("Ayam kampung", 85_000), ("Telur ayam kampung", 2_500)],
    Kube.Sector.FARMING: [("Sayur hidroponik", 8_000), ("Lada", 120_000)],
    Kube.Sector.TRADE: [("Beras", 14_000), ("Minyak goreng", 18_000), ("Gula", 16_000)],
}
# A month's sales per member at the start, in Rupiah; a thriving group grows by half of it a year.
SALES_PER_MEMBER = 300_000
# The costs besides materials, in thousands of Rupiah a month: (category, description, low, high, stalled too).
COSTS = [
    (CashEntry.Category.TRANSPORT, "Ongkos angkut ke pasar", 20, 80, True),
    (CashEntry.Category.RENT, "Listrik dan air", 30, 90, True),
    (CashEntry.Category.WAGES, "Upah tetangga yang membantu", 100, 250, False),
]


@dataclass(frozen=True)
class DemoBusiness:
    groups: int
    entries: int
    thriving: int
    stalled: int


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def create_demo_business(*, faker: Faker, scale: str) -> DemoBusiness:
    """Books for every demo group that got its aid; every third one stalls after a few months."""
    rng = random.Random(f"business-{scale}")
    today = timezone.localdate()
    officer = User.objects.filter(role=User.Role.OFFICER).order_by("pk").first()
    kubes = list(
        Kube.objects.exclude(status=Kube.Status.FORMING)
        .filter(formed_on__isnull=False, facilitator__isnull=False)
        .select_related("cycle", "facilitator")
        .order_by("pk")
    )
    if officer is None or not kubes:
        return DemoBusiness(0, 0, 0, 0)
    thriving = stalled = 0
    entries_before = CashEntry.objects.count()
    for index, kube in enumerate(kubes):
        if selectors.group_aid(kube) == 0 or kube.aid_stages.exists():
            continue
        assert kube.formed_on is not None and kube.facilitator is not None
        treasurer = kube.facilitator
        stalls = kube.status in (Kube.Status.INACTIVE, Kube.Status.DISSOLVED) or (
            kube.status == Kube.Status.ACTIVE and index % 3 == 1
        )
        # A book of 12 to 24 months: the thriving groups started earlier.
        start = max(kube.formed_on, today - dt.timedelta(days=365 * 2)) if not stalls else kube.formed_on
        start = min(start, month_start(today) - dt.timedelta(days=365))
        products = PRODUCTS[Kube.Sector(kube.sector)]
        aid = selectors.group_aid(kube)
        # Sales in proportion to the group: a month's sales start at Rp 300.000 a member.
        sales = SALES_PER_MEMBER * selectors.current_members(kube)
        # Every other group runs a revolving fund: by its place in the list, not its pk (which depends on what the
        # database held before; on PostgreSQL a sequence never goes back).
        revolving = index % 2 == 0
        _plan(kube, products, aid, sales, officer, treasurer, revolving=revolving)
        first, second = (
            services.add_aid_stage(
                kube=kube, planned_on=start, condition="plan_approved", share=Decimal(50), by=officer
            ),
            services.add_aid_stage(
                kube=kube,
                planned_on=start + dt.timedelta(days=180),
                condition="monitoring_passed",
                share=Decimal(50),
                by=officer,
            ),
        )
        services.mark_condition_met(stage=first, met_on=start, by=officer)
        services.pay_aid_stage(stage=first, paid_on=start, transfer_reference=f"SP2D-{kube.pk:04d}-1", by=officer)
        # Equipment the Dinas delivered in kind besides the aid (sarana), worth about a tenth of it.
        services.add_asset(
            kube=kube,
            item=rng.choice(["Etalase kaca", "Freezer", "Gerobak dagang", "Timbangan digital"]),
            quantity=1,
            value=aid // 10 // 100_000 * 100_000,
            received_on=start + dt.timedelta(days=7),
            location="Rumah ketua",
            by=officer,
        )
        months = _months_between(start, today)
        active_months = rng.randint(3, 5) if stalls else len(months)
        for number, month in enumerate(months):
            if number == 6 and not stalls:
                passed = _monev_passed(kube, month, officer)  # makes the second stage payable
                services.pay_aid_stage(
                    stage=second,
                    paid_on=month,
                    transfer_reference=f"SP2D-{kube.pk:04d}-2",
                    override_reason="" if passed else "Monev tercatat di berita acara kertas sebelum kelompok lulus.",
                    by=officer,
                )
            if number < active_months:
                _month_of_trade(kube, month, today, number, products, sales, treasurer, rng, stalls=stalls)
            if month_end(month) < today:
                services.close_cash_month(kube=kube, month=month, by=treasurer)
            if not stalls and number % 3 == 2 and month_end(month) < today:
                # A quarter without profit has nothing to share.
                with contextlib.suppress(services.BusinessError):
                    services.allocate_profit(kube=kube, period_start=months[number - 2], period_end=month, by=treasurer)
        _iks_and_fund(kube, treasurer, today, rng, faker, lends=revolving and not stalls)
        if stalls:
            stalled += 1
        else:
            thriving += 1
            _market(kube, officer, treasurer, today, sales, rng)
    return DemoBusiness(thriving + stalled, CashEntry.objects.count() - entries_before, thriving, stalled)


def _monev_passed(kube: Kube, day: dt.date, officer: User) -> bool:
    """The Dinas's monev after the first stage found the business running: "monitoring passed", the second stage's
    condition, is met only this way. A group that has ended can no longer be visited (False): its stage is paid
    with the audited override."""
    if not kube.is_mentored:
        return False
    record_monev(
        kube=kube,
        kind=MonevVisit.Kind.AFTER_AID,
        visited_on=day,
        answers=dict.fromkeys(MonevQuestion.objects.filter(active=True).values_list("code", flat=True), True),
        findings="Bantuan tahap I dibelanjakan sesuai RAB; usaha berjalan dan penjualan tercatat.",
        recommendation="Tahap II dapat dicairkan.",
        verdict=MonevVisit.Verdict.CONTINUE,
        by=officer,
    )
    return True


def _plan(
    kube: Kube,
    products: list[tuple[str, int]],
    aid: int,
    sales: int,
    officer: User,
    facilitator: User,
    *,
    revolving: bool,
) -> None:
    """The plan expects the first months' sales; its budget (RAB) spends exactly the aid."""
    plan = services.save_business_plan(
        kube=kube,
        summary=f"{kube.business_type}: produksi dan penjualan ke pasar desa dan kecamatan.",
        products=", ".join(name for name, _ in products),
        expected_monthly_revenue=sales,
        revolving_fund=revolving,
        by=facilitator,
    )
    equipment, materials, packaging = aid * 4 // 10 // 100_000 * 100_000, aid * 4 // 10 // 350_000, 500
    for item, quantity, unit, price in [
        ("Peralatan produksi", 1, "paket", equipment),
        ("Bahan baku awal", materials, "karung", 350_000),
        ("Kemasan dan label", packaging, "lembar", 1_000),
        ("Modal kerja", 1, "paket", aid - equipment - materials * 350_000 - packaging * 1_000),
    ]:
        services.add_budget_line(plan=plan, item=item, quantity=quantity, unit=unit, unit_price=price, by=facilitator)
    services.submit_business_plan(plan=plan, by=facilitator)
    services.approve_business_plan(plan=plan, by=officer)


def _month_of_trade(
    kube: Kube,
    month: dt.date,
    today: dt.date,
    number: int,
    products: list[tuple[str, int]],
    sales: int,
    by: User,
    rng: random.Random,
    *,
    stalls: bool,
) -> None:
    if stalls and number == 0:
        # A quarter of the first stage went on equipment that the group then hardly used.
        services.record_cash_entry(
            kube=kube,
            entry_date=month,
            kind="expense",
            category="equipment",
            amount=selectors.aid_paid(kube) // 4 // 1_000 * 1_000,
            description="Pembelian peralatan",
            by=by,
        )
    # A thriving group's sales grow by half in a year (integer arithmetic: no float near money); a stalled one sells
    # a third of what it planned, in a few sales a month.
    target = sales // 3 if stalls else sales * (24 + number) // 24
    count = rng.randint(1, 3) if stalls else rng.randint(6, 12)
    sold = 0
    for _ in range(count):
        day = month + dt.timedelta(days=rng.randint(0, 27))
        if day > today:
            continue
        product, price = rng.choice(products)
        quantity = max(1, target * rng.randint(70, 130) // 100 // count // price)
        sold += quantity * price
        services.record_cash_entry(
            kube=kube,
            entry_date=day,
            kind="income",
            category="sales",
            amount=quantity * price,
            description=f"Penjualan {product.lower()}",
            product=product,
            quantity=quantity,
            unit_price=price,
            buyer_type=rng.choice(CashEntry.BuyerType.values),
            channel=rng.choice(["local_market", "local_market", "village_shop", "collector", "online", "e_warong"]),
            by=by,
        )
    # Materials take 55-62 % of a thriving group's sales; a stalled group buys more than it sells.
    share = rng.randint(100, 110) if stalls else rng.randint(55, 62)
    costs = [(CashEntry.Category.MATERIALS, "Bahan baku", sold * share // 100 // 1_000 * 1_000)]
    costs += [
        (category, text, rng.randint(low, high) * 1_000)
        for category, text, low, high, both in COSTS
        if both or not stalls
    ]
    for category, text, amount in costs:
        day = month + dt.timedelta(days=rng.randint(0, 27))
        if day > today or amount <= 0:
            continue
        services.record_cash_entry(
            kube=kube, entry_date=day, kind="expense", category=category, amount=amount, description=text, by=by
        )


def _iks_and_fund(kube: Kube, by: User, today: dt.date, rng: random.Random, faker: Faker, *, lends: bool) -> None:
    balance = selectors.iks_balance(kube=kube)
    if balance > 50_000:
        services.use_iks(
            kube=kube,
            entry_date=today - dt.timedelta(days=10),
            purpose=rng.choice(["member_hardship", "poor_family", "community"]),
            amount=balance // 2,
            beneficiary=faker.name(),
            description="Bantuan sembako",
            by=by,
        )
    if lends and selectors.cash_balance(kube=kube) > 2_000_000:
        issued = month_start(today) + dt.timedelta(days=1) if today.day > 2 else today
        loan = services.lend(
            kube=kube,
            borrower=faker.name(),
            is_member=rng.random() < 0.7,
            principal=1_200_000,
            issued_on=min(issued, today),
            instalments=6,
            purpose="Modal warung",
            by=by,
        )
        services.repay(loan=loan, paid_on=today, amount=200_000, by=by)


def _market(kube: Kube, officer: User, by: User, today: dt.date, sales: int, rng: random.Random) -> None:
    regency = Region.objects.filter(code=kube.village_id[:5]).first()
    if regency is None:
        return
    event = MarketEvent.objects.filter(region=regency).first() or services.create_market_event(
        region=regency,
        name="Bazar Produk KUBE Paser",
        held_on=today - dt.timedelta(days=45),
        location="Tanah Grogot",
        by=officer,
    )
    # A day at the bazaar sells about a fifth to a half of a month's sales.
    services.record_market_participation(
        event=event, kube=kube, sales=sales * rng.randint(20, 50) // 100 // 1_000 * 1_000, by=by
    )
    if rng.random() < 0.5:
        services.apply_for_credit(
            kube=kube,
            scheme="kur",
            lender="BRI Unit Tanah Grogot",
            amount_requested=10_000_000,  # a KUR mikro loan about half the aid
            applied_on=today - dt.timedelta(days=30),
            by=by,
        )
    services.add_partnership(
        kube=kube,
        partner=rng.choice(["Koperasi Paser Mandiri", "Toko Oleh-oleh Grogot"]),
        kind="buyer",
        started_on=today - dt.timedelta(days=90),
        by=by,
    )
