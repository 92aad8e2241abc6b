"""API errors that carry a machine-readable code, answered as {"code", "detail"}."""


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
