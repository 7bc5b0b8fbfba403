"""The OpenAPI document covers every JSON route, each with a summary, and is valid."""

import pytest
from bangyaer import PluginInfo, Routes, hookimpl
from bangyaer.web import Body, Field, api
from bangyaer.web._openapi import summary_of, walk
from openapi_spec_validator import validate
from starlette.responses import JSONResponse
from starlette.routing import Route

pytestmark = pytest.mark.anyio


class Entries:
    """A plugin with a typed path parameter and a JSON body."""

    @hookimpl
    def plugin_info(self):
        return PluginInfo(id="entries", title_zh="作品", title_en="Entries",
                          requires_core=">=0.1")

    @hookimpl
    def routes(self):
        @api("Submit a work for an entry", body=Body({"title": Field(str, max_length=40)}),
             responses={409: "registration closed"})
        async def submit(request):
            return JSONResponse({})

        @api("One entry")
        async def show(request):
            return JSONResponse({})

        return Routes(api=[Route("/{entry_id:int}/works", submit, methods=["POST"]),
                           Route("/{code}", show)])


@pytest.fixture
async def app(make_platform, make_client):
    platform = await make_platform([Entries()])
    async with make_client(platform) as client:
        yield client


async def test_every_api_route_is_in_the_document_with_a_summary(app):
    doc = (await app.get("/api/v1/openapi.json")).json()

    routes = [(path, route) for path, route in walk(app.app.routes)
              if path.startswith("/api/v1/")]
    assert len(routes) >= 8  # the core's own, and the plugin's
    for path, route in routes:
        assert summary_of(route), f"{path}: mark the endpoint with @api(summary)"
        documented = path.replace("{entry_id:int}", "{entry_id}")
        for method in route.methods - {"HEAD"}:
            operation = doc["paths"][documented][method.lower()]
            assert operation["summary"] == summary_of(route)


async def test_every_installed_plugins_api_route_has_a_summary(make_platform, make_client):
    platform = await make_platform(discover=True)
    async with make_client(platform) as client:
        doc = (await client.get("/api/v1/openapi.json")).json()
        routes = [(path, route) for path, route in walk(client.app.routes)
                  if path.startswith("/api/v1/")]

    unnamed = [path for path, route in routes if not summary_of(route)]
    assert unnamed == [], "mark these endpoints with @api(summary)"
    validate(doc)


async def test_document_is_valid_openapi_3_1(app):
    validate((await app.get("/api/v1/openapi.json")).json())


async def test_document_describes_bodies_path_parameters_and_errors(app):
    doc = (await app.get("/api/v1/openapi.json")).json()

    submit = doc["paths"]["/api/v1/entries/{entry_id}/works"]["post"]
    assert submit["parameters"] == [{"name": "entry_id", "in": "path", "required": True,
                                     "schema": {"type": "integer"}}]
    assert submit["requestBody"]["content"]["application/json"]["schema"] == {
        "type": "object", "properties": {"title": {"type": "string", "maxLength": 40}},
        "required": ["title"]}
    assert submit["responses"]["409"]["description"] == "registration closed"
    error = submit["responses"]["default"]["content"]["application/json"]["schema"]
    assert error["properties"]["error"]["required"] == ["code", "message"]


async def test_operation_ids_are_unique(app):
    doc = (await app.get("/api/v1/openapi.json")).json()

    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


async def test_sign_in_and_the_document_itself_need_no_session(app):
    doc = (await app.get("/api/v1/openapi.json")).json()

    assert doc["paths"]["/api/v1/auth/login"]["post"]["security"] == []
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert "security" not in doc["paths"]["/api/v1/me"]["get"]


async def test_pages_are_not_in_the_document(app):
    doc = (await app.get("/api/v1/openapi.json")).json()

    assert all(path.startswith("/api/v1/") for path in doc["paths"])


async def test_disabled_plugin_routes_are_not_in_the_document(make_platform, make_client):
    platform = await make_platform([Entries()], disabled_plugins=("entries",))
    async with make_client(platform) as client:
        doc = (await client.get("/api/v1/openapi.json")).json()

    assert not any(path.startswith("/api/v1/entries") for path in doc["paths"])
