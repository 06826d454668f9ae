"""Demo organisation: a believable slice of a brand's service network in East and South China.

Loaded through the same services as real imports, so it is idempotent (codes and employee
numbers are the keys). Every demo login uses DEMO_PASSWORD; never load this in production."""

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import ProductLine
from .records import OutletRecordForm, StaffRecordForm
from .roles import Role
from .services import outlet_upsert, staff_upsert

DEMO_PASSWORD = "demo1234"  # noqa: S105 - published demo credential, see README

REGIONS = [("east", "华东大区"), ("south", "华南大区")]

OUTLETS = [
    (
        "SH-PD-01",
        "上海浦东恒信家电服务部",
        "华东大区",
        "上海市浦东新区张杨路1200号",
        "021-58881234",
        "AC,CAC,WM,RF,WH",
    ),
    (
        "SH-MH-02",
        "上海闵行安达制冷维修中心",
        "华东大区",
        "上海市闵行区莘庄镇沪闵路6088号",
        "021-64125678",
        "AC,CAC",
    ),
    (
        "HZ-XH-01",
        "杭州西湖诚达电器服务有限公司",
        "华东大区",
        "杭州市西湖区文三路478号",
        "0571-88234567",
        "AC,WM,RF,WH",
    ),
    (
        "GZ-TH-01",
        "广州天河顺通家电维修站",
        "华南大区",
        "广州市天河区天河北路233号",
        "020-38765432",
        "AC,CAC,WM,RF,WH",
    ),
    (
        "SZ-NS-01",
        "深圳南山鹏城制冷服务部",
        "华南大区",
        "深圳市南山区南海大道2188号",
        "0755-26651234",
        "AC,CAC,RF",
    ),
]

# employee_no, name, outlet, roles, hire_date, phone
STAFF = [
    ("A0001", "王建国", "", "admin,trainer", "2015-03-02", "13800000001"),
    ("T1001", "刘芳", "", "trainer", "2017-07-10", "13800000002"),
    ("T1002", "陈志强", "", "trainer", "2012-05-21", "13800000003"),
    ("M2001", "赵磊", "SH-PD-01", "manager", "2014-09-01", "13800000004"),
    ("M2002", "孙丽", "GZ-TH-01", "manager", "2016-02-15", "13800000005"),
    ("M2003", "周涛", "HZ-XH-01", "manager,technician", "2013-11-11", "13800000006"),
    ("J3001", "李强", "SH-PD-01", "technician", "2019-04-08", "13800000011"),
    ("J3002", "张伟", "SH-PD-01", "technician", "2020-06-15", "13800000012"),
    ("J3003", "吴敏", "SH-MH-02", "technician", "2018-03-20", "13800000013"),
    ("J3004", "郑浩", "SH-MH-02", "technician", "2021-08-02", "13800000014"),
    ("J3005", "黄晓东", "HZ-XH-01", "technician", "2017-10-09", "13800000015"),
    ("J3006", "何俊", "GZ-TH-01", "technician", "2019-12-01", "13800000016"),
    ("J3007", "林志明", "GZ-TH-01", "technician", "2022-02-14", "13800000017"),
    ("J3008", "梁伟", "SZ-NS-01", "technician", "2018-07-23", "13800000018"),
    ("J3009", "罗斌", "SZ-NS-01", "technician", "2023-03-06", "13800000019"),
    ("J3010", "许文杰", "HZ-XH-01", "technician", "2020-11-30", "13800000020"),
    ("N4001", "马小龙", "SH-PD-01", "new_staff", "2026-11-02", "13800000031"),
    ("N4002", "高静", "GZ-TH-01", "new_staff", "2026-11-09", "13800000032"),
    ("N4003", "冯宇", "SZ-NS-01", "new_staff", "2026-11-16", "13800000033"),
    ("N4004", "韩雪", "HZ-XH-01", "new_staff", "2026-11-16", "13800000034"),
]

# Who manages what beyond their own outlet.
MANAGED_REGIONS = {"M2001": ["east"], "M2002": ["south"]}


def _clean(form_class, data: dict) -> dict:
    form = form_class(data=data)
    if not form.is_valid():
        raise ValueError(f"Demo record {data} is invalid: {form.errors.as_json()}")
    return form.cleaned_data


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Creates or refreshes the demo organisation; returns (login, name, roles) rows."""
    from .models import Region, StaffProfile

    assert ProductLine.objects.exists(), "product lines come from the portal migrations"
    for code, name in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name})
    for code, name, region, address, phone, lines in OUTLETS:
        outlet_upsert(
            data=_clean(
                OutletRecordForm,
                {
                    "code": code,
                    "name": name,
                    "region": region,
                    "address": address,
                    "phone": phone,
                    "product_lines": lines,
                    "active": "1",
                },
            )
        )
    logins = []
    # One hash for every demo login: hashing is deliberately slow, and these share a password.
    password_hash = make_password(DEMO_PASSWORD)
    for employee_no, name, outlet, roles, hire_date, phone in STAFF:
        profile = staff_upsert(
            data=_clean(
                StaffRecordForm,
                {
                    "employee_no": employee_no,
                    "name": name,
                    "outlet_code": outlet,
                    "roles": roles,
                    "hire_date": hire_date,
                    "phone": phone,
                    "email": f"{employee_no.lower()}@demo.invalid",
                    "active": "1",
                },
            )
        ).object
        user = profile.user
        if not user.has_usable_password():
            user.password = password_hash
            user.save(update_fields=["password"])
        labels = "、".join(str(Role(r).label) for r in roles.split(","))
        logins.append((employee_no, name, labels))
    for employee_no, region_codes in MANAGED_REGIONS.items():
        profile = StaffProfile.objects.get(employee_no=employee_no)
        profile.managed_regions.set(Region.objects.filter(code__in=region_codes))
    return logins
