"""Demo monitoring and evaluation: monev visits, bina lingkungan records, two years of monthly levels, a manual
level, and early warnings of every kind.

It runs last, on the groups and books the other demo steps made, and arranges what a Dinas would find in them:
groups at every level for different reasons, one that moved up this month and one that dropped, and each kind of
warning from records that explain it (an asset reported broken, a problem past its deadline, a group not visited,
an unclosed month, falling sales, fund arrears, members leaving, aid paid with no purchase). Everything goes through
the services, except that the months a treasurer closed and the quarters' profit shared out are dated a few days
after their end: the business demo did a year of both on the day it was built, which no real treasurer does, and
the "months closed on time" and "profit allocated" indicators read those dates.

Which group plays which part is decided from what the earlier steps made (the first thriving active group rises to
Maju/Mandiri, the second drops from it, the first stalled active group restarts, the first inactive one has lost
its officers, two members withdraw from a group still being formed), so the demo holds at both scales and any
seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from faker import Faker

from berdaya.accounts.models import User
from berdaya.business import selectors as business
from berdaya.business import services as books
from berdaya.business.models import (
    AidStage,
    Asset,
    CashEntry,
    CashMonth,
    Partnership,
    ProfitAllocation,
    month_end,
    month_start,
)
from berdaya.groups import services as groups
from berdaya.groups.models import Kube, Membership
from berdaya.lib.audit import acting_as
from berdaya.lib.scoping import regency_code
from berdaya.mentoring import services as mentoring
from berdaya.mentoring.defaults import install_practices
from berdaya.mentoring.models import EnvironmentPractice, Problem
from berdaya.monitoring import levels
from berdaya.monitoring.defaults import install_questions
from berdaya.monitoring.models import EarlyWarning, Level, LevelSnapshot, MonevQuestion, MonevVisit
from berdaya.monitoring.monev import record_monev
from berdaya.monitoring.rules import Rules
from berdaya.monitoring.warnings import check_warnings
from berdaya.regions.models import Region
from berdaya.training import services as training

HISTORY_MONTHS = 24
MINUTES = "Notulen: kehadiran anggota dicatat; laporan kas bulan lalu dibacakan bendahara dan disetujui."
SOCIAL = ["Kerja bakti membersihkan saluran air desa", "Santunan anak yatim saat Idul Fitri", "Gotong royong masjid"]


@dataclass(frozen=True)
class DemoMonitoring:
    monev: int
    environment: int
    snapshots: int
    warnings: int
    manual: int


def _month(today: dt.date, back: int) -> dt.date:
    """The first day of the month `back` months before today's."""
    month = month_start(today)
    for _ in range(back):
        month = month_start(month - dt.timedelta(days=1))
    return month


def _paid_stages(kube: Kube) -> int:
    return kube.aid_stages.filter(paid_on__isnull=False).count()


def create_demo_monitoring(*, faker: Faker, scale: str) -> DemoMonitoring:
    """Monitor (once) the demo groups: what the Dinas found on its visits, and what the system computes from it."""
    if LevelSnapshot.objects.exists():
        return DemoMonitoring(
            MonevVisit.objects.count(), 0, LevelSnapshot.objects.count(), EarlyWarning.objects.count(), 0
        )
    # The checklists come with the migrations; a test database flushed after a live-server test has lost them.
    install_practices(EnvironmentPractice)
    install_questions(MonevQuestion)
    rng = random.Random(f"monitoring-{scale}")
    today = timezone.localdate()
    officer = User.objects.filter(username="dinas").first() or User.objects.filter(role=User.Role.OFFICER).first()
    kubes = list(
        Kube.objects.exclude(status=Kube.Status.FORMING)
        .filter(formed_on__isnull=False, facilitator__isnull=False, aid_stages__paid_on__isnull=False)
        .distinct()
        .select_related("facilitator", "village")
        .order_by("pk")
    )
    if officer is None or not kubes:
        return DemoMonitoring(0, 0, 0, 0, 0)
    # The business demo pays a thriving group's second stage after six months; a stalled group never gets it.
    thriving = [k for k in kubes if _paid_stages(k) >= 2]
    stalled = [k for k in kubes if _paid_stages(k) < 2 and k.is_mentored]
    active = [k for k in thriving if k.status == Kube.Status.ACTIVE]
    rising = active[0] if active else None
    dropping = active[1] if len(active) > 1 else None
    restarting = next((k for k in stalled if k.status == Kube.Status.ACTIVE), None)
    inactive = next((k for k in stalled if k.status == Kube.Status.INACTIVE), None)

    _closed_on_time(thriving, rng)
    _allocated_on_time(thriving, today, rng)
    _trained([k for k in thriving if k.is_mentored] + ([restarting] if restarting else []), officer)
    for index, kube in enumerate(k for k in thriving if k.is_mentored):
        # Most thriving groups meet every month; some every other month, which keeps them from Berkembang.
        _meetings(kube, today, every=1 if kube in (rising, dropping) or index % 3 != 2 else 2, rng=rng)
    monev = _monev_visits(thriving, stalled, today, officer, rng)
    if rising is not None:
        _rises(rising, today, officer, faker)
    if dropping is not None:
        _drops(dropping, today, officer, faker)
    manual = 0
    if restarting is not None:
        monev += _restarts(restarting, today, officer)
        levels.set_manual_level(
            kube=restarting,
            level=Level.BERKEMBANG,
            reason="Usaha dihidupkan kembali dengan produk baru dan lolos monev; pendamping sedang melengkapi "
            "buku kas bulan-bulan yang kosong.",
            by=officer,
        )
        manual = 1
    if inactive is not None:
        _loses_officers(inactive, officer)
    forming = Kube.objects.forming().order_by("pk").first()
    if forming is not None:
        _members_leave(forming, today, officer)
    # Not a group whose months must stay closed on time.
    lenders = [k for k in (inactive, restarting, *stalled, *thriving) if k is not None and k not in (rising, dropping)]
    _fund_in_arrears(lenders, today, officer)
    environment = _environment(kubes, today, rng)
    months = [_month(today, back) for back in range(HISTORY_MONTHS - 1, -1, -1)]
    snapshots = levels.snapshot_months(months, by=officer, today=today)
    check_warnings(today=today, by=officer)
    return DemoMonitoring(monev, environment, snapshots, EarlyWarning.objects.count(), manual)


def _closed_on_time(kubes: list[Kube], rng: random.Random) -> None:
    """A thriving group's treasurer closed each month within ten days of its end."""
    months = list(CashMonth.objects.filter(kube__in=kubes))
    for cash_month in months:
        day = month_end(cash_month.month) + dt.timedelta(days=rng.randint(2, 10))
        closed = timezone.make_aware(dt.datetime.combine(day, dt.time(16, 0)))
        cash_month.closed_at = min(closed, cash_month.closed_at)
    CashMonth.objects.bulk_update(months, ["closed_at"])


def _allocated_on_time(kubes: list[Kube], today: dt.date, rng: random.Random) -> None:
    """Each quarter's profit was shared out within three weeks of the quarter's end, after its last month was closed (the business demo shared a year of
    them on the day it ran; the "profit allocated" indicator reads the day)."""
    allocations = list(ProfitAllocation.objects.filter(kube__in=kubes))
    for allocation in allocations:
        allocation.allocated_on = min(today, allocation.period_end + dt.timedelta(days=rng.randint(11, 20)))
    ProfitAllocation.objects.bulk_update(allocations, ["allocated_on"])


def _trained(kubes: list[Kube], officer: User) -> None:
    """A marketing and packaging course that every member of these groups attended."""
    if not kubes:
        return
    starts_on = max(kube.formed_on for kube in kubes if kube.formed_on) + dt.timedelta(days=20)
    event = training.create_training(
        title="Bimtek pemasaran dan pengemasan produk",
        kind="technical",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=2),
        trainer="Dinas Koperasi dan UKM Kabupaten Paser",
        place="Balai Latihan Kerja, Tanah Grogot",
        region=Region.objects.get(code=regency_code(kubes[0].village_id)),
        by=officer,
    )
    participants = training.invite_groups(training=event, kubes=kubes, by=officer)
    members = [p.membership for p in participants]
    training.record_attendance(
        training=event, attended=members, skills={m.pk: "Pengemasan dan label produk" for m in members}, by=officer
    )


def _meetings(kube: Kube, today: dt.date, *, every: int, rng: random.Random) -> None:
    """Members' meetings with minutes, from the month after the group formed until this month."""
    assert kube.formed_on is not None and kube.facilitator is not None
    members = list(kube.memberships.current())
    month = month_start(kube.formed_on)
    number = 0
    while month <= today:
        day = min(today, month + dt.timedelta(days=rng.randint(4, 20)))
        if number % every == 0 and day > kube.formed_on:
            mentoring.record_meeting(
                kube=kube,
                held_on=day,
                agenda="Rapat anggota bulanan: laporan kas dan rencana penjualan",
                decisions="Setoran kas mingguan; pembagian tugas produksi.",
                minutes=MINUTES,
                attendees=[m for m in members if rng.random() < 0.85],
                by=kube.facilitator,
            )
        number += 1
        month = month_end(month) + dt.timedelta(days=1)


def _answers(passed: bool) -> dict[str, bool]:
    codes = MonevQuestion.objects.filter(active=True).values_list("code", flat=True)
    return {code: passed or code.startswith("k_") for code in codes}


def _monev_visits(thriving: list[Kube], stalled: list[Kube], today: dt.date, officer: User, rng: random.Random) -> int:
    """The Dinas's periodic monev: thriving groups pass; stalled ones need guidance, inactive ones are found so."""
    count = 0
    for kube in thriving:
        if not kube.is_mentored:
            continue
        record_monev(
            kube=kube,
            kind=MonevVisit.Kind.PERIODIC,
            visited_on=today - dt.timedelta(days=rng.randint(20, 80)),
            answers=_answers(True),
            findings="Usaha berjalan, penjualan rutin, buku kas rapi dan aset bantuan terpelihara.",
            recommendation="Perluas pemasaran ke toko oleh-oleh dan pasar kecamatan.",
            verdict=MonevVisit.Verdict.CONTINUE,
            by=officer,
        )
        count += 1
    for kube in stalled:
        inactive = kube.status == Kube.Status.INACTIVE
        record_monev(
            kube=kube,
            kind=MonevVisit.Kind.PERIODIC,
            visited_on=today - dt.timedelta(days=rng.randint(100, 140) if not inactive else 25),
            answers=_answers(False),
            findings="Usaha berhenti; anggota kembali bekerja sendiri-sendiri."
            if inactive
            else "Penjualan sepi, bahan baku menumpuk, buku kas tidak diisi beberapa bulan.",
            recommendation="Musyawarah anggota untuk memutuskan kelanjutan usaha."
            if inactive
            else "Pendamping membantu menyusun ulang rencana penjualan dan mengisi buku kas tiap minggu.",
            verdict=MonevVisit.Verdict.INACTIVE if inactive else MonevVisit.Verdict.GUIDANCE,
            by=officer,
        )
        count += 1
    return count


def _solve_problems(kube: Kube, today: dt.date, by: User) -> None:
    """The group's problems, each solved within days of being noticed."""
    for problem in kube.problems.filter(resolved_on__isnull=True):
        mentoring.resolve_problem(
            problem=problem,
            resolved_on=min(today, problem.reported_on + dt.timedelta(days=4)),
            steps="Dibahas dalam rapat anggota; disepakati jalan keluarnya bersama pendamping.",
            by=by,
        )


def _community(kube: Kube, on: dt.date, by: User, faker: Faker) -> None:
    """Members put money into the IKS fund and gave it to the neighbourhood."""
    books.record_iks_contribution(kube=kube, entry_date=on, amount=300_000, description="Iuran anggota", by=by)
    books.use_iks(
        kube=kube,
        entry_date=on + dt.timedelta(days=3),
        purpose="community",
        amount=250_000,
        beneficiary=f"Panitia kerja bakti RT {faker.random_int(1, 20):02d}",
        description="Konsumsi kerja bakti membersihkan saluran air",
        by=by,
    )


def _capital_beyond_the_aid(kube: Kube, *, received_on: dt.date, by: User) -> None:
    """A freezer a buyer gave the group (not aid): with it, the group's capital is well beyond the aid received."""
    rules = Rules.effective(regency=regency_code(kube.village_id), on=received_on)
    figures = business.business_dashboard(kube=kube)
    wanted = figures.initial_aid * (100 + rules["capital_growth"] + 10) // 100 - figures.capital
    value = max(1_500_000, (wanted // 100_000 + 1) * 100_000)
    books.add_asset(
        kube=kube,
        item="Freezer hibah dari mitra pembeli",
        quantity=1,
        value=value,
        received_on=received_on,
        location="Rumah bendahara",
        from_aid=False,
        by=by,
    )


def _partner(kube: Kube, today: dt.date, by: User) -> None:
    if not Partnership.objects.filter(kube=kube, ended_on__isnull=True).exists():
        books.add_partnership(
            kube=kube, partner="Koperasi Paser Mandiri", kind="buyer", started_on=_month(today, 4), by=by
        )


def _rises(kube: Kube, today: dt.date, officer: User, faker: Faker) -> None:
    """Maju/Mandiri this month: IKS for the neighbours, a partner, capital beyond the aid since a buyer's gift this
    month, and the problem that was past its deadline at the end of last month solved since."""
    assert kube.facilitator is not None
    _solve_problems(kube, today, kube.facilitator)
    problem = mentoring.report_problem(
        kube=kube,
        reported_on=_month(today, 1) + dt.timedelta(days=1),
        origin="external",
        category=Problem.Category.SUPPLIES,
        severity=Problem.Severity.HIGH,
        description="Pemasok bahan baku berhenti mengirim; produksi tertunda.",
        handler="Bendahara kelompok",
        by=kube.facilitator,
    )
    mentoring.resolve_problem(
        problem=problem,
        resolved_on=month_start(today),
        steps="Kelompok menemukan pemasok baru di pasar kecamatan lewat koperasi mitra.",
        by=kube.facilitator,
    )
    _community(kube, _month(today, 2) + dt.timedelta(days=5), kube.facilitator, faker)
    _partner(kube, today, kube.facilitator)
    _capital_beyond_the_aid(kube, received_on=month_start(today), by=officer)
    _big_order(kube, today)


def _big_order(kube: Kube, today: dt.date) -> None:
    """The partner's bulk order at the start of this month, so that the last six months' sales (this month's few
    days among them) stay well above the six before, whatever day of the month the demo is made."""
    assert kube.facilitator is not None
    rules = Rules.effective(regency=regency_code(kube.village_id), on=today)
    sales = CashEntry.objects.filter(kube=kube, category=CashEntry.Category.SALES)

    def sold(first: dt.date, last: dt.date) -> int:
        return int(sales.filter(month__gte=first, month__lte=last).aggregate(total=Sum("amount"))["total"] or 0)

    recent, prior = sold(_month(today, 5), _month(today, 0)), sold(_month(today, 11), _month(today, 6))
    wanted = prior * (100 + rules["revenue_growth"] + 10) // 100 - recent
    amount = max(1_000_000, (wanted // 100_000 + 1) * 100_000)
    books.record_cash_entry(
        kube=kube,
        entry_date=month_start(today),
        kind="income",
        category="sales",
        amount=amount,
        description="Pesanan besar dari koperasi mitra",
        product="Pesanan koperasi",
        buyer_type="institution",
        channel="collector",
        by=kube.facilitator,
    )


def _drops(kube: Kube, today: dt.date, officer: User, faker: Faker) -> None:
    """Maju/Mandiri last month; this month a serious problem has gone past its deadline, so it drops."""
    assert kube.facilitator is not None
    _solve_problems(kube, today, kube.facilitator)
    _community(kube, _month(today, 3) + dt.timedelta(days=5), kube.facilitator, faker)
    _partner(kube, today, kube.facilitator)
    _capital_beyond_the_aid(kube, received_on=_month(today, 3), by=officer)
    rules = Rules.effective(regency=regency_code(kube.village_id), on=today)
    # Its deadline was yesterday: open past it now, not at the end of last month.
    mentoring.report_problem(
        kube=kube,
        reported_on=today - dt.timedelta(days=rules["problem_days_high"] + 1),
        origin="external",
        category=Problem.Category.MARKET,
        severity=Problem.Severity.HIGH,
        description="Pembeli utama (koperasi) menunda pembayaran tiga bulan; kas menipis.",
        handler="Ketua kelompok",
        by=kube.facilitator,
    )


def _reopen(kube: Kube, since: dt.date, by: User) -> list[dt.date]:
    """Take back the closings from `since` on (the business demo closed every past month on the day it ran, before
    the entries this step adds); the months that were closed."""
    reopened = []
    with acting_as(by, "demo: months reopened for later entries"):
        for cash_month in CashMonth.objects.filter(kube=kube, month__gte=since).order_by("-month"):
            reopened.append(cash_month.month)
            cash_month.delete()
    return sorted(reopened)


def _restarts(kube: Kube, today: dt.date, officer: User) -> int:
    """A stalled group that restarted four months ago: its sales fall month after month and its months stay open;
    a passed monev made its second aid stage payable, which was paid with nothing bought since; its display case is
    broken. The Dinas holds it at Berkembang by hand (see create_demo_monitoring)."""
    assert kube.facilitator is not None
    first = _month(today, 4)
    _reopen(kube, first, officer)
    for back, amount in zip(range(4, 0, -1), (1_000_000, 750_000, 500_000, 250_000), strict=True):
        day = min(today, _month(today, back) + dt.timedelta(days=9))
        books.record_cash_entry(
            kube=kube,
            entry_date=day,
            kind="income",
            category="sales",
            amount=amount,
            description="Penjualan produk baru",
            product="Produk baru",
            buyer_type="consumer",
            channel="local_market",
            by=kube.facilitator,
        )
    record_monev(
        kube=kube,
        kind=MonevVisit.Kind.AD_HOC,
        visited_on=today - dt.timedelta(days=45),
        answers=_answers(True),
        findings="Usaha dihidupkan kembali dengan produk baru; anggota aktif kembali.",
        recommendation="Tahap II dapat dicairkan; belanjakan sesuai RAB dan catat di buku kas.",
        verdict=MonevVisit.Verdict.CONTINUE,
        by=officer,
    )
    stage = AidStage.objects.filter(kube=kube, paid_on__isnull=True).order_by("number").first()
    if stage is not None and stage.condition_met_on is not None:
        books.pay_aid_stage(
            stage=stage,
            paid_on=today - dt.timedelta(days=40),
            transfer_reference=f"SP2D-{kube.pk:04d}-2",
            by=officer,
        )
    asset = Asset.objects.filter(kube=kube).order_by("pk").first()
    if asset is not None:
        books.check_asset(
            asset=asset,
            checked_on=today - dt.timedelta(days=12),
            condition=Asset.Condition.BROKEN,
            note="Kaca pecah saat dipindahkan; belum diperbaiki.",
            by=kube.facilitator,
        )
    return 1


def _loses_officers(kube: Kube, officer: User) -> None:
    """An inactive group whose officers stepped down when the business stopped: not yet growing."""
    with acting_as(officer, "officers stepped down"):
        for membership in kube.memberships.current().exclude(role=Membership.Role.MEMBER):
            membership.role = Membership.Role.MEMBER
            membership.save(update_fields=["role"])


def _members_leave(kube: Kube, today: dt.date, officer: User) -> None:
    """Two members of a group still being formed withdraw before it starts (its aid, counted per member, is not yet
    planned)."""
    members = list(kube.memberships.current().filter(role=Membership.Role.MEMBER).order_by("pk"))
    for membership, days, reason in zip(
        members[:2], (30, 20), ("Pindah ke luar daerah", "Bekerja di perusahaan sawit"), strict=False
    ):
        groups.remove_member(membership=membership, on=today - dt.timedelta(days=days), reason=reason, by=officer)


def _fund_in_arrears(candidates: list[Kube], today: dt.date, officer: User) -> None:
    """A loan from a stalled group's revolving fund, five months old, with one instalment paid back."""
    kube = next((k for k in dict.fromkeys(candidates) if business.runs_revolving_fund(k)), None)
    if kube is None or kube.facilitator is None:
        return
    issued = _month(today, 5) + dt.timedelta(days=2)
    reopened = _reopen(kube, month_start(issued), officer)
    loan = books.lend(
        kube=kube,
        borrower="Siti Aminah",
        is_member=True,
        principal=1_000_000,
        issued_on=issued,
        instalments=5,
        purpose="Modal warung sembako",
        by=kube.facilitator,
    )
    books.repay(loan=loan, paid_on=issued + dt.timedelta(days=31), amount=200_000, by=kube.facilitator)
    for month in reopened:  # in order; months the restarting group leaves open stay open
        books.close_cash_month(kube=kube, month=month, by=kube.facilitator)


def _environment(kubes: list[Kube], today: dt.date, rng: random.Random) -> int:
    """Bina lingkungan records of most running groups: the practice checklist, neighbours employed, contributions."""
    practices = list(EnvironmentPractice.objects.filter(active=True).values_list("code", flat=True))
    count = 0
    for index, kube in enumerate(kubes):
        if not kube.is_mentored or kube.facilitator is None or index % 5 == 4:
            continue
        thriving = _paid_stages(kube) >= 2
        for days in (200, rng.randint(5, 40)) if thriving else (rng.randint(30, 90),):
            neighbours = rng.randint(1, 3) if thriving else 0
            mentoring.record_environment(
                kube=kube,
                recorded_on=today - dt.timedelta(days=days),
                by=kube.facilitator,
                practices={code: rng.random() < (0.85 if thriving else 0.5) for code in practices},
                neighbours_employed=neighbours,
                neighbour_days=neighbours * rng.randint(4, 12),
                neighbour_wages=neighbours * rng.randint(4, 12) * 75_000,
                social_activities=rng.choice(SOCIAL) if thriving else "",
                community_contribution=rng.choice([0, 100_000, 250_000]) if thriving else 0,
                complaints="Tetangga mengeluhkan bau limbah ikan." if not thriving and index % 2 else "",
            )
            count += 1
    return count
