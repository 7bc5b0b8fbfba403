"""Serial numbers that cannot be guessed, with a check character for typos.

A serial reads ``BY26-7KQ2-M9XD-4HCT-W8PF-R``: the prefix and the year of
issue for people, then 16 characters of Crockford base32 (80 bits from
``secrets``) in groups of four, then one check character. The check lets the
verification page tell a mistyped serial from one that was never issued
without a database lookup; the randomness means knowing one serial tells
nothing about another.
"""

from __future__ import annotations

import re
import secrets

__all__ = ["PREFIX", "is_well_formed", "new_serial", "normalise"]

PREFIX = "BY"
# Crockford's base32: no I, L, O or U, so 1/I/L and 0/O cannot be confused.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_CHARS = 16  # 16 × 5 bits = 80 bits
SERIAL = re.compile(rf"^{PREFIX}\d{{2}}(-[{ALPHABET}]{{4}}){{4}}-[{ALPHABET}]$")


def _check_char(body: str) -> str:
    """Luhn mod 32 over the characters: catches every single typo and most swaps."""
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_serial(year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    groups = "-".join(body[i:i + 4] for i in range(0, RANDOM_CHARS, 4))
    return f"{PREFIX}{year % 100:02d}-{groups}-{_check_char(body)}"


def normalise(raw: str) -> str:
    """A serial as typed (lower case, spaces, O for 0) in its one stored spelling."""
    text = raw.strip().upper().replace(" ", "")
    head, _, rest = text.partition("-")
    return f"{head}-{rest.replace('O', '0').replace('I', '1').replace('L', '1')}"


def is_well_formed(serial: str) -> bool:
    if not SERIAL.match(serial):
        return False
    body = serial.split("-", 1)[1].replace("-", "")
    return _check_char(body[:-1]) == body[-1]
