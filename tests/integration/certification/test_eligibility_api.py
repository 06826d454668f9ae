"""The dispatch eligibility API: answers, batches, "who may", and bad input as JSON errors."""

import datetime as dt

import pytest

from certification.api import BATCH_LIMIT
from portal.services import api_key_create

from .conftest import NOW

URL = "/api/v1/eligibility"
START = NOW.isoformat()
END = (NOW + dt.timedelta(hours=3)).isoformat()


@pytest.fixture
def key(db):
    _key, raw = api_key_create(name="调度系统", scopes=["eligibility:read"])
    return raw


def get(client, path, key, **params):
    return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client, path, key, body):
    return client.post(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_single_check_answers_yes_with_the_certification(client, key, certified):
    response = get(
        client, URL, key, employee_no="J-SH", skill="AC-SPLIT-INSTALL", start=START, end=END
    )
    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is True
    assert body["reasons"] == []
    assert body["employee_no"] == "J-SH" and body["skill"] == "AC-SPLIT-INSTALL"
    assert body["level"] == 1
    assert body["window"]["start"].startswith("2026-06-01T09:00")
    assert body["certification"]["id"] == certified["cert"].pk
    assert {lic["type"] for lic in body["licences"]} == {"height", "refrigeration"}
    assert body["valid_until"] is not None


def test_an_unknown_technician_is_an_answer_not_an_error(client, key, certified):
    body = get(client, URL, key, employee_no="NOBODY", skill="AC-SPLIT-INSTALL").json()
    assert body["eligible"] is False
    assert body["reasons"][0]["code"] == "UNKNOWN_TECHNICIAN"
    assert body["reasons"][0]["severity"] == "error"
    assert body["certification"] is None


def test_batch_answers_in_the_order_asked(client, key, certified):
    checks = [
        {"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL", "start": START, "end": END},
        {"employee_no": "J-GZ", "skill": "AC-SPLIT-INSTALL", "start": START},
        {"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL", "level": 3},
        {"employee_no": "J-SH", "skill": "NO-SUCH"},
    ]
    response = post(client, f"{URL}/batch", key, {"checks": checks})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["eligible"] for r in results] == [True, False, False, False]
    assert [r["reasons"][0]["code"] for r in results[1:]] == [
        "NO_CERTIFICATION",
        "LEVEL_TOO_LOW",
        "UNKNOWN_SKILL",
    ]


def test_who_lists_only_eligible_technicians_never_a_fallback(client, key, certified, programme):
    from tests.factories import make_certification

    make_certification(certified["hz_tech"].user, programme, issued_at=NOW)  # no licences
    body = get(client, f"{URL}/who", key, skill="AC-SPLIT-INSTALL", start=START, end=END).json()
    assert [t["employee_no"] for t in body["technicians"]] == ["J-SH"]
    assert (
        get(
            client, f"{URL}/who", key, skill="AC-SPLIT-INSTALL", region="south", start=START
        ).json()["technicians"]
        == []
    )
    excluded = get(
        client, f"{URL}/who", key, skill="AC-SPLIT-INSTALL", start=START, include_excluded="true"
    ).json()["excluded"]
    assert excluded[0]["employee_no"] == "J-HZ"
    assert {r["code"] for r in excluded[0]["reasons"]} == {"LICENCE_MISSING"}


@pytest.mark.parametrize(
    "params, status, code, field",
    [
        ({"employee_no": "J-SH", "skill": "NO-SUCH"}, 400, "unknown_skill", "skill"),
        (
            {"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL", "start": "明天"},
            400,
            "validation_error",
            "start",
        ),
        (
            {"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL", "start": "2026-13-45T00:00"},
            400,
            "validation_error",
            "start",
        ),
        (
            {"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL", "start": END, "end": START},
            400,
            "validation_error",
            "end",
        ),
        (
            {"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL", "level": "7"},
            400,
            "validation_error",
            "level",
        ),
        ({"skill": "AC-SPLIT-INSTALL"}, 400, "validation_error", "employee_no"),
    ],
)
def test_bad_input_gets_a_json_error_with_a_code(
    client, key, certified, params, status, code, field
):
    response = get(client, URL, key, **params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert field in body["errors"]
    assert body["message"]


def test_who_with_an_unknown_region_is_a_json_error(client, key, certified):
    response = get(client, f"{URL}/who", key, skill="AC-SPLIT-INSTALL", region="nowhere")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_region")


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("not json", 400, "malformed_json"),
        ({"checks": "x"}, 400, "validation_error"),
        ({"checks": [1]}, 400, "validation_error"),
        ({"checks": [{"skill": "AC-SPLIT-INSTALL"}]}, 400, "validation_error"),
        (
            {"checks": [{"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL", "end": "x"}]},
            400,
            "validation_error",
        ),
    ],
)
def test_malformed_batches_get_a_json_error(client, key, certified, body, status, code):
    if isinstance(body, str):
        response = client.post(
            f"{URL}/batch",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    else:
        response = post(client, f"{URL}/batch", key, body)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_batches_over_the_limit_are_refused_whole(client, key, certified):
    checks = [{"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL"}] * (BATCH_LIMIT + 1)
    response = post(client, f"{URL}/batch", key, {"checks": checks})
    assert (response.status_code, response.json()["code"]) == (413, "batch_too_large")


def test_a_key_without_the_eligibility_scope_is_refused(client, certified):
    _key, raw = api_key_create(name="工单系统", scopes=["tickets:write"])
    response = get(client, URL, raw, employee_no="J-SH", skill="AC-SPLIT-INSTALL")
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")
    response = client.get(URL, {"employee_no": "J-SH", "skill": "AC-SPLIT-INSTALL"})
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_the_skill_path_answers_who_may_like_the_eligibility_path(client, key, certified):
    response = get(
        client, "/api/v1/skills/AC-SPLIT-INSTALL/eligible-technicians", key, start=START, end=END
    )
    assert response.status_code == 200
    assert [t["employee_no"] for t in response.json()["technicians"]] == ["J-SH"]
    unknown = get(client, "/api/v1/skills/NO-SUCH/eligible-technicians", key)
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_skill")
