"""API errors that carry a machine-readable code, answered as {"code", "detail"}."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every error the API answers. `code` is stable; `detail` is for people, or for
    422 `invalid_input` the list of field errors."""

    code: str
    detail: str | list[dict[str, Any]]


# What any operation may answer besides its own: malformed input (400: null
# characters, a body that is not JSON; 422: failed validation), and for the
# scanner's operations a missing or revoked device token (401).
INPUT_ERRORS = {400: ErrorOut, 422: ErrorOut}
DEVICE_ERRORS = {**INPUT_ERRORS, 401: ErrorOut}


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
