"""Thin views of the shared kernel: login, health check."""

from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from .forms import LoginForm


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
