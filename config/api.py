"""The one JSON API (django-ninja). Each app adds its router here.

Every error answers with {"code": "...", "detail": ...}: `code` is stable and
machine-readable, `detail` is for people (or the field errors, for 422).
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from checkin.api import router as checkin_router
from config.api_errors import ApiError
from events.api import router as events_router

api = NinjaAPI(
    title="Convene API",
    version="1",
    description="Events, sessions and seats for CE conferences.",
    urls_namespace="api",
)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, {"code": exc.code, "detail": exc.detail}, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"code": "invalid_input", "detail": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_authenticated", "detail": "Authentication required."}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, {"code": "http_error", "detail": str(exc)}, status=exc.status_code
    )


api.add_router("/events", events_router)
api.add_router("/checkin", checkin_router)
