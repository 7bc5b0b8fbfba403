"""Club photos: read as images from their bytes, limited in size, served to everyone."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from .conftest import ClientFor, MakeClub


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


async def upload(client: httpx.AsyncClient, club_id: int, data: bytes,
                 name: str = "a.png") -> httpx.Response:
    return await client.post(f"/api/v1/clubs/clubs/{club_id}/photos",
                             files={"file": (name, data, "image/png")})


async def test_a_photo_is_stored_and_shown_on_the_club_page(
        make_club: MakeClub, staff: httpx.AsyncClient, client_for: ClientFor) -> None:
    club = await make_club()
    data = png()

    response = await upload(staff, club["id"], data)

    assert response.status_code == 201
    url = response.json()["photo"]["url"]
    anonymous = await client_for(None)
    served = await anonymous.get(url)
    assert served.content == data and served.headers["content-type"] == "image/png"
    assert f'src="{url}"' in (await anonymous.get(f"/clubs/{club['id']}")).text


async def test_a_file_that_is_not_an_image_is_refused(make_club: MakeClub,
                                                      staff: httpx.AsyncClient) -> None:
    club = await make_club()

    response = await upload(staff, club["id"], b"<html><script>alert(1)</script>",
                            name="x.png")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "只接受 JPEG、PNG 或 WebP 图片"


@pytest.mark.parametrize("clubs_settings", [{"photo_max_bytes": 1024 * 1024}])
async def test_a_photo_over_the_limit_is_413(make_club: MakeClub,
                                             staff: httpx.AsyncClient) -> None:
    club = await make_club()

    response = await upload(staff, club["id"], png() + b"\x00" * (2 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json()["error"]["message"] == "图片超过 1 MB 的上限"


async def test_a_leader_cannot_add_photos_to_another_club(make_club: MakeClub,
                                                          client_for: ClientFor) -> None:
    club = await make_club(leader=None)
    teacher = await client_for("teacher_a")

    response = await upload(teacher, club["id"], png())

    assert response.status_code == 403
