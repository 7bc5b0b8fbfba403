"""Pages for families: the catalogue, a class with its form, my classes; and OpenAPI."""

from __future__ import annotations

import re

from bangyaer.testing import TinyDistrict, login
from bangyaer_training.models import Mode

PW = TinyDistrict.PASSWORD


async def test_the_catalogue_lists_classes_with_seats_left(client, district, make_term,
                                                           make_class):
    await make_class(await make_term(), name="少儿美术班", capacity=12)

    response = await client.get("/training/")

    assert response.status_code == 200
    assert "少儿美术班" in response.text
    assert re.search(r"余位\s*<strong>12</strong>", response.text)


async def test_the_class_form_enrolls_the_acting_child(client, district, make_term,
                                                       make_class):
    klass = await make_class(await make_term())
    await login(client, "parent_b", PW)
    del client.headers["X-CSRF-Token"]  # the form carries its own token
    page = await client.get(f"/training/classes/{klass.id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]

    response = await client.post(f"/training/classes/{klass.id}",
                                 data={"csrf_token": token})

    assert response.status_code == 200
    assert "已录取，待缴费" in response.text


async def test_the_class_form_shows_a_refusal_in_chinese(client, district, make_term,
                                                         make_class):
    klass = await make_class(await make_term(phase="closed"), mode=Mode.lottery)
    await login(client, "parent_b", PW)

    response = await client.post(f"/training/classes/{klass.id}", data={})

    assert response.status_code == 409
    assert 'role="alert"><p>报名已结束</p>' in response.text


async def test_my_classes_lists_the_childs_enrollments(client, district, make_term,
                                                       make_class):
    klass = await make_class(await make_term(), name="围棋班")
    await login(client, "parent_b", PW)
    await client.post(f"/api/v1/training/classes/{klass.id}/enrollments", json={})

    response = await client.get("/training/mine")

    assert "围棋班" in response.text
    assert "已录取，待缴费" in response.text


async def test_the_catalogue_speaks_english_when_asked(client, district, make_term,
                                                       make_class):
    await make_class(await make_term())
    client.cookies.set("bangyaer_lang", "en")

    response = await client.get("/training/")

    assert "Seats left" in response.text


async def test_every_training_endpoint_is_in_the_openapi_document(client, district):
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]

    enroll = paths["/api/v1/training/classes/{id}/enrollments"]["post"]
    assert enroll["summary"].startswith("Enroll (first come) or apply (lottery)")
    assert "requestBody" in enroll
    assert set(paths["/api/v1/training/enrollments/{id}"]) == {"delete"}
    assert {"/api/v1/training/classes", "/api/v1/training/enrollments/mine",
            "/api/v1/training/terms/{id}/draw"} <= set(paths)
