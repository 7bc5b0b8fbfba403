"""Bangyaer notices (通知公告): 通知, 公示 and 新闻 for the whole district.

The hooks are in ``bangyaer_notices.plugin``; other plugins publish through
``bangyaer_notices.api`` (see its docstring for how to stay optional).
"""

__version__ = "0.1.0"
