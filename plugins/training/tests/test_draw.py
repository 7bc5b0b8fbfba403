"""The draw as a pure function: capacity, slots, limits, tiers, determinism, verification."""

from __future__ import annotations

import copy

import pytest
from bangyaer_training import DrawError, canonical_json, run_draw, verify_published_draw
from bangyaer_training._draw import FORMAT, clashes, rank, seed_commitment, sha256_hex
from hypothesis import given, settings
from hypothesis import strategies as st

SEED = "00" * 31 + "01"
OTHER_SEED = "ff" * 32


def doc(classes, applications, limit=2, sibling=False):
    return {"format": FORMAT, "term": {"id": 1, "code": "T"}, "admission_limit": limit,
            "sibling_priority": sibling, "classes": classes, "applications": applications}


def klass(cid, seats, weekday=6, start="09:00", end="10:00"):
    return {"id": cid, "seats": seats, "weekday": weekday, "start": start, "end": end}


def app(aid, cid, child, family=None, tier="general"):
    return {"id": aid, "class_id": cid, "child": child, "family": family or child,
            "tier": tier}


def published(document, seed):
    return {"seed": seed, "seed_sha256": seed_commitment(seed), "list": document,
            "list_sha256": sha256_hex(canonical_json(document)),
            "result": run_draw(document, seed)}


def test_rank_is_hmac_sha256_of_the_decimal_id():
    import hashlib
    import hmac

    expected = hmac.new(bytes.fromhex(SEED), b"42", hashlib.sha256).hexdigest()
    assert rank(SEED, 42) == expected


def test_continuing_students_are_drawn_before_everyone():
    document = doc([klass(1, 1)], [app(1, 1, "a"), app(2, 1, "b", tier="continuing")])

    result = run_draw(document, SEED)

    assert result["admitted"] == [2]
    assert result["waitlist"] == {"1": [1]}


def test_a_sibling_of_an_admitted_continuing_student_goes_next_when_configured():
    apps = [app(1, 1, "a", family="f1", tier="continuing"), app(2, 1, "b", family="f1")]
    apps += [app(10 + n, 1, f"x{n}") for n in range(20)]
    document = doc([klass(1, 2)], apps, sibling=True)

    assert run_draw(document, SEED)["admitted"] == [1, 2]


def test_without_sibling_priority_a_sibling_is_drawn_with_everyone():
    apps = [app(1, 1, "a", family="f1", tier="continuing"), app(2, 1, "b", family="f1")]
    apps += [app(10 + n, 1, f"x{n}") for n in range(20)]
    results = {tuple(run_draw(doc([klass(1, 2)], apps), s)["admitted"])
               for s in (SEED, OTHER_SEED, "ab" * 32)}

    assert any(2 not in r for r in results)


def test_a_child_gets_no_second_seat_in_the_same_slot():
    document = doc([klass(1, 5), klass(2, 5, start="09:30", end="11:00")],
                   [app(1, 1, "a"), app(2, 2, "a")])

    result = run_draw(document, SEED)

    assert len(result["admitted"]) == 1
    assert len(result["not_admitted"]) == 1


def test_the_admission_limit_caps_seats_per_child():
    document = doc([klass(c, 5, weekday=c) for c in (1, 2, 3)],
                   [app(c, c, "a") for c in (1, 2, 3)], limit=2)

    assert len(run_draw(document, SEED)["admitted"]) == 2


def test_the_result_changes_when_the_seed_does():
    document = doc([klass(1, 3)], [app(n, 1, f"c{n}") for n in range(1, 31)])

    assert run_draw(document, SEED)["admitted"] != run_draw(document, OTHER_SEED)["admitted"]


def test_a_published_draw_verifies_from_its_own_data():
    document = doc([klass(1, 3)], [app(n, 1, f"c{n}") for n in range(1, 31)])

    assert verify_published_draw(published(document, SEED))["admitted"]


def test_a_tampered_result_does_not_verify():
    data = published(doc([klass(1, 1)], [app(1, 1, "a"), app(2, 1, "b")]), SEED)
    data["result"]["admitted"] = [3 - data["result"]["admitted"][0]]

    with pytest.raises(DrawError, match="published result differs"):
        verify_published_draw(data)


def test_a_seed_that_was_not_committed_does_not_verify():
    data = published(doc([klass(1, 1)], [app(1, 1, "a")]), SEED)
    data["seed"] = OTHER_SEED

    with pytest.raises(DrawError, match="SHA-256 of the seed is"):
        verify_published_draw(data)


def test_an_application_added_after_the_freeze_does_not_verify():
    data = published(doc([klass(1, 1)], [app(1, 1, "a")]), SEED)
    data["list"] = copy.deepcopy(data["list"])
    data["list"]["applications"].append(app(2, 1, "b"))

    with pytest.raises(DrawError, match="SHA-256 of the canonical list is"):
        verify_published_draw(data)


def test_clashes_needs_overlap_not_just_touching():
    assert not clashes(klass(1, 1, start="09:00", end="10:00"),
                       klass(2, 1, start="10:00", end="11:00"))


@st.composite
def draws(draw):
    n_classes = draw(st.integers(1, 6))
    classes = [klass(c, draw(st.integers(0, 4)), weekday=draw(st.integers(1, 2)),
                     start=draw(st.sampled_from(["09:00", "09:30", "14:00"])), end="10:30")
               for c in range(1, n_classes + 1)]
    for c in classes:
        if c["start"] == "14:00":
            c["end"] = "15:30"
    children = [f"k{n}" for n in range(draw(st.integers(1, 12)))]
    pairs = draw(st.lists(st.tuples(st.integers(1, n_classes), st.sampled_from(children)),
                          max_size=40, unique=True))
    apps = [app(i, cid, child, family=f"f{int(child[1:]) // 2}",
                tier=draw(st.sampled_from(["general", "general", "continuing"])))
            for i, (cid, child) in enumerate(pairs, start=1)]
    limit = draw(st.integers(1, 3))
    seed = draw(st.binary(min_size=32, max_size=32)).hex()
    return doc(classes, apps, limit=limit, sibling=draw(st.booleans())), seed


@settings(max_examples=200, deadline=None)
@given(draws())
def test_property_never_more_admitted_than_seats(case):
    document, seed = case
    result = run_draw(document, seed)
    for line in result["classes"]:
        assert line["admitted"] <= line["seats"]


@settings(max_examples=200, deadline=None)
@given(draws())
def test_property_no_child_twice_in_one_slot_nor_over_the_limit(case):
    document, seed = case
    result = run_draw(document, seed)
    classes = {c["id"]: c for c in document["classes"]}
    by_id = {a["id"]: a for a in document["applications"]}
    held: dict[str, list[dict]] = {}
    for app_id in result["admitted"]:
        a = by_id[app_id]
        held.setdefault(a["child"], []).append(classes[a["class_id"]])
    for slots in held.values():
        assert len(slots) <= document["admission_limit"]
        for i, one in enumerate(slots):
            assert not any(clashes(one, other) for other in slots[i + 1:])


@settings(max_examples=200, deadline=None)
@given(draws())
def test_property_every_application_has_exactly_one_outcome_and_is_deterministic(case):
    document, seed = case
    result = run_draw(document, seed)
    waiting = [i for ids in result["waitlist"].values() for i in ids]
    outcomes = result["admitted"] + result["not_admitted"] + waiting
    assert sorted(outcomes) == sorted(a["id"] for a in document["applications"])
    assert canonical_json(run_draw(copy.deepcopy(document), seed)) == canonical_json(result)


@settings(max_examples=100, deadline=None)
@given(draws())
def test_property_a_full_class_waitlists_only_when_seats_ran_out(case):
    document, seed = case
    result = run_draw(document, seed)
    for line in result["classes"]:
        if result["waitlist"].get(str(line["id"])):
            assert line["admitted"] == line["seats"]
