"""Sending a stored file back, whole or as one byte range (206 / 416)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..platform import Platform
from ..storage import BlobNotFound
from ._api import ApiError
from ._ranges import Unsatisfiable, parse_range

# Content-addressed: the bytes behind a name never change, so clients may keep them.
CACHE = "private, max-age=86400"


async def stream_blob(request: Request, platform: Platform, sha256: str, content_type: str,
                      *, disposition: str | None = None) -> Response:
    """The blob as a 200, or the one range the request asks for as a 206."""
    try:
        size = await platform.blobs.size(sha256)
    except BlobNotFound:
        raise ApiError(404, "not_found", "文件不存在或已删除") from None
    etag = f'"{sha256}"'
    headers = {"Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": CACHE}
    if disposition:
        headers["Content-Disposition"] = disposition
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    # RFC 9110 §13.1.5: a Range whose If-Range names other bytes gets the whole file.
    if wanted and if_range is not None and if_range.strip() != etag:
        wanted = None
    start, end, status = 0, size, 200
    if wanted:
        try:
            chosen = parse_range(wanted, size)
        except Unsatisfiable:
            return Response(status_code=416, headers={
                "Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
        if chosen is not None:
            start, end, status = chosen.start, chosen.end, 206
            headers["Content-Range"] = chosen.content_range(size)
    headers["Content-Length"] = str(end - start)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=content_type)
    return StreamingResponse(platform.blobs.open(sha256, start=start, end=end),
                             status_code=status, headers=headers, media_type=content_type)
