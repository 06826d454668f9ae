"""API scopes: the one registry of what an API key may be allowed to do.

Each feature that adds an endpoint names its scope here, so `create_api_key` can refuse typos."""

from django.utils.translation import gettext_lazy as _

API_SCOPES = {
    "staff:write": _("Create and update staff (HR system sync)"),
    "tickets:write": _("Send closed service tickets"),
    "knowledge:read": _("Read and search the case knowledge base"),
    "eligibility:read": _("Ask who may be dispatched for a job"),
    "licences:write": _("Create and update outside licences (licence records sync)"),
}
