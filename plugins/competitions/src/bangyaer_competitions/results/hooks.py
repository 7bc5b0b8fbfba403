"""What results add to the plugin's hooks; plugin.py gathers it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bangyaer.contrib import NavItem, Permission
from bangyaer.identity import Actor
from starlette.routing import BaseRoute, Route

from . import api as results_api
from . import pages as results_pages
from .audit_log import AUDIT


def permissions() -> list[Permission]:
    return [Permission(AUDIT, "查看竞赛审计日志", "Read the competitions audit log",
                       ("district_admin",))]


def nav_items(actor: Actor) -> Iterable[NavItem]:
    # Results are reached from each activity's desk and page, not from a tile.
    return []


def job_handlers() -> dict[str, Any]:
    return {}


def pages() -> list[BaseRoute]:
    p = results_pages
    return [
        Route("/manage/{activity_id:int}/results", p.desk_page, name="results_desk"),
        Route("/manage/{activity_id:int}/results/{action:str}", p.desk_form, methods=["POST"],
              name="results_form"),
        Route("/manage/{activity_id:int}/appeals/{appeal_id:int}", p.appeal_form,
              methods=["POST"], name="results_appeal_decision_form"),
        Route("/manage/{activity_id:int}/audit", p.audit_page, name="results_audit"),
        Route("/activities/{activity_id:int}/awards", p.awards_page, name="results_awards"),
        Route("/entries/{code}/appeal", p.appeal_submit_form, methods=["POST"],
              name="results_appeal_form"),
    ]


def api() -> list[BaseRoute]:
    a = results_api
    base = "/activities/{activity_id}"
    return [
        Route(f"{base}/results/settings", a.get_settings, name="results_settings"),
        Route(f"{base}/results/settings", a.update_settings, methods=["PATCH"],
              name="results_update_settings"),
        Route(f"{base}/results", a.get_results, name="results"),
        Route(f"{base}/results/compute", a.compute_results, methods=["POST"],
              name="results_compute"),
        Route(f"{base}/results/extra-judges", a.extra_judges, methods=["POST"],
              name="results_extra_judges"),
        Route(f"{base}/measurements", a.enter_measurements, methods=["PUT"],
              name="results_measurements"),
        Route(f"{base}/results/publish", a.publish_results, methods=["POST"],
              name="results_publish"),
        Route(f"{base}/results/finalise", a.finalise_results, methods=["POST"],
              name="results_finalise"),
        Route(f"{base}/awards", a.get_awards, name="results_awards"),
        Route(f"{base}/appeals", a.list_appeals, name="results_appeals"),
        Route(f"{base}/audit", a.read_audit, name="results_audit"),
        Route("/appeals/{appeal_id}/decision", a.decide_appeal, methods=["POST"],
              name="results_decide_appeal"),
        Route("/entries/{code}/result", a.entry_result, name="results_entry_result"),
        Route("/entries/{code}/appeal", a.submit_appeal, methods=["POST"],
              name="results_submit_appeal"),
    ]
