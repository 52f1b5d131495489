"""Errors services raise for bad input; the web layer turns them into a clear 4xx."""


class ValidationError(ValueError):
    """Input a person can fix; the message is shown to them as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValues(ValidationError):
    """Several fields are wrong at once: `errors` maps each column (as `fields.clean` names it) to
    its message; `message` and `field` are the first of them, for callers that show one."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = dict(errors)
