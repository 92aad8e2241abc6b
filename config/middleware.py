"""Project-wide request guards."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


class RejectNullBytesMiddleware:
    """A NUL byte in the URL is never meaningful, and PostgreSQL refuses it in text:
    answer 400 here instead of failing deep inside a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "null_character", "detail": "Null characters are not allowed."},
                    status=400,
                )
            return HttpResponseBadRequest(
                "Null characters are not allowed in addresses.", content_type="text/plain"
            )
        return self.get_response(request)
