"""The portal's HTTP API (``/api/v1/...``), its authentication and its error format.

Every error body has the same shape, which integrators rely on::

    {"code": "machine_readable", "message": "for people, in their language", "errors": {...}}

``errors`` maps a field (``staff[3].phone`` in batches) to its messages. Each app adds its own
router in ``portal/urls.py``; scopes are listed in ``portal/scopes.py``."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from .exceptions import PortalError
from .records import StaffRecordForm, form_errors, normalise_record
from .roles import Role
from .services import api_key_authenticate, staff_upsert

logger = logging.getLogger(__name__)


class ApiError(PortalError):
    """An API failure with an HTTP status; raise it from endpoints and auth."""

    def __init__(self, status: int, code: str, message, *, errors: dict | None = None):
        super().__init__(message, errors=errors)
        self.status = status
        self.code = code


def error_response(status: int, code: str, message, errors: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": str(message), "errors": errors or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``; the key must hold ``scope``."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str):
        key = api_key_authenticate(raw_key=token.strip())
        if key is None:
            raise ApiError(401, "invalid_api_key", _("The API key is unknown or revoked."))
        if self.scope not in key.scopes:
            raise ApiError(
                403,
                "insufficient_scope",
                _("This API key lacks the scope %(scope)s.") % {"scope": self.scope},
            )
        request.api_key = key
        return key


api = NinjaAPI(
    title="售后服务学院 API / Service Academy API",
    version="1",
    description=(
        "Staff sync, ticket intake, knowledge search and dispatch eligibility. "
        "Send `Authorization: Bearer <key>`; keys are created with `manage.py create_api_key`."
    ),
    urls_namespace="api",
    docs_url="/docs/",
    openapi_url="/schema/",
)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        401, "not_authenticated", _("Send an API key as: Authorization: Bearer <key>.")
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ())[1:]) or "__all__"
        errors.setdefault(loc, []).append(err.get("msg", ""))
    return error_response(400, "validation_error", _("Some fields are invalid."), errors)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return error_response(
        413, "payload_too_large", _("The request is larger than %(mb).0f MB.") % {"mb": limit_mb}
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(exc.status_code, "http_error", exc.message)


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("API request failed: %s %s", request.method, request.path)
    return error_response(500, "server_error", _("Something went wrong on our side."))


def read_json_body(request: HttpRequest):
    """The parsed JSON body, or a 400/413 ``ApiError`` a client can act on."""
    body = request.body  # RequestDataTooBig propagates to its 413 handler
    if not body:
        raise ApiError(400, "empty_body", _("The request body is empty; send JSON."))
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(
            400, "malformed_json", _("The body is not valid JSON: %(error)s") % {"error": exc}
        ) from exc


def batch_from_body(body, *, list_key: str, limit: int) -> tuple[list, bool]:
    """``(records, is_batch)`` from a single object or ``{list_key: [...]}``."""
    if isinstance(body, dict) and list_key in body:
        records = body[list_key]
        if not isinstance(records, list):
            raise ApiError(
                400,
                "validation_error",
                _("Some fields are invalid."),
                errors={list_key: [_("Must be a list.")]},
            )
        if len(records) > limit:
            raise ApiError(
                413,
                "batch_too_large",
                _("At most %(limit)s records per request; got %(count)s.")
                % {"limit": limit, "count": len(records)},
            )
        return records, True
    if isinstance(body, dict):
        return [body], False
    raise ApiError(
        400,
        "validation_error",
        _('Send one JSON object or {"%(key)s": [...]}.') % {"key": list_key},
    )


def records_apply(records: list, *, key: str, form_for, apply) -> tuple[list[dict], dict[str, int]]:
    """Validates and applies each record on its own: ``form_for(record)`` builds the form,
    ``apply(cleaned_data)`` returns the status. Bad records come back ``rejected`` with field
    errors and never stop the others. Returns the per-record results and counts per status."""
    results = []
    for record in records:
        if not isinstance(record, dict):
            results.append(
                {
                    key: "",
                    "status": "rejected",
                    "errors": {"__all__": [_("Each record must be a JSON object.")]},
                }
            )
            continue
        form = form_for(record)
        if form.is_valid():
            results.append(
                {key: str(record.get(key) or ""), "status": apply(form.cleaned_data), "errors": {}}
            )
        else:
            results.append(
                {key: str(record.get(key) or ""), "status": "rejected", "errors": form_errors(form)}
            )
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return results, counts


class StaffIn(Schema):
    """A staff record, as in the import files (README, "Staff columns")."""

    employee_no: str
    name: str
    phone: str | None = None
    email: str | None = None
    outlet_code: str | None = None
    roles: list[str] | str
    hire_date: str | None = None
    active: bool | str | None = True


class StaffBatchIn(Schema):
    staff: list[StaffIn]


class StaffResult(Schema):
    employee_no: str
    status: str
    errors: dict[str, list[str]]


class StaffOut(Schema):
    counts: dict[str, int]
    results: list[StaffResult]


staff_router = Router(tags=["staff"])

# HR sync may not create administrators: that stays a decision made in the portal.
API_GRANTABLE_ROLES = [r for r in Role if r != Role.ADMIN]


@staff_router.post(
    "",
    auth=ApiKeyAuth("staff:write"),
    response={200: StaffOut},
    summary="Create or update staff (one object, or {'staff': [...]} up to 500)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [StaffIn.model_json_schema(), StaffBatchIn.model_json_schema()]
                    }
                }
            },
            "required": True,
        }
    },
)
def staff_upsert_endpoint(request):
    """Upserts by ``employee_no``. Each record is validated and saved on its own: good records
    are kept, bad ones come back ``rejected`` with field errors. A single rejected object answers
    400 ``validation_error``."""
    records, is_batch = batch_from_body(
        read_json_body(request), list_key="staff", limit=settings.API_MAX_BATCH
    )
    results, counts = records_apply(
        records,
        key="employee_no",
        form_for=lambda record: StaffRecordForm(
            data=normalise_record(record), allowed_roles=API_GRANTABLE_ROLES
        ),
        apply=lambda data: staff_upsert(data=data).action,
    )
    if not is_batch and results[0]["status"] == "rejected":
        raise ApiError(
            400, "validation_error", _("Some fields are invalid."), errors=results[0]["errors"]
        )
    return {"counts": counts, "results": results}


api.add_router("/v1/staff", staff_router)
