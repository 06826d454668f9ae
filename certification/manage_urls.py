from django.urls import path

from . import manage_views

app_name = "certification-manage"

urlpatterns = [
    path("", manage_views.suspensions, name="suspensions"),
    path("staff/<int:staff_id>/suspend/", manage_views.suspend, name="suspend"),
    path("<int:suspension_id>/approve/", manage_views.approve, name="approve"),
    path("<int:suspension_id>/revoke/", manage_views.revoke, name="revoke"),
]
