"""Photos handed in: sniffed from their bytes, size-limited, shown only to those who may see."""

from __future__ import annotations

import io
from typing import Any

import pytest
from bangyaer.platform import Platform
from bangyaer.storage import BlobRecord
from bangyaer_pioneers.models import Kind
from PIL import Image
from sqlalchemy import func, select

from .conftest import Appoint, ClientFor, MakeActivity


def picture(fmt: str = "PNG", **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (192, 48, 26)).save(out, fmt, **save)
    return out.getvalue()


PNG = picture()


@pytest.fixture
def pioneers_settings() -> dict[str, Any]:
    return {"photo_max_bytes": 1024}


async def upload(client: Any, activity: int, data: bytes, name: str = "国旗.png") -> Any:
    return await client.post(
        f"/api/v1/pioneers/activities/{activity}/submission",
        files={"photo": (name, data, "image/png")})


async def blob_count(platform: Platform) -> int:
    async with platform.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(BlobRecord)) or 0)


async def test_photo_is_stored_and_shown_to_the_guardian(
        client_for: ClientFor, make_activity: MakeActivity) -> None:
    activity = await make_activity(kind=Kind.photo)
    parent = await client_for("parent", "child_1")

    response = await upload(parent, activity, PNG)
    shown = await parent.get(response.json()["photo_url"])

    assert response.status_code == 201
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/png"
    assert shown.content == PNG


async def test_a_file_that_is_not_an_image_is_refused_and_not_kept(
        client_for: ClientFor, make_activity: MakeActivity, platform: Platform) -> None:
    activity = await make_activity(kind=Kind.photo)
    parent = await client_for("parent", "child_1")

    response = await upload(parent, activity, b"MZ\x90\x00 not a picture", "photo.png")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "只能上传 JPEG、PNG、WebP 或 GIF 格式的照片"
    assert await blob_count(platform) == 0


async def test_a_photo_over_the_limit_is_refused_and_not_kept(
        client_for: ClientFor, make_activity: MakeActivity, platform: Platform) -> None:
    activity = await make_activity(kind=Kind.photo)
    parent = await client_for("parent", "child_1")

    response = await upload(parent, activity, b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "photo_too_large"
    assert await blob_count(platform) == 0


async def test_photo_activity_wants_a_photo(client_for: ClientFor,
                                           make_activity: MakeActivity) -> None:
    activity = await make_activity(kind=Kind.photo)
    parent = await client_for("parent", "child_1")

    response = await parent.post(f"/api/v1/pioneers/activities/{activity}/submission",
                                 json={"text": "没有照片"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "photo_required"


async def test_photo_for_a_closed_activity_is_refused_before_it_is_read(
        client_for: ClientFor, make_activity: MakeActivity, platform: Platform) -> None:
    from .conftest import DAY

    activity = await make_activity(kind=Kind.photo, opens_in=-3 * DAY, closes_in=-DAY)
    parent = await client_for("parent", "child_1")

    response = await upload(parent, activity, PNG)

    assert response.status_code == 409
    assert await blob_count(platform) == 0


async def test_photo_is_hidden_from_another_family_and_shown_to_the_counsellor(
        client_for: ClientFor, make_activity: MakeActivity, appoint: Appoint) -> None:
    activity = await make_activity("district", kind=Kind.photo)
    url = (await upload(await client_for("parent", "child_1"), activity, PNG)).json()[
        "photo_url"]
    await appoint("teacher_a", "class_a1")

    assert (await (await client_for("parent_b", "child_b")).get(url)).status_code == 403
    assert (await (await client_for("teacher_a")).get(url)).status_code == 200


async def test_the_place_a_photo_was_taken_is_not_kept(client_for: ClientFor,
                                                       make_activity: MakeActivity) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS: latitude
    photo = picture("JPEG", exif=exif.tobytes())
    assert b"PhoneMaker" in photo
    activity = await make_activity(kind=Kind.photo)
    parent = await client_for("parent", "child_1")

    url = (await upload(parent, activity, photo, "照片.jpg")).json()["photo_url"]
    stored = (await parent.get(url)).content

    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == ("JPEG", (8, 6))
        assert not image.getexif()


async def test_a_broken_picture_is_refused_and_not_kept(
        client_for: ClientFor, make_activity: MakeActivity, platform: Platform) -> None:
    activity = await make_activity(kind=Kind.photo)
    parent = await client_for("parent", "child_1")

    response = await upload(parent, activity, b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "broken_photo"
    assert await blob_count(platform) == 0
