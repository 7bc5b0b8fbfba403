"""Who takes the parent school: a signed-in guardian, with their children's stages."""

from __future__ import annotations

from dataclasses import dataclass

from bangyaer.identity import Actor, Person, PersonKind
from bangyaer.web import ApiError, get_platform, require_actor
from starlette.requests import Request

PLUGIN = "parent_school"
MANAGE = "parent_school.manage"


@dataclass(frozen=True)
class Learner:
    actor: Actor
    person: Person

    @property
    def stages(self) -> set[str]:
        return {str(c.stage) for c in self.actor.children if c.stage}

    @property
    def org_path(self) -> str:
        """Where the cockpit counts them: their own school, else their first child's."""
        if self.person.org_path:
            return self.person.org_path
        for child in self.actor.children:
            parts = [p for p in child.org_path.split("/") if p]
            if len(parts) >= 2:
                return f"/{parts[0]}/{parts[1]}/"
        return ""


async def require_guardian(request: Request) -> Learner:
    actor = await require_actor(request)
    if actor.person is None or actor.person.kind != PersonKind.guardian:
        raise ApiError(403, "guardians_only", "家长学校的课程面向家长，请用家长账号登录")
    return Learner(actor, actor.person)


def max_video_bytes(request: Request) -> int:
    return int(get_platform(request).config(PLUGIN)["video_max_bytes"])
