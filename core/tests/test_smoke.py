from bangyaer.testing import TinyDistrict, login


async def test_home_page_renders_for_anonymous_visitor(client, district):
    response = await client.get("/")
    assert response.status_code == 200
    assert "棒伢儿" in response.text


async def test_guardian_signs_in_and_sees_children(client, district):
    body = await login(client, "parent", TinyDistrict.PASSWORD)
    assert sorted(c["name"] for c in body["children"]) == ["王小明", "王小红"]
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["person"]["name"] == "王大明"
