"""Each role sees only what it may touch: managers their region, technicians no admin."""

import pytest
from django.urls import reverse

from portal.roles import Role
from portal.selectors import outlets_in_scope, staff_in_scope
from tests.factories import StaffFactory


def login(client, profile):
    client.force_login(profile.user)
    return client


def test_a_regional_manager_scope_covers_exactly_their_regions_outlets(two_regions):
    manager = two_regions["east_manager"].user
    assert set(outlets_in_scope(user=manager).values_list("code", flat=True)) == {"SH-01", "HZ-01"}
    names = set(staff_in_scope(user=manager).values_list("employee_no", flat=True))
    assert names == {"M-EAST", "J-SH", "J-HZ"}


def test_an_outlet_manager_without_listed_scope_sees_their_own_outlet(two_regions):
    outlet_manager = StaffFactory(
        employee_no="M-HZ", outlet=two_regions["hz"], roles=[Role.MANAGER]
    )
    codes = set(outlets_in_scope(user=outlet_manager.user).values_list("code", flat=True))
    assert codes == {"HZ-01"}


def test_technicians_and_trainers_have_no_manager_scope(two_regions):
    assert not outlets_in_scope(user=two_regions["sh_tech"].user).exists()
    assert not staff_in_scope(user=two_regions["sh_tech"].user).exists()


def test_administrators_see_the_whole_network(two_regions, admin_user):
    assert outlets_in_scope(user=admin_user).count() == 3


def test_manager_admin_staff_list_shows_only_their_region(client, two_regions):
    login(client, two_regions["east_manager"])
    response = client.get(reverse("staff:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "上海技师" in body and "杭州技师" in body
    assert "广州技师" not in body


@pytest.mark.parametrize("view", ["staff:edit", "staff:inspect", "staff:delete"])
def test_manager_cannot_open_another_regions_staff_by_url(client, two_regions, view):
    login(client, two_regions["east_manager"])
    response = client.get(reverse(view, args=[two_regions["gz_tech"].pk]))
    assert response.status_code in (403, 404)
    own = client.get(reverse("staff:inspect", args=[two_regions["sh_tech"].pk]))
    assert own.status_code == 200


def test_manager_cannot_open_another_regions_outlet_by_url(client, two_regions):
    login(client, two_regions["east_manager"])
    assert client.get(reverse("outlets:inspect", args=[two_regions["gz"].pk])).status_code == 404
    assert client.get(reverse("outlets:inspect", args=[two_regions["sh"].pk])).status_code == 200
    # Managers read outlets; only administrators change them.
    assert client.get(reverse("outlets:edit", args=[two_regions["sh"].pk])).status_code in (
        302,
        403,
    )


def test_manager_edits_own_staff_but_cannot_move_them_out_of_scope_or_make_admins(
    client, two_regions
):
    login(client, two_regions["east_manager"])
    tech = two_regions["sh_tech"]
    url = reverse("staff:edit", args=[tech.pk])
    data = {
        "employee_no": tech.employee_no,
        "name": "上海技师（改名）",
        "phone": "13900000000",
        "email": "",
        "outlet": two_regions["hz"].pk,
        "roles": ["technician"],
        "active": "on",
        "hire_date": "",
    }
    assert client.post(url, data).status_code == 302
    tech.refresh_from_db()
    assert tech.name == "上海技师（改名）" and tech.outlet == two_regions["hz"]

    refused = client.post(url, {**data, "outlet": two_regions["gz"].pk, "roles": ["admin"]})
    assert refused.status_code == 200  # the form comes back with errors
    tech.refresh_from_db()
    assert tech.outlet == two_regions["hz"] and tech.roles == [Role.TECHNICIAN]


def test_technicians_cannot_enter_the_admin(client, two_regions):
    login(client, two_regions["sh_tech"])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert reverse("staff:index") not in response.get("Location", "")


def test_managers_and_trainers_can_enter_the_admin_and_trainers_see_no_staff(client, db):
    trainer = StaffFactory(employee_no="T-1", outlet=None, roles=[Role.TRAINER])
    login(client, trainer)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert client.get(reverse("staff:index")).status_code in (302, 403)


@pytest.mark.parametrize(
    ("roles", "sections"),
    [
        ([Role.NEW_STAFF], ["onboarding"]),
        ([Role.TECHNICIAN], ["case_search", "certifications"]),
        ([Role.TRAINER], ["content_work"]),
        ([Role.MANAGER], ["manager_dashboard"]),
    ],
)
def test_the_home_page_shows_each_role_its_own_sections(client, two_regions, roles, sections):
    person = StaffFactory(employee_no="P-1", outlet=two_regions["sh"], roles=roles)
    login(client, person)
    response = client.get("/")
    assert response.status_code == 200
    shown = [s.key for s in response.context["sections"]]
    assert shown == sections


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
