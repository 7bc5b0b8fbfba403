"""What judging adds to the plugin's hooks; plugin.py gathers it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bangyaer.contrib import NavItem, Permission
from bangyaer.identity import Actor, authorize
from starlette.routing import BaseRoute, Route

from . import api as _api
from . import freeze
from . import pages as _pages

JUDGE = "competitions.judge"


def permissions() -> list[Permission]:
    return [Permission(JUDGE, "评审竞赛作品", "Judge competition entries", ("judge",))]


def nav_items(actor: Actor) -> Iterable[NavItem]:
    # The tile shows for every judge; the queue itself says when nothing is assigned.
    if not authorize(actor, JUDGE):
        return []
    return [NavItem("competitions", "评审任务", "Judging", "/competitions/judging/",
                    icon="trophy", order=22, description_zh="为分到的参赛作品评分",
                    description_en="Score the entries assigned to you")]


def job_handlers() -> dict[str, Any]:
    return {freeze.JOB: freeze.make_copies}


def pages() -> list[BaseRoute]:
    return [
        Route("/judging/", _pages.queue_page, name="judging_queue"),
        Route("/judging/entries/{code}", _pages.score_page, name="judging_entry"),
        Route("/judging/entries/{code}", _pages.score_form, methods=["POST"],
              name="judging_score"),
        Route("/manage/{activity_id:int}/judging", _pages.desk_page, name="judging_desk"),
        Route("/manage/{activity_id:int}/judging/judges", _pages.invite_form,
              methods=["POST"], name="judging_invite"),
        Route("/manage/{activity_id:int}/judging/draw", _pages.draw_form, methods=["POST"],
              name="judging_draw"),
        Route("/manage/{activity_id:int}/judging/judges/{invite_id:int}/drop",
              _pages.drop_page, name="judging_drop"),
        Route("/manage/{activity_id:int}/judging/judges/{invite_id:int}/drop",
              _pages.drop_form, methods=["POST"], name="judging_drop_form"),
        Route("/manage/{activity_id:int}/judging/move", _pages.move_form, methods=["POST"],
              name="judging_move"),
    ]


def api() -> list[BaseRoute]:
    base = "/activities/{activity_id}"
    return [
        Route(f"{base}/judging", _api.get_judging, name="judging"),
        Route(f"{base}/judging", _api.put_judging, methods=["PUT"], name="judging_setup"),
        Route(f"{base}/judging/copies", _api.rerun_copies, methods=["POST"],
              name="judging_copies"),
        Route(f"{base}/judging/replay", _api.get_replay, name="judging_replay"),
        Route(f"{base}/judges", _api.list_judges, name="judges"),
        Route(f"{base}/judges", _api.post_judge, methods=["POST"], name="invite_judge"),
        Route(f"{base}/judges/{{invite_id:int}}/drop", _api.drop_judge, methods=["POST"],
              name="drop_judge"),
        Route(f"{base}/draw", _api.post_draw, methods=["POST"], name="draw"),
        Route(f"{base}/assignments/change", _api.change_assignment, methods=["POST"],
              name="change_assignment"),
        Route("/judging/queue", _api.my_queue, name="judging_queue"),
        Route("/judging/entries/{code}", _api.judge_entry, name="judging_entry"),
        Route("/judging/entries/{code}/score", _api.put_score, methods=["PUT"],
              name="judging_score"),
        Route("/judging/entries/{code}/copies/{position:int}", _api.entry_copy,
              name="judging_entry_copy"),
        Route("/judging/entries/{code}/copies/{position:int}/{which:str}", _api.entry_copy,
              name="judging_entry_copy_thumbnail"),
        Route("/judging/copies/{copy_id:int}", _api.copy_content, name="judging_copy"),
        Route("/judging/copies/{copy_id:int}/{which:str}", _api.copy_content,
              name="judging_copy_thumbnail"),
    ]
