"""Why an action was refused. Each maps to one API status code (see api/errors.py) and
carries a sentence a person can act on; services raise them, nothing is stored."""

from __future__ import annotations


class Refusal(Exception):
    status_code = 400

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail

    def payload(self) -> dict:
        return {"detail": self.detail}


class InvalidInput(Refusal):
    """Malformed input: `fields` maps each field to what is wrong with it."""

    status_code = 400

    def __init__(self, fields: dict[str, list[str]], detail: str = "Some fields need fixing."):
        super().__init__(detail)
        self.fields = fields

    def payload(self) -> dict:
        return {"detail": self.detail, **self.fields}


class NotPermitted(Refusal):
    status_code = 403


class Conflict(Refusal):
    """Not possible from the object's current status (or it changed under the caller)."""

    status_code = 409

    def __init__(self, detail: str, status: str = ""):
        super().__init__(detail)
        self.status = status

    def payload(self) -> dict:
        return {"detail": self.detail, "status": self.status}


class GatesUnmet(Refusal):
    """Every unmet gate, not just the first."""

    status_code = 422

    def __init__(self, unmet: list, detail: str = ""):
        super().__init__(detail or "Not allowed yet: " + " ".join(u.message for u in unmet))
        self.unmet = unmet

    def payload(self) -> dict:
        return {"detail": self.detail, "unmet": [u.as_dict() for u in self.unmet]}
