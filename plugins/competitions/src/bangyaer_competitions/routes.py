"""Every route of the plugin: pages under /competitions/, JSON under /api/v1/competitions/."""

from __future__ import annotations

from bangyaer.contrib import Routes
from starlette.routing import Route

from . import activity_desk, api, export, pages, staff, tus, uploads
from .judging import hooks as judging
from .results import hooks as results


def build() -> Routes:
    return Routes(
        pages=[
            Route("/", pages.activities_page, name="activities"),
            Route("/mine", pages.mine_page, name="mine"),
            Route("/activities/{activity_id:int}", pages.activity_page, name="activity"),
            Route("/activities/{activity_id:int}/register", pages.register_form,
                  methods=["POST"], name="register"),
            Route("/entries/{code}", pages.entry_page, name="entry"),
            Route("/entries/{code}/cancel", pages.cancel_form, methods=["POST"],
                  name="cancel"),
            Route("/manage", pages.manage_page, name="manage"),
            Route("/manage/new", activity_desk.new_page, name="new_activity"),
            Route("/manage/new", activity_desk.create_form, methods=["POST"],
                  name="create_activity"),
            Route("/manage/{activity_id:int}/edit", activity_desk.edit_page,
                  name="edit_activity"),
            Route("/manage/{activity_id:int}/edit", activity_desk.edit_form, methods=["POST"],
                  name="save_activity"),
            Route("/manage/{activity_id:int}", pages.manage_activity_page,
                  name="manage_activity"),
            Route("/manage/{activity_id:int}/move", pages.move_form, methods=["POST"],
                  name="move"),
            Route("/manage/{activity_id:int}/entries.xlsx", export.export_entries,
                  name="export"),
            *judging.pages(),
            *results.pages(),
        ],
        api=[
            Route("/activities", api.list_activities, name="activities"),
            Route("/activities", staff.create_activity, methods=["POST"],
                  name="create_activity"),
            Route("/activities/{activity_id}", api.get_activity, name="activity"),
            Route("/activities/{activity_id}", staff.update_activity, methods=["PATCH"],
                  name="update_activity"),
            Route("/activities/{activity_id}/entries", api.create_entry, methods=["POST"],
                  name="create_entry"),
            Route("/activities/{activity_id}/transitions", staff.move_activity,
                  methods=["POST"], name="move_activity"),
            Route("/activities/{activity_id}/stats", staff.activity_stats, name="stats"),
            Route("/activities/{activity_id}/export", export.export_entries,
                  name="export_entries"),
            Route("/manage/activities", staff.list_managed, name="managed"),
            Route("/entries", api.my_entries, name="my_entries"),
            Route("/entries/{code}", api.get_entry, name="entry"),
            Route("/entries/{code}", api.cancel_entry, methods=["DELETE"],
                  name="cancel_entry"),
            Route("/entries/{code}/status", api.entry_status, name="entry_status"),
            Route("/entries/{code}/work", api.submit_work, methods=["POST"],
                  name="submit_work"),
            Route("/entries/{code}/versions", export.entry_versions, name="versions"),
            Route("/entries/{code}/files", uploads.upload_file, methods=["POST"],
                  name="upload_file"),
            Route("/entries/{code}/uploads", tus.create, methods=["POST"],
                  name="tus_create"),
            Route("/entries/{code}/uploads", tus.options, methods=["OPTIONS"],
                  name="tus_options"),
            Route("/uploads/{upload_id}", tus.head, methods=["HEAD"], name="tus_head"),
            Route("/uploads/{upload_id}", tus.patch, methods=["PATCH"], name="tus_patch"),
            Route("/files/{file_id:int}", uploads.delete_file, methods=["DELETE"],
                  name="delete_file"),
            Route("/files/{file_id:int}/{which:str}", export.file_content, name="file"),
            *judging.api(),
            *results.api(),
        ],
    )
