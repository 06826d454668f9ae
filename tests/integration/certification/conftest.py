import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_certification, make_licence, make_programme, make_skill

# A fixed "now" on a working morning in Shanghai; every test states its window against it.
NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))
TODAY = NOW.date()


@pytest.fixture
def skill(db):
    """Outdoor-unit installation: needs 高处作业 and 制冷与空调作业 licences."""
    return make_skill("AC-SPLIT-INSTALL", licences=["height", "refrigeration"])


@pytest.fixture
def programme(skill):
    return make_programme(skill, level=1, validity_months=24)


@pytest.fixture
def certified(two_regions, skill, programme):
    """J-SH in 上海一号网点, certified at level 1 until 2027-06-01 with both licences verified."""
    tech = two_regions["sh_tech"]
    cert = make_certification(
        tech.user,
        programme,
        issued_at=NOW - dt.timedelta(days=365),
        expires_at=NOW + dt.timedelta(days=365),
    )
    licences = {
        code: make_licence(
            tech.user,
            code,
            issued_on=TODAY - dt.timedelta(days=400),
            expires_on=TODAY + dt.timedelta(days=1000),
            next_review_on=TODAY + dt.timedelta(days=500),
        )
        for code in ("height", "refrigeration")
    }
    return {"tech": tech, "cert": cert, "licences": licences, **two_regions}
