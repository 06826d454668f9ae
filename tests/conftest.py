import pytest

from portal.roles import Role
from tests.factories import OutletFactory, RegionFactory, StaffFactory

PASSWORD = "pw-for-tests"


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
