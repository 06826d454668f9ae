"""Admin upload → preview → apply, as managers and administrators use it."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import ImportBatch, StaffProfile

STAFF = (
    "employee_no,name,phone,email,outlet_code,roles,hire_date,active\n"
    "W1,王一,13800000001,,SH-01,technician,2024-01-01,1\n"
    "W2,王二,13800000002,,GZ-01,technician,2024-01-01,1\n"
)


def _upload(client, text, strict=False, kind="staff"):
    data = {"kind": kind, "file": SimpleUploadedFile("staff.csv", text.encode())}
    if strict:
        data["strict"] = "on"
    return client.post(reverse("organisation-import:upload") + f"?kind={kind}", data)


def test_preview_writes_nothing_and_apply_imports_the_valid_rows(client, two_regions):
    client.force_login(two_regions["east_manager"].user)
    response = _upload(client, STAFF)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    preview = client.get(response["Location"]).content.decode()
    assert "将新建" in preview and "不在您的管理范围内" in preview
    assert not StaffProfile.objects.filter(employee_no__in=["W1", "W2"]).exists()

    client.post(response["Location"])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.report["counts"] == {"created": 1, "error": 1}
    assert StaffProfile.objects.filter(employee_no="W1").exists()
    assert not StaffProfile.objects.filter(employee_no="W2").exists()

    # Applying the same batch twice does nothing more.
    client.post(response["Location"])
    assert StaffProfile.objects.filter(employee_no="W1").count() == 1


def test_strict_upload_imports_nothing_when_a_row_is_bad(client, two_regions, admin_user):
    client.force_login(admin_user)
    response = _upload(client, STAFF.replace("GZ-01", "NOPE"), strict=True)
    client.post(response["Location"])
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEWED
    assert not StaffProfile.objects.filter(employee_no__in=["W1", "W2"]).exists()


def test_managers_cannot_import_outlets_or_see_others_batches(client, two_regions, admin_user):
    client.force_login(two_regions["east_manager"].user)
    refused = _upload(client, "code,name,region\nX,Y,Z\n", kind="outlets")
    assert refused.status_code in (302, 403)
    assert not ImportBatch.objects.exists()
    client.force_login(admin_user)
    location = _upload(client, STAFF)["Location"]
    client.force_login(two_regions["south_manager"].user)
    assert client.get(location).status_code == 404


def test_technicians_cannot_reach_the_import(client, two_regions):
    client.force_login(two_regions["sh_tech"].user)
    response = client.get(reverse("organisation-import:upload"))
    assert response.status_code in (302, 403)
