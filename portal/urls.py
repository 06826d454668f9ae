from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certification.api import eligibility_router, licences_router, skills_router
from knowledge.api import cases_router, tickets_router

from . import views
from .api import api

api.add_router("/v1/tickets", tickets_router)
api.add_router("/v1/knowledge", cases_router)
api.add_router("/v1/eligibility", eligibility_router)
api.add_router("/v1/skills", skills_router)
api.add_router("/v1/licences", licences_router)

portal_patterns = (
    [
        path("login/", views.PortalLoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path(
            "password-reset/",
            auth_views.PasswordResetView.as_view(
                template_name="portal/password_reset.html",
                success_url="/password-reset/sent/",
            ),
            name="password_reset",
        ),
        path(
            "password-reset/sent/",
            auth_views.PasswordResetDoneView.as_view(template_name="portal/message.html"),
            name="password_reset_done",
        ),
        path("notifications/", views.notifications, name="notifications"),
        path("healthz", views.healthz, name="healthz"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="portal/password_reset.html", success_url="/login/"
        ),
        name="password_reset_confirm",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("learning/", include("courses.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("", include("certification.urls")),
    path("certification/manage/", include("certification.manage_urls")),
    path("dashboards/", include("certification.dashboards.urls")),
    path("api/", api.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

urlpatterns += [path("", include(wagtail_urls))]
