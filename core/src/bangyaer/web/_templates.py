"""Jinja2 templates: the core's base layout plus each plugin's ``templates/`` dir.

A plugin's template ``list.html`` is reached as ``<plugin id>/list.html``;
plugins extend ``base.html`` from the core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from ._i18n import Translations, current_locale


def build_environment(
    core_dir: Path, plugin_dirs: Mapping[str, Path], translations: Translations, tz: str
) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(core_dir),
        jinja2.PrefixLoader(
            {pid: jinja2.FileSystemLoader(path) for pid, path in plugin_dirs.items()}
        ),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=translations.gettext, ngettext=translations.ngettext, newstyle=True
    )
    zone = ZoneInfo(tz)

    def local_time(value: dt.datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        # Stored in UTC, shown in the district's zone (Asia/Shanghai); reports
        # that are also JSON carry ISO strings.
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone).strftime(fmt)

    def iso_time(value: dt.datetime | None) -> str:
        if value is None:
            return ""
        # SQLite hands back naive datetimes; they were stored as UTC.
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone).isoformat()

    env.filters["local_time"] = local_time
    env.filters["iso_time"] = iso_time
    env.filters["safe_url"] = safe_url
    env.globals["current_locale"] = current_locale.get
    return env


def safe_url(url: str) -> str:
    """``url`` if it is a path here or an http(s) address; else a harmless ``#``.

    Links come from plugins and from stored messages; a ``javascript:`` one
    must never become clickable.
    """
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.lower().startswith(("https://", "http://")):
        return url
    return "#"


def render_string(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    return env.get_template(name).render(context)
