"""Club photos: type sniffed from the first bytes, size limited while they stream in."""

from __future__ import annotations

from collections.abc import AsyncIterator

from bangyaer.identity import audit
from bangyaer.storage import BlobNotFound, BlobTooLarge, save_blob
from bangyaer.web import ApiError, api, get_platform, require_actor, single_file
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ._access import check_run
from .models import Club, Photo

SNIFF = 16
MAX_PHOTOS = 12


def sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


async def _checked(chunks: AsyncIterator[bytes], found: list[str]) -> AsyncIterator[bytes]:
    pending, size = [], 0
    async for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= SNIFF:
            break
    kind = sniff_image(b"".join(pending)[:SNIFF])
    if kind is None:
        raise ApiError(422, "unsupported_type", "只接受 JPEG、PNG 或 WebP 图片")
    found.append(kind)
    for chunk in pending:
        yield chunk
    async for chunk in chunks:
        yield chunk


@api("Add a photo to a club (multipart field 'file'; JPEG, PNG or WebP, read from the "
     "content)", responses={201: "Created", 413: "Too large", 422: "Wrong type"})
async def add_photo(request: Request) -> Response:
    actor = await require_actor(request)
    platform = get_platform(request)
    club_id = int(request.path_params["club_id"])
    async with platform.db.session() as session:
        club = await session.get(Club, club_id)
        if club is None:
            raise ApiError(404, "not_found", "社团不存在或已停办")
        check_run(actor, club)
        count = await session.scalar(select(func.count(Photo.id)).where(Photo.club_id == club_id))
        if (count or 0) >= MAX_PHOTOS:
            raise ApiError(409, "too_many_photos", f"每个社团最多 {MAX_PHOTOS} 张图片")
    limit = platform.config("clubs")["photo_max_bytes"]
    found: list[str] = []
    upload = await single_file(request)
    try:
        async with platform.db.transaction() as session:
            info = await save_blob(session, platform.blobs, _checked(upload.chunks, found),
                                   max_size=limit, content_type="image/*")
    except BlobTooLarge:
        raise ApiError(413, "file_too_large",
                       f"图片超过 {limit // (1024 * 1024)} MB 的上限") from None
    async with platform.db.transaction() as session:
        photo = Photo(club_id=club_id, sha256=info.sha256, content_type=found[0],
                      size=info.size)
        session.add(photo)
        await session.flush()
        await audit(session, actor, "clubs.photo_added", "clubs_club", club_id)
        return JSONResponse({"photo": {"id": photo.id, "url": f"/clubs/photos/{photo.id}"}},
                            status_code=201)


async def photo(request: Request) -> Response:
    platform = get_platform(request)
    async with platform.db.session() as session:
        found = await session.get(Photo, request.path_params["photo_id"])
        club = await session.get(Club, found.club_id) if found else None
    if found is None or club is None or not club.active:
        raise ApiError(404, "not_found", "图片不存在")
    try:
        size = await platform.blobs.size(found.sha256)
    except BlobNotFound:
        raise ApiError(404, "not_found", "图片不存在") from None
    return StreamingResponse(platform.blobs.open(found.sha256), media_type=found.content_type,
                             headers={"Content-Length": str(size),
                                      "Cache-Control": "public, max-age=86400",
                                      "X-Content-Type-Options": "nosniff"})


api_routes = [Route("/clubs/{club_id:int}/photos", add_photo, methods=["POST"],
                    name="add_photo")]
page_routes = [Route("/photos/{photo_id:int}", photo, name="photo")]
