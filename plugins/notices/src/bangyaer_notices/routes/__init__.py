"""The notices plugin's routes: pages under /notices/, JSON under /api/v1/notices/."""

from . import json, manage, pages

page_routes = [*manage.routes, *pages.routes]
api_routes = json.routes

__all__ = ["api_routes", "page_routes"]
