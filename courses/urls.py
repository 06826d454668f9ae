from django.urls import path

from . import views
from .quiz import views as quiz_views

app_name = "courses"

urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("courses/<int:course_id>/enrol/", views.course_enrol, name="enrol"),
    path("lessons/<int:lesson_id>/complete/", views.lesson_mark_complete, name="complete"),
    path("quiz/<int:quiz_id>/start/", quiz_views.quiz_start, name="quiz_start"),
    path("quiz/attempts/<int:attempt_id>/", quiz_views.quiz_take, name="quiz_take"),
    path("quiz/attempts/<int:attempt_id>/answers/", quiz_views.quiz_save, name="quiz_save"),
    path("quiz/attempts/<int:attempt_id>/submit/", quiz_views.quiz_submit, name="quiz_submit"),
    path("quiz/attempts/<int:attempt_id>/result/", quiz_views.quiz_result, name="quiz_result"),
]
