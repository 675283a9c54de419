"""Writing the accepted rows of each checked batch: new, changed or unchanged, each row within the user's region."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop as N_
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from berdaya.accounts.models import User
from berdaya.lib.scoping import province_of, region_contains

from ..models import AssistanceRecord, Household, Person
from .checking import BATCH_SIZE
from .keys import KeySet
from .results import Batch, ImportSummary, Issue
from .sql import (
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    date_text,
    follow_households,
    insert_rows,
    stored_rows,
    update_rows,
)
from .vocabulary import Kind


class Writer:
    """Stores the accepted rows of one batch, and counts what was created, updated or already as in the file.

    Registry rows are read and written with plain SQL on tuples built column by column: most rows of a re-import are
    unchanged and need only a comparison, and building a model instance or compiling an ORM query per row was most of
    the import's time.
    """

    def __init__(self, *, kind: Kind, by: User, summary: ImportSummary, write: bool) -> None:
        self.kind = kind
        self.by = by
        self.summary = summary
        self.write = write
        self.when = timezone.now()
        # The KK numbers and NIKs in the registry, read on the first batch (inside the commit's transaction), plus the
        # households this import creates: only keys in them are looked up, so new people cost no lookup at all.
        self.known_kks: KeySet | None = None
        self.known_niks: KeySet | None = None
        # The KK numbers of the batches before: the first row of a KK in the file says what its household is, so a
        # later batch neither changes nor counts it again.
        self.done_kks = KeySet([])
        # The importing user's province: the registry's records of their region are there (and on PostgreSQL in its
        # partitions), so looking them up there first reads one province rather than all.
        province = province_of(by.region_id)
        self.province = province if len(province) == 2 else ""

    def _stored(self, columns: str, tables: str, key: str, keys: set[str], partitions: tuple[str, ...]) -> list[Any]:
        """`stored_rows` looked up in the user's province (`partitions`: the tables' province columns), then, for the
        keys not found there, anywhere: a record registered in another province is still found (and refused)."""
        if not self.province or not keys:
            return stored_rows(columns, tables, key, keys)
        where = " AND ".join(f"{column} = %s" for column in partitions)
        found = stored_rows(columns, tables, key, keys, where=where, params=[self.province] * len(partitions))
        elsewhere = keys - {row[0] for row in found}
        return found + stored_rows(columns, tables, key, elsewhere) if elsewhere else found

    def __call__(self, batch: Batch) -> None:
        """Store the accepted rows; refuse (with an issue) those that touch a record outside the user's region."""
        if self.kind == "registry":
            self._registry(batch)
        else:
            self._history(batch)

    def _in_scope(self, code: str) -> bool:
        scope = self.by.region_id
        return scope is not None and region_contains(scope, code)

    def _refuse(self, batch: Batch, index: int, column: str, value: str, message: str, **params: str) -> None:
        batch.add(index, [Issue(batch.lines[index], column, value, "rejected", message, params)])

    def _registry(self, batch: Batch) -> None:
        data = batch.data
        rejected = batch.rejected()
        kept = [index for index in range(len(batch.lines)) if index not in rejected] if rejected else None

        def column(name: str) -> list[Any]:
            values = data[name]
            return values if kept is None else [values[index] for index in kept]

        kks, niks = column("kk_number"), column("nik")
        if self.known_kks is None or self.known_niks is None:
            self.known_kks = KeySet.of_column("registry_household", "kk_number")
            self.known_niks = KeySet.of_column("registry_person", "nik")
        known_kks = self.known_kks.select(set(kks))
        # key -> (id, village, stored values in HOUSEHOLD_COLUMNS / PERSON_COLUMNS order without the key)
        existing = {
            kk: (pk, village, tuple(values))
            for kk, pk, village, *values in self._stored(
                "h.kk_number, h.id, h.village_id, h.address, h.village_id AS village, h.decile, h.register_id, "
                f"{date_text('h.register_verified_on')}",
                "registry_household h",
                "h.kk_number",
                known_kks,
                ("h.province",),
            )
        }
        people = {
            nik: (pk, village, tuple(values))
            for nik, pk, village, *values in self._stored(
                "p.nik, p.id, h.village_id, p.name, p.household_id, p.relation, p.sex, p.birth_place, "
                f"{date_text('p.birth_date')}, p.marital_status, p.education, p.occupation, p.disability",
                "registry_person p JOIN registry_household h ON h.id = p.household_id",
                "p.nik",
                self.known_niks.select(niks),
                ("p.province", "h.province"),
            )
        }
        # An import may not take over a household or person registered outside the importing user's region.
        foreign_kks = {kk for kk, stored in existing.items() if not self._in_scope(stored[1])}
        foreign_niks = {nik for nik, stored in people.items() if not self._in_scope(stored[1])}
        if foreign_kks or foreign_niks:
            for index in range(len(batch.lines)) if kept is None else kept:
                kk, nik = data["kk_number"][index], data["nik"][index]
                if kk in foreign_kks:
                    self._refuse(
                        batch, index, "kk_number", kk, N_("KK %(kk)s is registered outside your region."), kk=kk
                    )
                elif nik in foreign_niks:
                    self._refuse(
                        batch, index, "nik", nik, N_("NIK %(nik)s is registered outside your region."), nik=nik
                    )
            rejected = batch.rejected()
            kept = [index for index in range(len(batch.lines)) if index not in rejected]
            kks, niks = column("kk_number"), column("nik")
        # The first row of a KK in the file says what the household is (reversed: in a dict the last one stays).
        household_values = list(
            zip(
                column("address"),
                column("village_code"),
                column("decile"),
                column("register_id"),
                column("register_verified_on"),
                strict=True,
            )
        )
        households = dict(zip(reversed(kks), reversed(household_values), strict=True))
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        household_ids = {kk: stored[0] for kk, stored in existing.items()}
        done = self.done_kks.select(households.keys())
        self.done_kks.add(list(households))
        for kk, values in households.items():
            if kk in done:
                continue  # decided by an earlier batch (and, in a dry run, stored nowhere)
            stored = existing.get(kk)
            if stored is None:
                new.append((kk, *values))
            elif stored[2] != values:
                changed.append((stored[0], kk, *values))
        self.summary.households_created += len(new)
        self.summary.households_updated += len(changed)
        self.known_kks.add([row[0] for row in new])
        # Each KK's province as it will be stored: as the file says for the households this batch decides, as stored
        # for those an earlier batch did (the first row of a KK in the file says what its household is).
        provinces = {kk: province_of(stored[1]) for kk, stored in existing.items()}
        provinces.update((kk, province_of(values[1])) for kk, values in households.items() if kk not in done)
        if self.write:
            household_ids.update(insert_rows(Household, HOUSEHOLD_COLUMNS, new, by=self.by, when=self.when))
            update_rows(Household, HOUSEHOLD_COLUMNS, changed, by=self.by, when=self.when)
            # A household moved to a village of another province takes its members and records along.
            follow_households(
                {row[0]: provinces[row[1]] for row in changed if provinces[row[1]] != province_of(existing[row[1]][1])}
            )
        person_values = zip(
            column("name"),
            map(household_ids.get, kks),
            column("relation"),
            column("sex"),
            column("birth_place"),
            column("birth_date"),
            column("marital_status"),
            column("education"),
            column("occupation"),
            column("disability"),
            strict=True,
        )
        new_people: list[tuple[Any, ...]] = []
        changed_people: list[tuple[Any, ...]] = []
        new_provinces: list[str] = []
        changed_provinces: list[str] = []
        if not people:  # a first import: every person is new
            new_people = [(nik, *values) for nik, values in zip(niks, person_values, strict=True)]
            new_provinces = [provinces.get(kk, "") for kk in kks]  # none in a dry run's later batches
        else:
            for nik, kk, values in zip(niks, kks, person_values, strict=True):
                stored_person = people.get(nik)
                if stored_person is None:
                    new_people.append((nik, *values))
                    new_provinces.append(provinces.get(kk, ""))
                elif stored_person[2] != values:
                    changed_people.append((stored_person[0], nik, *values))
                    changed_provinces.append(provinces.get(kk, ""))
        self.summary.created += len(new_people)
        self.summary.updated += len(changed_people)
        self.summary.unchanged += len(niks) - len(new_people) - len(changed_people)
        if self.write:
            insert_rows(Person, PERSON_COLUMNS, new_people, by=self.by, when=self.when, provinces=new_provinces)
            update_rows(Person, PERSON_COLUMNS, changed_people, by=self.by, when=self.when, provinces=changed_provinces)

    def _history(self, batch: Batch) -> None:
        data = batch.data
        rejected = batch.rejected()
        indexes = [index for index in range(len(batch.lines)) if index not in rejected]
        people = Person.objects.visible_to(self.by).in_bulk([data["nik"][index] for index in indexes], field_name="nik")
        known = []
        for index in indexes:
            nik = data["nik"][index]
            if nik in people:
                known.append(index)
            else:
                self._refuse(
                    batch,
                    index,
                    "nik",
                    nik,
                    N_("NIK %(nik)s is not in the registry of your region; import the registry first."),
                    nik=nik,
                )
        person_ids = [people[data["nik"][index]].pk for index in known]
        existing = {
            (record.person_id, record.programme, record.year): record
            for record in AssistanceRecord.objects.filter(person_id__in=person_ids)
        }
        new, changed = [], []
        for index in known:
            person = people[data["nik"][index]]
            programme, year = data["programme"][index], data["year"][index]
            record = existing.get((person.pk, programme, year))
            values = {"source": data["source"][index], "amount": data["amount"][index]}
            if record is None:
                new.append(
                    AssistanceRecord(
                        person=person,
                        household_id=person.household_id,
                        province=person.province,  # bulk_create does not call save(), which would set it
                        programme=programme,
                        year=year,
                        **values,
                    )
                )
                self.summary.created += 1
            elif _apply(record, values, ("source", "amount")):
                changed.append(record)
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
        if self.write:
            if new:
                bulk_create_with_history(
                    new, AssistanceRecord, batch_size=BATCH_SIZE, default_user=self.by, default_date=self.when
                )
            if changed:
                bulk_update_with_history(
                    changed,
                    AssistanceRecord,
                    ["source", "amount"],
                    batch_size=BATCH_SIZE,
                    default_user=self.by,
                    default_date=self.when,
                )


def _apply(obj: Any, values: dict[str, Any], names: tuple[str, ...]) -> bool:
    """Set the values that differ; True when any did."""
    changed = False
    for name in names:
        if getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed
