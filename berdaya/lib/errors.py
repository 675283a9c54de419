"""The one exception type for a refused business action; its message is shown to the user."""


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
