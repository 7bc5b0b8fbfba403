"""One file from a multipart/form-data request, streamed as it arrives.

Starlette's ``request.form()`` spools every file to disk before a handler
sees it, with no size limit. Here the body is parsed chunk by chunk with
python-multipart and the file's bytes are handed on as they come, so the
blob store's size limit stops an oversized upload after the limit and not
after the whole file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ._api import ApiError

DEFAULT_FIELD = "file"


@dataclass
class Upload:
    filename: str
    chunks: AsyncIterator[bytes]


class _Parser:
    """Turns the request stream into events: ("headers", {...}), ("data", b), ("end", None)."""

    def __init__(self, request: Request, boundary: bytes) -> None:
        self.events: list[tuple[str, Any]] = []
        self._headers: dict[str, str] = {}
        self._name = b""
        self._value = b""
        self._stream = request.stream().__aiter__()
        self._finished = False
        self._parser = MultipartParser(boundary, {
            "on_header_field": self._on_field, "on_header_value": self._on_value,
            "on_header_end": self._on_header_end, "on_headers_finished": self._on_headers,
            "on_part_data": self._on_data, "on_part_end": self._on_end,
        })

    def _on_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _on_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        # Header bytes are kept as latin-1 so a UTF-8 file name survives
        # parse_options_header untouched and is decoded once, below.
        self._headers[self._name.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._name = self._value = b""

    def _on_headers(self) -> None:
        self.events.append(("headers", self._headers))
        self._headers = {}

    def _on_data(self, data: bytes, start: int, end: int) -> None:
        self.events.append(("data", data[start:end]))

    def _on_end(self) -> None:
        self.events.append(("end", None))

    async def next(self) -> tuple[str, Any]:
        while not self.events:
            if self._finished:
                return ("eof", None)
            try:
                chunk = await self._stream.__anext__()
            except StopAsyncIteration:
                self._finished = True
                self._feed(None)
                continue
            self._feed(chunk)
        return self.events.pop(0)

    def _feed(self, chunk: bytes | None) -> None:
        try:
            if chunk is None:
                self._parser.finalize()
            elif chunk:
                self._parser.write(chunk)
        except MultipartParseError:
            raise ApiError(400, "bad_upload", "上传的数据格式有误，请重新选择文件上传") from None


def _file_part(headers: dict[str, str], field: str) -> str:
    _, options = parse_options_header(headers.get("content-disposition", ""))
    if options.get(b"name") != field.encode() or b"filename" not in options:
        raise ApiError(422, "no_file", f"请通过名为 {field} 的文件字段上传，一次一个文件")
    filename = options[b"filename"].decode("utf-8", "replace")
    if not filename:
        raise ApiError(422, "no_file", "请先选择要上传的文件")
    return filename


async def single_file(request: Request, field: str = DEFAULT_FIELD) -> Upload:
    """The one file a request carries in its ``field`` form field; refuse anything else."""
    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ApiError(415, "multipart_required", "请以 multipart/form-data 上传文件")
    parser = _Parser(request, boundary)
    kind, headers = await parser.next()
    if kind != "headers":
        raise ApiError(422, "no_file", "请先选择要上传的文件")
    filename = _file_part(headers, field)

    async def chunks() -> AsyncIterator[bytes]:
        while True:
            kind, data = await parser.next()
            if kind == "data":
                yield data
            elif kind == "end":
                break
            else:
                raise ApiError(400, "bad_upload", "上传不完整，请重试")
        # Checked before the caller keeps the file: a second part is refused
        # rather than silently dropped.
        if (await parser.next())[0] == "headers":
            raise ApiError(422, "too_many_files", "一次只能上传一个文件")

    return Upload(filename, chunks())
