from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("courses/<int:course_id>/enrol/", views.course_enrol, name="enrol"),
    path("lessons/<int:lesson_id>/complete/", views.lesson_mark_complete, name="complete"),
]
