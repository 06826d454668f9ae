from django.urls import path, re_path

from . import views

app_name = "certification"

CODE = r"(?P<code>[A-Za-z0-9_-]{16,64})"

urlpatterns = [
    path("certifications/", views.my_certifications, name="mine"),
    path(
        "certifications/<int:certification_id>/certificate.pdf",
        views.certificate_download,
        name="certificate_pdf",
    ),
    re_path(rf"^verify/{CODE}/$", views.verify_technician, name="verify"),
    re_path(rf"^verify/{CODE}/qr\.(?P<fmt>svg|png)$", views.verification_qr, name="verify_qr"),
    re_path(rf"^verify/c/{CODE}/$", views.verify_certificate, name="verify_certificate"),
]
