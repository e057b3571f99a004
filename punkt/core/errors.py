"""One error type for business rules, mapped to one body in pages and the API."""

from __future__ import annotations


class DomainError(Exception):
    """A refused or invalid operation: stable ``code``, human ``message``, optional ``field``.

    ``status`` is the HTTP status the interfaces answer with.
    """

    status = 422

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class ValidationFailed(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message)


class Conflict(DomainError):
    status = 409


class ActionDenied(DomainError):
    """The actor's roles do not grant the action here. Nothing was changed."""

    status = 403

    def __init__(self, message: str, *, action: str = "") -> None:
        super().__init__("forbidden", message)
        self.action = action
        self.branch_id: int | None = None
