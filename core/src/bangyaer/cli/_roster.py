from __future__ import annotations

from . import main


@main.group()
def roster() -> None:
    """The roster of schools, classes, students and guardians."""
