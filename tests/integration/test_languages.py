"""Simplified Chinese by default; English only when chosen; API follows Accept-Language."""


def test_pages_are_chinese_even_when_the_browser_prefers_english(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "登录" in response.content.decode()


def test_choosing_english_in_the_switch_sticks_across_pages(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    assert '<html lang="en">' in response.content.decode()
    assert "Sign in" in response.content.decode()


def test_the_api_answers_in_the_language_the_caller_asks_for(client, db):
    english = client.post(
        "/api/v1/staff", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    chinese = client.post(
        "/api/v1/staff", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    assert english.json()["message"].startswith("Send an API key")
    assert chinese.json()["message"].startswith("请以")
