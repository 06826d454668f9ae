from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("search/", views.search, name="search"),
]
