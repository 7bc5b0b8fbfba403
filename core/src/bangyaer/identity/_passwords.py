from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Verified against when the username is unknown, so that a wrong username
# costs as long as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("bangyaer-timing-equaliser")


# Hashing is deliberately slow; an unbounded password would make it a lever.
MAX_PASSWORD = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> str | None:
    """The reason a password is refused, or None."""
    if len(password) < 8:
        return "密码至少需要 8 位 (at least 8 characters)"
    if len(password) > MAX_PASSWORD:
        return f"密码不能超过 {MAX_PASSWORD} 位 (at most {MAX_PASSWORD} characters)"
    if password.isdigit() or password.isalpha():
        return "密码需同时包含字母和数字 (letters and digits)"
    return None
