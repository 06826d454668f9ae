"""A small network for the dashboards: two regions (east: 上海, 杭州; south: 广州), a manager
per region, technicians with certifications in every state, relative to the real clock (the
pages read the clock)."""

import datetime as dt

import pytest
from django.utils import timezone

from certification.models import CertificationStatus
from tests.factories import make_certification, make_licence, make_programme, make_skill

DAY = dt.timedelta(days=1)


def certify(staff, programme, *, expires_in_days, status=None, issued_days_ago=300):
    now = timezone.now()
    fields = {"status": status} if status else {}
    return make_certification(
        staff.user,
        programme,
        issued_at=now - issued_days_ago * DAY,
        expires_at=now + expires_in_days * DAY,
        **fields,
    )


@pytest.fixture
def network(two_regions):
    """Skills: split-unit install (needs no licence here), inverter diagnosis, washer repair.

    - J-SH (上海): install L1 active 400 days; inverter L2 expiring in 20 days
    - J-HZ (杭州): install L1 expiring in 45 days; inverter suspended
    - J-GZ (广州, other region): install L1 expiring in 10 days
    """
    install = make_skill("AC-SPLIT-INSTALL", name="分体式空调安装")
    inverter = make_skill("AC-INVERTER-DIAG", name="变频空调故障诊断")
    washer = make_skill("WM-REPAIR", name="滚筒洗衣机维修", product_line="WM")
    programmes = {
        "install": make_programme(install, level=1),
        "inverter": make_programme(inverter, level=2),
        "washer": make_programme(washer, level=1),
    }
    sh, hz, gz = two_regions["sh_tech"], two_regions["hz_tech"], two_regions["gz_tech"]
    certs = {
        "sh_install": certify(sh, programmes["install"], expires_in_days=400),
        "sh_inverter": certify(sh, programmes["inverter"], expires_in_days=20),
        "hz_install": certify(hz, programmes["install"], expires_in_days=45),
        "hz_inverter": certify(
            hz, programmes["inverter"], expires_in_days=300, status=CertificationStatus.SUSPENDED
        ),
        "gz_install": certify(gz, programmes["install"], expires_in_days=10),
    }
    today = timezone.localdate()
    licence = make_licence(
        sh.user,
        "refrigeration",
        issued_on=today - 1000 * DAY,
        expires_on=today + 25 * DAY,
        next_review_on=today + 500 * DAY,
    )
    return {
        **two_regions,
        "skills": {"install": install, "inverter": inverter, "washer": washer},
        "programmes": programmes,
        "certs": certs,
        "licence": licence,
    }


def login(client, profile):
    client.force_login(profile.user)
    return client
