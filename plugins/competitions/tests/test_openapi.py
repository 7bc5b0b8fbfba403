"""Every competitions JSON route is described in the OpenAPI document."""

from __future__ import annotations

import pytest

ROUTES = [
    ("/api/v1/competitions/activities", "get"),
    ("/api/v1/competitions/activities", "post"),
    ("/api/v1/competitions/activities/{activity_id}/entries", "post"),
    ("/api/v1/competitions/entries/{code}", "get"),
    ("/api/v1/competitions/entries/{code}", "delete"),
    ("/api/v1/competitions/entries/{code}/files", "post"),
    ("/api/v1/competitions/entries/{code}/uploads", "post"),
    ("/api/v1/competitions/uploads/{upload_id}", "patch"),
    ("/api/v1/competitions/entries/{code}/work", "post"),
    ("/api/v1/competitions/activities/{activity_id}/transitions", "post"),
]


@pytest.mark.parametrize(("path", "method"), ROUTES)
async def test_the_route_is_in_the_openapi_document_with_a_summary(client, path, method):
    document = (await client.get("/api/v1/openapi.json")).json()

    operation = document["paths"][path][method]

    assert operation["summary"] and not operation["summary"].startswith("/api")
