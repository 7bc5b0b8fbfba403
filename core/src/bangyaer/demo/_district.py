"""The demo district's roster: about 2,000 children in a dozen schools, with families.

Everything comes from one seeded generator, so every demo is the same. Ages
follow the current school year (it starts on 1 September), so that children
are as old as their grade whatever year the demo is run.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ..roster import Roster, check_records
from . import _names as names

SEED = 20240901
# (grades, classes per grade, smallest and largest class) per stage.
SHAPE = {"kindergarten": (3, 2, 15, 20), "primary": (6, 2, 15, 20), "middle": (3, 2, 18, 24)}
# A child's age on 1 September in grade 1 of each stage.
FIRST_AGE = {"kindergarten": 3, "primary": 6, "middle": 12}
STAGE_WORDS = {"kindergarten": "幼儿园", "primary": "小学", "middle": "初中"}
SIBLING_PAIRS = 90


@dataclass
class Guardian:
    name: str
    phone: str
    relation: str


@dataclass
class Child:
    school: tuple[str, str, str]
    grade: int
    klass: int
    student_no: str
    family: str
    name: str
    gender: str
    birth: dt.date
    guardians: list[Guardian] = field(default_factory=list)


@dataclass
class DemoRoster:
    roster: Roster
    # The guardians whose accounts the demo prints: one with two children, one with one.
    parent_of_two: str
    parent_of_one: str


def school_year(today: dt.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def build_demo_roster(today: dt.date) -> DemoRoster:
    rng = random.Random(SEED)
    phones: set[str] = set()
    children = [child for school in names.SCHOOLS
                for child in _school_children(rng, school, school_year(today))]
    for child in children:
        child.guardians = _family(rng, child.family, phones)
    pairs = _siblings(rng, children)
    roster = check_records(_records(children), source="demo", today=today)
    two = next((a for a, b in pairs if a.school != b.school), pairs[0][0])
    paired = {id(c) for pair in pairs for c in pair}
    one = next(c for c in children if id(c) not in paired and c.guardians
               and c.school[0] == "P01")
    return DemoRoster(roster, two.guardians[0].phone, one.guardians[0].phone)


def _school_children(rng: random.Random, school: tuple[str, str, str], year: int
                     ) -> list[Child]:
    code, _, stage = school
    grades, classes, smallest, largest = SHAPE[stage]
    children = []
    for grade in range(1, grades + 1):
        age = FIRST_AGE[stage] + grade - 1
        # Born from 1 September, age + 1 years before the school year, to 31 August.
        first_day = dt.date(year - age - 1, 9, 1)
        for klass in range(1, classes + 1):
            for seat in range(1, rng.randint(smallest, largest) + 1):
                gender = rng.choice("MF")
                family = names.surname(rng)
                children.append(Child(
                    school=school, grade=grade, klass=klass,
                    student_no=f"{code}{year - grade + 1}{klass:02d}{seat:02d}",
                    family=family, name=names.child_name(rng, family, gender), gender=gender,
                    birth=first_day + dt.timedelta(days=rng.randrange(365)),
                ))
    return children


def _family(rng: random.Random, family: str, phones: set[str]) -> list[Guardian]:
    def adult(surname: str, gender: str, relation: str) -> Guardian:
        return Guardian(names.adult_name(rng, surname, gender), names.phone(rng, phones),
                        relation)

    def other() -> str:
        while (surname := names.surname(rng)) == family:
            pass
        return surname

    roll = rng.random()
    if roll < 0.01:
        return []  # a transfer whose family is not registered yet
    if roll < 0.65:
        return [adult(family, "M", "父亲"), adult(other(), "F", "母亲")]
    if roll < 0.85:
        return [adult(other(), "F", "母亲")]
    if roll < 0.93:
        return [adult(family, "M", "父亲")]
    if roll < 0.97:
        return [adult(other(), "F", "奶奶"), adult(other(), "F", "母亲")]
    return [adult(other(), "F", "外婆")]


def _siblings(rng: random.Random, children: list[Child]) -> list[tuple[Child, Child]]:
    """Make some children brothers and sisters: the younger takes the elder's family."""
    order = [c for c in children if c.guardians]
    rng.shuffle(order)
    pairs: list[tuple[Child, Child]] = []
    taken: set[int] = set()
    for elder in order:
        if len(pairs) == SIBLING_PAIRS:
            break
        if id(elder) in taken:
            continue
        younger = next((c for c in order if id(c) not in taken and c is not elder
                        and (c.birth - elder.birth).days > 2 * 365), None)
        if younger is None:
            continue
        taken.update((id(elder), id(younger)))
        younger.family = elder.family
        younger.name = names.child_name(rng, elder.family, younger.gender)
        younger.guardians = elder.guardians
        pairs.append((elder, younger))
    return pairs


def _records(children: list[Child]) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for child in children:
        code, school_name, stage = child.school
        base: dict[str, object] = {
            "school_code": code, "school_name": school_name, "stage": STAGE_WORDS[stage],
            "grade": str(child.grade), "class": str(child.klass),
            "student_no": child.student_no, "student_name": child.name,
            "gender": "男" if child.gender == "M" else "女", "birth_date": child.birth,
        }
        if not child.guardians:
            records.append(base)
        for guardian in child.guardians:
            records.append({**base, "guardian_name": guardian.name,
                            "guardian_phone": guardian.phone, "relation": guardian.relation})
    return records
