"""Errors that carry a machine code (for the API) and a message (for people)."""


class RegistrationError(Exception):
    """A registration or sign-up was refused; nothing was changed."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after  # seconds, for a refusal that passes with time
