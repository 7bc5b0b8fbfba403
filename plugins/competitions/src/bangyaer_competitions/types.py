"""Activity types: what a work is, how it is judged, what its certificate says.

Types reach the plugin only through the ``activity_types`` hook, the built-in
ones included (see ``builtin_types``), so a third-party type in its own
distribution is on an equal footing. The host accepts any object with the
attributes of ``ActivityType``; the dataclasses here are the convenient way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

FileKind = Literal["image", "video", "audio", "document"]
Judging = Literal["panel", "measured"]

MB = 1024 * 1024
KIND_TITLES = {"image": "图片", "video": "视频", "audio": "音频", "document": "文档"}


@dataclass(frozen=True)
class FileRule:
    """How many files of one kind a work holds, and how large they may be."""

    kind: FileKind
    min_count: int = 1
    max_count: int = 1
    max_bytes: int = 20 * MB
    # Images only: the smallest and largest acceptable pixel sizes.
    min_width: int = 0
    min_height: int = 0
    max_pixels: int = 80_000_000


@dataclass(frozen=True)
class FormField:
    """A text field of a work, such as its title."""

    key: str
    label_zh: str
    label_en: str
    required: bool = True
    max_length: int = 200
    multiline: bool = False


@dataclass(frozen=True)
class RubricItem:
    """One line of the default rubric (评分细则); judging itself comes later."""

    key: str
    title_zh: str
    title_en: str
    max_score: int


@dataclass(frozen=True)
class ActivityType:
    id: str
    title_zh: str
    title_en: str
    files: tuple[FileRule, ...] = ()
    fields: tuple[FormField, ...] = ()
    rubric: tuple[RubricItem, ...] = ()
    judging: Judging = "panel"
    # For measured results: the unit staff enter ("秒", "米").
    measure_unit: str = ""
    # Certificate wording with {name}, {activity}, {group} and {award}.
    certificate_zh: str = "{name} 同学在“{activity}”（{group}）中荣获 {award}。"
    certificate_en: str = "{name} won {award} in {activity} ({group})."

    def rule_for(self, kind: str) -> FileRule | None:
        return next((r for r in self.files if r.kind == kind), None)

    @property
    def online(self) -> bool:
        return bool(self.files)


def describe(kind: Any) -> dict[str, Any]:
    """The JSON a client needs to build an upload form for a type."""
    return {
        "id": kind.id, "title_zh": kind.title_zh, "title_en": kind.title_en,
        "judging": kind.judging, "measure_unit": kind.measure_unit,
        "files": [{"kind": r.kind, "min_count": r.min_count, "max_count": r.max_count,
                   "max_bytes": r.max_bytes} for r in kind.files],
        "fields": [{"key": f.key, "label_zh": f.label_zh, "required": f.required,
                    "max_length": f.max_length, "multiline": f.multiline}
                   for f in kind.fields],
    }


_TITLE = FormField("title", "作品名称", "Title", max_length=60)
_DESCRIPTION = FormField("description", "作品简介", "Description", required=False,
                         max_length=500, multiline=True)


def builtin_types() -> list[ActivityType]:
    return [
        ActivityType(
            "artwork", "书画作品", "Artwork",
            files=(FileRule("image", 1, 3, 20 * MB, min_width=600, min_height=600),),
            fields=(_TITLE, _DESCRIPTION),
            rubric=(RubricItem("theme", "主题表达", "Theme", 30),
                    RubricItem("skill", "技法", "Technique", 40),
                    RubricItem("creativity", "创意", "Creativity", 30)),
        ),
        ActivityType(
            "performance_video", "表演视频", "Performance video",
            # Not yet: videos over 2 GB; a phone's few-minute clip is far below.
            files=(FileRule("video", 1, 1, 2048 * MB),),
            fields=(_TITLE, _DESCRIPTION),
            rubric=(RubricItem("expression", "表现力", "Expression", 40),
                    RubricItem("skill", "技巧", "Skill", 40),
                    RubricItem("presence", "台风", "Stage presence", 20)),
        ),
        ActivityType(
            "written_work", "文字作品", "Written work",
            files=(FileRule("document", 1, 1, 10 * MB),),
            fields=(_TITLE,),
            rubric=(RubricItem("content", "内容", "Content", 50),
                    RubricItem("language", "语言", "Language", 30),
                    RubricItem("structure", "结构", "Structure", 20)),
        ),
        ActivityType(
            "measured_result", "计时计距", "Measured result",
            judging="measured", measure_unit="秒",
            certificate_zh="{name} 同学在“{activity}”（{group}）中成绩优异，荣获 {award}。",
        ),
    ]


def check_fields(kind: Any, values: Mapping[str, Any]) -> dict[str, str]:
    """The work's form fields, checked against the type; ValueError names the field."""
    out: dict[str, str] = {}
    known = {f.key for f in kind.fields}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"未知字段 {', '.join(sorted(unknown))}")
    for spec in kind.fields:
        raw = values.get(spec.key)
        text = raw.strip() if isinstance(raw, str) else ""
        if raw is not None and not isinstance(raw, str):
            raise ValueError(f"{spec.label_zh}应为文字")
        if spec.required and not text:
            raise ValueError(f"请填写{spec.label_zh}")
        if len(text) > spec.max_length:
            raise ValueError(f"{spec.label_zh}过长（最多 {spec.max_length} 字）")
        out[spec.key] = text
    return out


def types_of(platform: Any) -> dict[str, Any]:
    """Every activity type the enabled plugins provide, by id (duplicates refused)."""
    found: dict[str, Any] = platform.host.collect_by_id("activity_types")
    return found
