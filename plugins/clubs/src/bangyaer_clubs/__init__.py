"""Bangyaer clubs (棒伢儿社团): a catalogue, recruitment, members, attendance and news.

The hooks are in ``bangyaer_clubs.plugin``. Guardians apply for their acting
child; staff admit; the club's leader takes attendance on a phone. Joining,
leaving and attending are emitted as events for the growth record.
"""

__version__ = "0.1.0"
