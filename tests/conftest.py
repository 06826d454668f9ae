import pytest

from portal.roles import Role
from tests.factories import OutletFactory, RegionFactory, StaffFactory

PASSWORD = "pw-for-tests"


def restore_migrated_data() -> None:
    """Puts back what data migrations created, which truncating a transactional test's tables
    removes (post_migrate already restores content types and permissions): Wagtail's root page,
    locale and collection, product lines, the home page, the site, the licence types and the
    role groups' permissions."""
    import importlib

    from django.conf import settings
    from wagtail.models import Collection, Locale, Page, Site

    from certification.models import LicenceType
    from portal.migrations import PRODUCT_LINES
    from portal.models import HomePage, ProductLine
    from portal.permissions import role_groups_sync

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    for code, name, order in PRODUCT_LINES:
        ProductLine.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    home = HomePage.objects.first()
    if home is None:
        home = Page.get_first_root_node().add_child(instance=HomePage(title="首页", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    licence_types = importlib.import_module("certification.migrations.0002_licence_types")
    for code, name in licence_types.LICENCE_TYPES:
        LicenceType.objects.get_or_create(code=code, defaults={"name": name})
    role_groups_sync()


@pytest.fixture(autouse=True)
def _migrated_data_on_transactional_db(request):
    """Transactional tests (browser tests, tests with a real worker) start from the data the
    migrations created, whatever an earlier transactional test truncated."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        restore_migrated_data()


@pytest.fixture
def two_regions(db):
    """East with two outlets, South with one; a manager per region; technicians everywhere."""
    east = RegionFactory(code="east", name="华东大区")
    south = RegionFactory(code="south", name="华南大区")
    sh = OutletFactory(code="SH-01", name="上海一号网点", region=east)
    hz = OutletFactory(code="HZ-01", name="杭州一号网点", region=east)
    gz = OutletFactory(code="GZ-01", name="广州一号网点", region=south)
    east_mgr = StaffFactory(employee_no="M-EAST", name="华东经理", outlet=sh, roles=[Role.MANAGER])
    east_mgr.managed_regions.set([east])
    south_mgr = StaffFactory(
        employee_no="M-SOUTH", name="华南经理", outlet=gz, roles=[Role.MANAGER]
    )
    south_mgr.managed_regions.set([south])
    return {
        "east": east,
        "south": south,
        "sh": sh,
        "hz": hz,
        "gz": gz,
        "east_manager": east_mgr,
        "south_manager": south_mgr,
        "sh_tech": StaffFactory(employee_no="J-SH", name="上海技师", outlet=sh),
        "hz_tech": StaffFactory(employee_no="J-HZ", name="杭州技师", outlet=hz),
        "gz_tech": StaffFactory(employee_no="J-GZ", name="广州技师", outlet=gz),
    }


@pytest.fixture
def admin_user(db):
    return StaffFactory(employee_no="ADMIN", name="管理员", outlet=None, roles=[Role.ADMIN]).user
