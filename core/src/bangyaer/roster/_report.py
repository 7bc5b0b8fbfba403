"""What an import did, per kind of record."""

from __future__ import annotations

from dataclasses import dataclass, field

KIND_TITLES: dict[str, str] = {
    "schools": "学校",
    "grades": "年级",
    "classes": "班级",
    "students": "学生",
    "guardians": "家长",
    "guardianships": "监护关系",
}


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    # Only students are deactivated, and only with deactivate_missing.
    deactivated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deactivated)

    def as_dict(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "deactivated": self.deactivated}


@dataclass
class ImportReport:
    source: str
    rows: int
    counts: dict[str, Counts] = field(
        default_factory=lambda: {kind: Counts() for kind in KIND_TITLES})
    ignored_columns: list[str] = field(default_factory=list)
    deactivate_missing: bool = False
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def as_dict(self) -> dict[str, object]:
        """Counts only: safe for the audit log, which never holds names."""
        return {
            "source": self.source, "rows": self.rows, "changed": self.changed,
            "deactivate_missing": self.deactivate_missing, "dry_run": self.dry_run,
            "counts": {kind: c.as_dict() for kind, c in self.counts.items()},
        }
