from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("matrix/", views.matrix, name="matrix"),
    path("technicians/<str:employee_no>/", views.technician, name="technician"),
    path("coverage/", views.coverage, name="coverage"),
    path("lapses/", views.lapses, name="lapses"),
    path("lapses/remind/", views.lapse_remind, name="lapse_remind"),
    path("training/", views.training, name="training"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("reports/monthly/", views.monthly_report, name="monthly_report"),
    path("export/<str:kind>.<str:file_format>", views.export, name="export"),
    path("exports/", views.export_jobs, name="export_jobs"),
    path("exports/<int:job_id>/", views.export_job, name="export_job"),
    path("exports/<int:job_id>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:job_id>/download/", views.export_download, name="export_download"),
]
