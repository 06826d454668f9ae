"""The certification admin: a read-only ledger with its history, scoped to the manager."""

import datetime as dt

from certification.models import Licence
from certification.services import certification_suspend
from tests.factories import make_licence

from .conftest import TODAY

LEDGER = "/admin/snippets/certification/certification/"
LICENCES = "/admin/snippets/certification/licence/"


def test_the_ledger_shows_history_and_offers_no_edit_or_delete(client, certified, admin_user):
    cert = certified["cert"]
    certification_suspend(
        certification=cert, user=admin_user, reason_code="complaint", reason_text="客户投诉漏水"
    )
    client.force_login(admin_user)
    assert client.get(LEDGER).status_code == 200
    page = client.get(f"{LEDGER}inspect/{cert.pk}/").content.decode()
    assert "客户投诉漏水" in page
    assert client.get(f"{LEDGER}edit/{cert.pk}/").status_code in (302, 403)
    assert client.get(f"{LEDGER}delete/{cert.pk}/").status_code in (302, 403)
    assert client.get(f"{LEDGER}add/").status_code in (302, 403)


def test_managers_see_only_their_scope(client, certified):
    cert = certified["cert"]
    client.force_login(certified["south_manager"].user)
    assert client.get(f"{LEDGER}inspect/{cert.pk}/").status_code == 404
    assert "J-SH" not in client.get(LEDGER).content.decode()
    client.force_login(certified["east_manager"].user)
    assert client.get(f"{LEDGER}inspect/{cert.pk}/").status_code == 200


def test_a_manager_verifies_a_licence_of_their_staff(client, certified):
    licence = make_licence(
        certified["hz_tech"].user,
        "electrician",
        issued_on=TODAY,
        expires_on=TODAY + dt.timedelta(days=2000),
        verified=False,
    )
    manager = certified["east_manager"].user
    client.force_login(manager)
    response = client.post(
        f"{LICENCES}edit/{licence.pk}/",
        {
            "user": licence.user_id,
            "licence_type": licence.licence_type_id,
            "number": licence.number,
            "issuing_authority": "杭州市应急管理局",
            "issued_on": licence.issued_on.isoformat(),
            "expires_on": licence.expires_on.isoformat(),
            "next_review_on": licence.next_review_on.isoformat(),
            "verify": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    licence = Licence.objects.get(pk=licence.pk)
    assert licence.verified_by == manager and licence.is_verified
    client.force_login(certified["south_manager"].user)
    assert client.get(f"{LICENCES}edit/{licence.pk}/").status_code == 404
