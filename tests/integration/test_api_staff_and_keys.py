"""The HR sync API and API keys: hashed keys, scopes, revocation, JSON errors with codes."""

import json

import pytest
from django.core.management import call_command

from portal.models import ApiKey, StaffProfile
from portal.services import api_key_create, api_key_revoke

URL = "/api/v1/staff"


@pytest.fixture
def staff_key(db):
    _key, raw = api_key_create(name="HR sync", scopes=["staff:write"])
    return raw


def post(client, body, key=None, raw=False, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    data = body if raw else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data=data, content_type="application/json", **headers, **extra)


def test_keys_are_stored_hashed_and_shown_once(db, capsys):
    call_command("create_api_key", "调度系统", "--scopes", "eligibility:read")
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(name="调度系统")
    assert raw.startswith(f"sa_{key.prefix}_")
    assert raw not in key.key_hash and len(key.key_hash) == 64


def test_unknown_scope_is_refused_at_key_creation(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="staff:wrtie"):
        call_command("create_api_key", "typo", "--scopes", "staff:wrtie")


@pytest.mark.parametrize(
    ("auth", "status", "code"),
    [
        (None, 401, "not_authenticated"),
        ("sa_deadbeef_nope", 401, "invalid_api_key"),
        ("garbage", 401, "invalid_api_key"),
    ],
)
def test_missing_or_wrong_keys_get_401_with_a_code(db, client, auth, status, code):
    response = post(client, {"employee_no": "X"}, key=auth)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_a_key_without_the_scope_gets_403(db, client):
    _key, raw = api_key_create(name="tickets", scopes=["tickets:write"])
    response = post(client, {"employee_no": "X"}, key=raw)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_a_revoked_key_stops_working(db, client, staff_key):
    key = ApiKey.objects.get()
    api_key_revoke(key=key)
    assert post(client, {}, key=staff_key).json()["code"] == "invalid_api_key"


def test_upserting_one_staff_member_creates_then_updates(client, staff_key, two_regions):
    body = {
        "employee_no": "HR-1",
        "name": "新同事",
        "outlet_code": "SH-01",
        "roles": ["new_staff"],
        "hire_date": "2026-11-20",
    }
    first = post(client, body, key=staff_key)
    assert first.status_code == 200, first.content
    assert first.json()["results"] == [{"employee_no": "HR-1", "status": "created", "errors": {}}]
    second = post(client, {**body, "roles": "new_staff,technician"}, key=staff_key)
    assert second.json()["results"][0]["status"] == "updated"
    assert StaffProfile.objects.filter(employee_no="HR-1").count() == 1
    assert ApiKey.objects.get().last_used_at is not None


def test_a_batch_keeps_good_records_and_rejects_bad_ones_with_field_errors(
    client, staff_key, two_regions
):
    body = {
        "staff": [
            {"employee_no": "B1", "name": "好", "outlet_code": "SH-01", "roles": "technician"},
            {"employee_no": "B2", "name": "坏", "outlet_code": "NOPE", "roles": "technician"},
            {"employee_no": "B3", "name": "想当管理员", "outlet_code": "SH-01", "roles": "admin"},
            "not an object",
        ]
    }
    response = post(client, body, key=staff_key, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "rejected"]
    assert "outlet_code" in results[1]["errors"]
    assert "roles" in results[2]["errors"]
    assert response.json()["counts"] == {"created": 1, "rejected": 3}
    assert list(
        StaffProfile.objects.filter(employee_no__startswith="B").values_list(
            "employee_no", flat=True
        )
    ) == ["B1"]


def test_a_single_invalid_record_answers_400_in_the_callers_language(client, staff_key, db):
    response = post(
        client, {"employee_no": "X 1", "name": ""}, key=staff_key, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "validation_error"
    assert set(payload["errors"]) >= {"employee_no", "name", "roles"}
    assert payload["message"] == "部分字段有误。"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "malformed_json"),
        ("", "empty_body"),
        ("[1, 2]", "validation_error"),
        ('{"staff": "nope"}', "validation_error"),
    ],
)
def test_malformed_bodies_get_400_with_a_code(client, staff_key, body, code):
    response = post(client, body, key=staff_key, raw=True)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_batches_over_the_limit_are_refused_whole(client, staff_key, db):
    records = [{"employee_no": f"L{i}", "name": "某", "roles": "trainer"} for i in range(501)]
    response = post(client, {"staff": records}, key=staff_key)
    assert response.status_code == 413
    assert response.json()["code"] == "batch_too_large"
    assert StaffProfile.objects.count() == 0


def test_oversized_requests_get_413_not_a_crash(client, staff_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post(
        client, {"employee_no": "X", "name": "x" * 5000, "roles": "trainer"}, key=staff_key
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert "/api/v1/staff" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
