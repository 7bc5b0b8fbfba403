"""The lottery (摇号) as a pure function of a published list and a seed.

Nothing here touches the database, so anyone holding the published
document can recompute the draw (``bangyaer training verify-draw FILE``).
The procedure is written out step by step in the plugin's README.md;
keep the two in step — a change here is a new ``FORMAT``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FORMAT = "bangyaer-training-draw/1"
TIERS = ("continuing", "sibling", "general")


class DrawError(ValueError):
    """A published document that does not verify; the message says which check failed."""


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, ASCII only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def seed_commitment(seed_hex: str) -> str:
    """What is published before the window closes: SHA-256 of the seed's 32 bytes."""
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def rank(seed_hex: str, application_id: int) -> str:
    """An application's place in the draw: HMAC-SHA256(seed, decimal id), in hex."""
    key = bytes.fromhex(seed_hex)
    return hmac.new(key, str(application_id).encode("ascii"), hashlib.sha256).hexdigest()


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def clashes(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two weekly slots clash when they share a weekday and their times overlap."""
    if a["weekday"] != b["weekday"]:
        return False
    return _minutes(a["start"]) < _minutes(b["end"]) and _minutes(b["start"]) < _minutes(a["end"])


Slot = tuple[int, int, int]  # weekday, start and end in minutes


def _slot(klass: Mapping[str, Any]) -> Slot:
    return int(klass["weekday"]), _minutes(klass["start"]), _minutes(klass["end"])


def _overlap(a: Slot, b: Slot) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


@dataclass
class _Ledger:
    seats: dict[int, int]
    slots_of: dict[int, Slot]
    limit: int
    held: dict[str, list[Slot]] = field(default_factory=dict)
    families: dict[str, set[int]] = field(default_factory=dict)
    admitted: list[int] = field(default_factory=list)
    waitlist: dict[int, list[int]] = field(default_factory=dict)
    refused: list[int] = field(default_factory=list)

    def place(self, app: Mapping[str, Any]) -> None:
        class_id = app["class_id"]
        slot = self.slots_of[class_id]
        held = self.held.setdefault(app["child"], [])
        if len(held) >= self.limit or any(_overlap(slot, other) for other in held):
            # The child already has enough seats, or one at this time:
            # neither a seat nor a waiting-list place here.
            self.refused.append(app["id"])
            return
        if self.seats[class_id] <= 0:
            self.waitlist.setdefault(class_id, []).append(app["id"])
            return
        self.seats[class_id] -= 1
        held.append(slot)
        self.families.setdefault(app["family"], set()).add(class_id)
        self.admitted.append(app["id"])


def run_draw(document: Mapping[str, Any], seed_hex: str) -> dict[str, Any]:
    """Draw the frozen list ``document`` with ``seed_hex``; the result as plain data.

    Tiers are processed in order — continuing students, then (when the list
    says ``sibling_priority``) the still-undrawn applications of children
    whose brother or sister was admitted to the same class in the first
    tier, then everyone left. Within a tier applications go by ascending
    ``rank``, ties (never seen in practice) by id.
    """
    classes = {c["id"]: c for c in document["classes"]}
    ledger = _Ledger({cid: int(c["seats"]) for cid, c in classes.items()},
                     {cid: _slot(c) for cid, c in classes.items()},
                     int(document["admission_limit"]))
    key = bytes.fromhex(seed_hex)

    def order(app: Mapping[str, Any]) -> tuple[bytes, int]:
        # rank() as raw bytes, which sort exactly as their hex does; the
        # one-shot digest is several times faster for 100,000 applications.
        return hmac.digest(key, str(app["id"]).encode("ascii"), "sha256"), app["id"]

    ranked = sorted(document["applications"], key=order)
    done: set[int] = set()

    def process(apps: Sequence[Mapping[str, Any]]) -> None:
        for app in apps:
            done.add(app["id"])
            ledger.place(app)

    process([a for a in ranked if a["tier"] == "continuing"])
    if document.get("sibling_priority"):
        process([a for a in ranked if a["id"] not in done
                 and a["class_id"] in ledger.families.get(a["family"], set())])
    process([a for a in ranked if a["id"] not in done])
    return _result(document, ledger)


def _result(document: Mapping[str, Any], ledger: _Ledger) -> dict[str, Any]:
    applied: dict[int, int] = {}
    for app in document["applications"]:
        applied[app["class_id"]] = applied.get(app["class_id"], 0) + 1
    admitted_by_class: dict[int, int] = {}
    by_id = {a["id"]: a for a in document["applications"]}
    for app_id in ledger.admitted:
        cid = by_id[app_id]["class_id"]
        admitted_by_class[cid] = admitted_by_class.get(cid, 0) + 1
    return {
        "format": FORMAT,
        "admitted": sorted(ledger.admitted),
        "not_admitted": sorted(ledger.refused),
        # JSON object keys are strings; the class id in decimal.
        "waitlist": {str(cid): ids for cid, ids in sorted(ledger.waitlist.items())},
        "classes": [
            {"id": c["id"], "seats": int(c["seats"]), "applications": applied.get(c["id"], 0),
             "admitted": admitted_by_class.get(c["id"], 0)}
            for c in sorted(document["classes"], key=lambda c: c["id"])
        ],
    }


def verify_published_draw(published: Mapping[str, Any]) -> dict[str, Any]:
    """Check a published draw from its own data alone; the recomputed result if it holds."""
    for key in ("seed", "seed_sha256", "list", "list_sha256", "result"):
        if key not in published or published[key] is None:
            raise DrawError(f"the published document has no {key!r}; "
                            "was the draw run and the seed revealed?")
    seed = str(published["seed"])
    try:
        commitment = seed_commitment(seed)
    except ValueError:
        raise DrawError("the seed is not hexadecimal") from None
    if commitment != published["seed_sha256"]:
        raise DrawError(f"SHA-256 of the seed is {commitment}, "
                        f"but {published['seed_sha256']} was published before the draw")
    list_hash = sha256_hex(canonical_json(published["list"]))
    if list_hash != published["list_sha256"]:
        raise DrawError(f"SHA-256 of the canonical list is {list_hash}, "
                        f"but {published['list_sha256']} was published when it was frozen")
    if published["list"].get("format") != FORMAT:
        raise DrawError(f"list format {published['list'].get('format')!r}; "
                        f"this verifier knows {FORMAT!r}")
    recomputed = run_draw(published["list"], seed)
    if canonical_json(recomputed) != canonical_json(published["result"]):
        raise DrawError("the published result differs from the one recomputed "
                        "from the list and the seed")
    return recomputed
