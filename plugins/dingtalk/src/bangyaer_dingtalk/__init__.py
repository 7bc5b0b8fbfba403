"""DingTalk (钉钉) for Bangyaer: login-free sign-in, home-school roster sync, work notices.

The plugin's hooks live in ``plugin``; ``sandbox`` is a stand-in DingTalk
server that speaks the same protocol, for tests, demos and development.
"""

from ._client import DingTalkClient, DingTalkError
from ._config import CorpConfig, DingTalkConfig

__all__ = ["CorpConfig", "DingTalkClient", "DingTalkConfig", "DingTalkError"]
