"""``POST /api/v1/licences``: upsert by employee number + licence type + number, batches with
per-record errors, and JSON errors (never a 500) for whatever an integrator sends."""

import datetime as dt
import json

import pytest

from certification.models import Licence
from portal.services import api_key_create

URL = "/api/v1/licences"


@pytest.fixture
def licence_key(db):
    return api_key_create(name="证件系统", scopes=["licences:write"])[1]


def post(client, body, key, raw=False):
    data = body if raw else json.dumps(body, ensure_ascii=False)
    return client.post(
        URL, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def _record(**fields):
    record = {
        "employee_no": "J-SH",
        "licence_type": "height",
        "number": "T310115199001011234",
        "authority": "上海市应急管理局",
        "issued_on": "2024-04-15",
        "expires_on": "2030-04-14",
        "next_review_on": "2027-04-14",
        "verified": True,
    }
    record.update(fields)
    return record


def test_one_licence_is_created_then_unchanged_then_updated(client, two_regions, licence_key):
    first = post(client, _record(), licence_key)
    assert first.status_code == 200, first.content
    assert first.json()["results"][0] == {
        "employee_no": "J-SH",
        "licence_type": "height",
        "number": "T310115199001011234",
        "status": "created",
        "errors": {},
    }
    licence = Licence.objects.get()
    assert licence.user == two_regions["sh_tech"].user
    assert licence.is_verified and licence.verified_by is None  # the system, via the API key
    assert post(client, _record(), licence_key).json()["counts"] == {"unchanged": 1}
    updated = post(client, _record(next_review_on="2027-05-01"), licence_key)
    assert updated.json()["counts"] == {"updated": 1}
    assert Licence.objects.get().next_review_on == dt.date(2027, 5, 1)
    assert Licence.objects.count() == 1


def test_a_batch_keeps_good_records_and_reports_each_bad_one(client, two_regions, licence_key):
    body = {
        "licences": [
            _record(number="OK-1"),
            _record(number="BAD-TYPE", licence_type="forklift"),
            _record(number="BAD-DATE", expires_on="2030-02-30"),
            _record(number="NOBODY", employee_no="NOBODY"),
            _record(number="BACKWARDS", expires_on="2020-01-01"),
            "not an object",
            _record(number="OK-2", licence_type="制冷与空调作业", verified="否"),
        ]
    }
    response = post(client, body, licence_key)
    assert response.status_code == 200
    data = response.json()
    assert data["counts"] == {"created": 2, "rejected": 5}
    results = data["results"]
    assert [r["status"] for r in results] == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "created",
    ]
    assert "forklift" in results[1]["errors"]["licence_type"][0]
    assert "expires_on" in results[2]["errors"]
    assert "NOBODY" in results[3]["errors"]["employee_no"][0]
    assert "必须在发证日期之后" in results[4]["errors"]["expires_on"][0]
    assert "__all__" in results[5]["errors"]
    assert results[2]["number"] == "BAD-DATE"
    assert sorted(Licence.objects.values_list("number", flat=True)) == ["OK-1", "OK-2"]
    assert not Licence.objects.get(number="OK-2").is_verified


def test_a_single_bad_record_answers_400_with_field_errors(client, two_regions, licence_key):
    response = post(client, _record(issued_on="15/04/2024", licence_type="nope"), licence_key)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["errors"]) >= {"issued_on", "licence_type"}
    assert not Licence.objects.exists()


def test_a_number_held_by_someone_else_is_refused(client, two_regions, licence_key):
    post(client, _record(), licence_key)
    response = post(client, _record(employee_no="J-GZ"), licence_key)
    assert response.status_code == 400
    assert "其他人名下" in response.json()["errors"]["number"][0]
    assert Licence.objects.get().user == two_regions["sh_tech"].user


@pytest.mark.parametrize(
    "scopes, status, code",
    [
        (["eligibility:read"], 403, "insufficient_scope"),
        (["staff:write"], 403, "insufficient_scope"),
    ],
)
def test_a_key_without_the_licences_scope_is_refused(client, two_regions, scopes, status, code):
    raw = api_key_create(name="调度", scopes=scopes)[1]
    response = post(client, _record(), raw)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Licence.objects.exists()


def test_no_key_or_an_unknown_key_is_refused_as_json(client, two_regions):
    response = client.post(URL, data=json.dumps(_record()), content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    response = post(client, _record(), "sa_nope_nope")
    assert response.status_code == 401 and response.json()["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("{not json", 400, "malformed_json"),
        ("", 400, "empty_body"),
        ("[1, 2]", 400, "validation_error"),
        ('{"licences": "J-SH"}', 400, "validation_error"),
        (json.dumps({"licences": [{}] * 501}), 413, "batch_too_large"),
    ],
)
def test_malformed_bodies_get_json_errors_never_a_500(
    client, two_regions, licence_key, body, status, code
):
    response = post(client, body, licence_key, raw=True)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]


def test_odd_json_values_are_field_errors_not_crashes(client, two_regions, licence_key):
    body = {
        "licences": [
            _record(number=12345, issued_on=20240415),
            _record(number=None, employee_no=["J-SH"], expires_on={"y": 2030}, verified="maybe"),
        ]
    }
    response = post(client, body, licence_key)
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["status"] == "created"  # a numeric number is text; 20240415 is a date
    assert Licence.objects.get().number == "12345"
    assert second["status"] == "rejected"
    assert {"number", "employee_no", "expires_on", "verified"} <= set(second["errors"])
