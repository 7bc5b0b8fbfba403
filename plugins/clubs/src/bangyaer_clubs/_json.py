"""Clubs, rounds and applications as the JSON API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.identity.years import span_name

from .models import STATUS_TITLES, Application, Club, Meeting, Photo, Post, Round


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def club_json(club: Club, *, members: int | None = None,
              photos: list[Photo] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": club.id, "name": club.name, "category": club.category,
        "years": {"min": club.year_min, "max": club.year_max,
                  "title": span_name(club.year_min, club.year_max)},
        "leader": club.leader_name, "leader_account_id": club.leader_account_id,
        "place": club.place, "meets": club.meets, "description": club.description,
        "capacity": club.capacity, "active": club.active, "url": f"/clubs/{club.id}",
    }
    if members is not None:
        out["members"] = members
    if photos is not None:
        out["photos"] = [f"/clubs/photos/{p.id}" for p in photos]
    return out


def round_json(found: Round) -> dict[str, Any]:
    return {"id": found.id, "title": found.title, "opens_at": iso(found.opens_at),
            "closes_at": iso(found.closes_at), "questions": list(found.questions),
            "audition": found.audition}


def application_json(application: Application, child_name: str | None = None
                     ) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": application.id, "club_id": application.club_id,
        "round_id": application.round_id, "child_id": application.child_id,
        "answers": list(application.answers), "status": str(application.status),
        "status_title": STATUS_TITLES[application.status],
        "audition_result": application.audition_result,
        "decided_at": iso(application.decided_at),
    }
    if child_name is not None:
        out["child_name"] = child_name
    return out


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    return {"id": meeting.id, "club_id": meeting.club_id, "starts_at": iso(meeting.starts_at),
            "topic": meeting.topic, "url": f"/clubs/manage/meetings/{meeting.id}"}


def post_json(post: Post) -> dict[str, Any]:
    return {"id": post.id, "title": post.title, "body": post.body,
            "created_at": iso(post.created_at)}
