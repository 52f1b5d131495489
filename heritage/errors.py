"""Errors services raise for bad input; the web layer turns them into a clear 4xx."""


class ValidationError(ValueError):
    """Input a person can fix; the message is shown to them as it is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
