"""Who may read an item, and who may change it.

Reading: a public item is for anyone; a signed-in item for the whole
district is for anyone signed in; an item for chosen schools is for those
schools' families (through their children) and staff, and for district
staff. Changing: district staff change everything; a school admin changes
the items their school owns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bangyaer.identity import Actor, authorize
from sqlalchemy import ColumnElement, and_, exists, false, or_, true

from .models import Audience, Item, Status

PUBLISH = "notices.publish"
PUBLISH_SCHOOL = "notices.publish_school"
READ_SCHOOL = "notices.read_school"


def school_of(path: str) -> int | None:
    """The school in an organisation path (/district/school/…), None for the district."""
    parts = [p for p in path.split("/") if p]
    return int(parts[1]) if len(parts) > 1 else None


@dataclass(frozen=True)
class Readership:
    """What one actor may read, worked out once per request."""

    signed_in: bool = False
    every_school: bool = False
    school_ids: frozenset[int] = frozenset()


def readership(actor: Actor) -> Readership:
    if not actor.is_authenticated:
        return Readership()
    schools: set[int] = set()
    every = False
    for path in actor.scopes(READ_SCHOOL):
        school = school_of(path)
        if school is None:
            every = True
        else:
            schools.add(school)
    # Families are reached through their children's schools (and the school
    # the roster placed the guardian at, when it did).
    people = [*actor.children, *([actor.person] if actor.person else [])]
    schools.update(p.school_id for p in people if p.school_id is not None)
    return Readership(True, every, frozenset(schools))


def live(now: dt.datetime) -> ColumnElement[bool]:
    """Published, and inside its publish window at ``now``."""
    return and_(
        Item.status == Status.published,
        Item.publish_at.is_not(None),
        Item.publish_at <= now,
        or_(Item.unpublish_at.is_(None), Item.unpublish_at > now),
    )


def is_live(item: Item, now: dt.datetime) -> bool:
    return (item.status == Status.published and item.publish_at is not None
            and item.publish_at <= now
            and (item.unpublish_at is None or item.unpublish_at > now))


def readable(who: Readership) -> ColumnElement[bool]:
    """The audience part of visibility, as a WHERE clause."""
    if not who.signed_in:
        return Item.public.is_(True)
    if who.every_school:
        return true()
    reached = exists().where(Audience.item_id == Item.id, Audience.school_id.in_(who.school_ids))
    return or_(Item.public.is_(True), Item.whole_district.is_(True),
               reached if who.school_ids else false())


def can_read(item: Item, audience: set[int], who: Readership) -> bool:
    """The same rule as ``readable`` for one loaded item and its schools."""
    if item.public:
        return True
    if not who.signed_in:
        return False
    return who.every_school or item.whole_district or bool(audience & who.school_ids)


def can_edit(actor: Actor, item: Item) -> bool:
    if authorize(actor, PUBLISH, item.org_path):
        return True
    # A school grant covers only items the school owns, never the district's.
    return school_of(item.org_path) is not None and authorize(actor, PUBLISH_SCHOOL,
                                                              item.org_path)


def is_editor(actor: Actor) -> bool:
    return bool(actor.scopes(PUBLISH) or actor.scopes(PUBLISH_SCHOOL))


def editable(actor: Actor) -> ColumnElement[bool]:
    """The items ``actor`` may change, as a WHERE clause."""
    prefixes = [*actor.scopes(PUBLISH)]
    prefixes += [p for p in actor.scopes(PUBLISH_SCHOOL) if school_of(p) is not None]
    if not prefixes:
        return false()
    return or_(*[Item.org_path.startswith(p, autoescape=True) for p in prefixes])
