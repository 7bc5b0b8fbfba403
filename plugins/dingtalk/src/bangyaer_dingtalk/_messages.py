"""Work-notice bodies in DingTalk's message formats (消息类型与数据格式).

The link in every notice goes through the micro-app's homepage with the
corp filled in, so tapping it inside DingTalk signs the reader in (免登)
before showing the page.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from bangyaer.notifications import Message

from ._config import CorpConfig

MAX_BYTES = 2048  # asyncsend_v2 refuses a msg longer than this
APP_NAME = "棒伢儿"


def app_link(base_url: str, corp: CorpConfig, url: str) -> str:
    target = url if url.startswith("/") and not url.startswith("//") else "/me/inbox"
    return (f"{base_url.rstrip('/')}/dingtalk/open?corpId={quote(corp.corp_id)}"
            f"&next={quote(target, safe='')}")


def _shape(kind: str, title: str, body: str, link: str, base_url: str) -> dict[str, Any]:
    if kind == "text":
        return {"msgtype": "text", "text": {"content": f"{title}\n{body}\n{link}".strip()}}
    if kind == "link":
        return {"msgtype": "link", "link": {
            "messageUrl": link, "title": title, "text": body or title,
            "picUrl": f"{base_url.rstrip('/')}/static/dingtalk/notice.png"}}
    if kind == "oa":
        return {"msgtype": "oa", "oa": {
            "message_url": link, "head": {"bgcolor": "FFE8473B", "text": APP_NAME},
            "body": {"title": title, "content": body}}}
    return {"msgtype": "action_card", "action_card": {
        "title": title, "markdown": f"### {title}\n\n{body}".strip(),
        "single_title": "查看详情", "single_url": link}}


def _size(msg: dict[str, Any]) -> int:
    return len(json.dumps(msg, ensure_ascii=False).encode())


def build_message(kind: str, message: Message, corp: CorpConfig, base_url: str
                  ) -> dict[str, Any]:
    """The ``msg`` for asyncsend_v2, with the body shortened until it fits 2048 bytes."""
    link = app_link(base_url, corp, message.url)
    title = message.title[:100]
    body = message.body
    msg = _shape(kind, title, body, link, base_url)
    while _size(msg) > MAX_BYTES and body:
        # The whole text is in the inbox; the notice only has to lead there.
        body = body[: max(0, len(body) - max(16, (_size(msg) - MAX_BYTES) // 2))]
        msg = _shape(kind, title, body.rstrip() + "…" if body else "", link, base_url)
    return msg
