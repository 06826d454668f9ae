"""The certification matrix: cell statuses and levels, filters kept in the URL, pagination, and
a query count that does not grow with the number of technicians."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.dashboards.matrix import (
    CellStatus,
    MatrixFilters,
    cell_status,
    certification_matrix,
)
from certification.models import CertificationStatus
from tests.factories import StaffFactory

from .conftest import certify, login

NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "expires_in", "grace", "expected"),
    [
        (CertificationStatus.ACTIVE, 200, 0, CellStatus.ACTIVE),
        (CertificationStatus.ACTIVE, 91, 0, CellStatus.ACTIVE),
        (CertificationStatus.ACTIVE, 89.5, 0, CellStatus.EXPIRING_90),
        (CertificationStatus.ACTIVE, 59, 0, CellStatus.EXPIRING_60),
        (CertificationStatus.ACTIVE, 29, 0, CellStatus.EXPIRING_30),
        (CertificationStatus.ACTIVE, 0.5, 0, CellStatus.EXPIRING_30),
        (CertificationStatus.ACTIVE, -3, 30, CellStatus.GRACE),
        (CertificationStatus.ACTIVE, -3, 0, CellStatus.EXPIRED),
        (CertificationStatus.EXPIRED, -40, 30, CellStatus.EXPIRED),
        (CertificationStatus.SUSPENDED, 200, 0, CellStatus.SUSPENDED),
        (CertificationStatus.REVOKED, 200, 0, CellStatus.REVOKED),
    ],
)
def test_cell_status_follows_the_ledger_and_the_clock(status, expires_in, grace, expected):
    state, _days = cell_status(
        status=status, expires_at=NOW + expires_in * DAY, grace_days=grace, now=NOW
    )
    assert state == expected


def test_matrix_cells_show_status_and_level_per_skill(network):
    east = network["east_manager"].user
    matrix = certification_matrix(user=east, filters=MatrixFilters())
    codes = [s.code for s in matrix.skills]
    cells = {
        row.technician.employee_no: dict(zip(codes, row.cells, strict=True)) for row in matrix.rows
    }
    assert set(cells) == {"J-SH", "J-HZ"}
    assert cells["J-SH"]["AC-SPLIT-INSTALL"].status == CellStatus.ACTIVE
    assert cells["J-SH"]["AC-INVERTER-DIAG"].status == CellStatus.EXPIRING_30
    assert cells["J-SH"]["AC-INVERTER-DIAG"].level == 2
    assert cells["J-HZ"]["AC-SPLIT-INSTALL"].status == CellStatus.EXPIRING_60
    assert cells["J-HZ"]["AC-INVERTER-DIAG"].status == CellStatus.SUSPENDED
    assert cells["J-HZ"]["WM-REPAIR"].status == CellStatus.NONE


def test_a_renewal_shows_the_new_certification_not_the_superseded_one(network):
    tech = network["sh_tech"]
    old = network["certs"]["sh_inverter"]
    renewed = certify(tech, network["programmes"]["inverter"], expires_in_days=700)
    type(old).objects.filter(pk=old.pk).update(
        status=CertificationStatus.SUPERSEDED, superseded_by=renewed
    )
    matrix = certification_matrix(
        user=network["east_manager"].user,
        filters=MatrixFilters(skill=network["skills"]["inverter"]),
    )
    row = next(r for r in matrix.rows if r.technician.employee_no == "J-SH")
    assert row.cells[0].status == CellStatus.ACTIVE
    assert row.cells[0].certification_id == renewed.pk


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("expiring", {"J-SH", "J-HZ"}),
        ("expiring_30", {"J-SH"}),
        ("expiring_60", {"J-SH", "J-HZ"}),
        ("suspended", {"J-HZ"}),
        ("active", {"J-SH"}),
        ("none", {"J-SH", "J-HZ"}),
        ("expired", set()),
    ],
)
def test_status_filter_keeps_technicians_with_a_matching_cell(network, status, expected):
    matrix = certification_matrix(
        user=network["east_manager"].user, filters=MatrixFilters(status=status)
    )
    assert {r.technician.employee_no for r in matrix.rows} == expected


def test_filters_combine_skill_and_status(network):
    matrix = certification_matrix(
        user=network["east_manager"].user,
        filters=MatrixFilters(skill=network["skills"]["install"], status="expiring_30"),
    )
    assert [r.technician.employee_no for r in matrix.rows] == []
    matrix = certification_matrix(
        user=network["east_manager"].user,
        filters=MatrixFilters(skill=network["skills"]["install"], status="expiring_60"),
    )
    assert [r.technician.employee_no for r in matrix.rows] == ["J-HZ"]


def test_product_line_filter_keeps_only_its_skills(network):
    from portal.models import ProductLine

    matrix = certification_matrix(
        user=network["east_manager"].user,
        filters=MatrixFilters(product_line=ProductLine.objects.get(code="WM")),
    )
    assert [s.code for s in matrix.skills] == ["WM-REPAIR"]


def test_filters_stay_in_the_url_and_in_the_pager_and_export_links(client, network):
    for n in range(60):
        StaffFactory(employee_no=f"J-X{n:03d}", outlet=network["sh"])
    login(client, network["east_manager"])
    response = client.get(
        reverse("dashboards:matrix"), {"outlet": network["sh"].pk, "status": "none"}
    )
    body = response.content.decode()
    assert response.context["matrix"].page.paginator.count == 61
    assert len(response.context["matrix"].rows) == 50
    assert f"outlet={network['sh'].pk}&amp;status=none&amp;page=2" in body
    assert f"/dashboards/export/matrix.xlsx?outlet={network['sh'].pk}&amp;status=none" in body
    page2 = client.get(
        reverse("dashboards:matrix"), {"outlet": network["sh"].pk, "status": "none", "page": 2}
    )
    assert len(page2.context["matrix"].rows) == 11


def test_unknown_filter_values_are_reported_not_a_500(client, network):
    login(client, network["east_manager"])
    response = client.get(reverse("dashboards:matrix"), {"skill": "NOPE", "status": "zzz"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "NOPE" in body and "zzz" in body


def test_matrix_links_each_technician_to_their_profile(client, network):
    login(client, network["east_manager"])
    body = client.get(reverse("dashboards:matrix")).content.decode()
    assert reverse("dashboards:technician", args=["J-SH"]) in body


def _grow(network, count):
    programmes = network["programmes"]
    for n in range(count):
        tech = StaffFactory(employee_no=f"J-G{n:03d}", outlet=network["hz"])
        certify(tech, programmes["install"], expires_in_days=10 + n)
        certify(tech, programmes["inverter"], expires_in_days=200, status="suspended")


@pytest.mark.parametrize("params", [{}, {"status": "expiring"}, {"status": "none"}])
def test_matrix_page_query_count_does_not_grow_with_the_network(
    client, network, django_assert_max_num_queries, params
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, network["east_manager"])
    url = reverse("dashboards:matrix")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    _grow(network, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(response.context["matrix"].rows) > 2


def test_filtering_to_uncertified_still_shows_the_skills_a_technician_holds(network):
    matrix = certification_matrix(
        user=network["east_manager"].user, filters=MatrixFilters(status="none")
    )
    codes = [s.code for s in matrix.skills]
    row = next(r for r in matrix.rows if r.technician.employee_no == "J-SH")
    cells = dict(zip(codes, row.cells, strict=True))
    assert cells["WM-REPAIR"].status == CellStatus.NONE
    assert cells["AC-SPLIT-INSTALL"].status == CellStatus.ACTIVE
