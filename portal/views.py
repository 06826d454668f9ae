"""Thin views of the shared kernel: login, notifications, health check."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .forms import LoginForm
from .selectors import notifications_for
from .services import notifications_mark_read


class PortalLoginView(LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Sign in")}


def healthz(request):
    """Liveness for load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def notifications(request):
    """The person's notifications; opening the page marks them read."""
    items = list(notifications_for(user=request.user))
    notifications_mark_read(user=request.user)
    return TemplateResponse(
        request, "portal/notifications.html", {"items": items, "title": _("Notifications")}
    )
