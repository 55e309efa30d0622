"""The text rules every way in shares: no NUL character anywhere (PostgreSQL cannot store
one, and refuses a query that holds one), and titles, tag names and reasons on one line
(they become e-mail subjects and one-line chat messages, where a line break is refused or
starts a forged header).

`single_line` serves model fields (the admin's forms pick it up), the pages' form fields and
the API's serializer fields; `nul_problem` and `line_problem` serve code that reads no form
(the JSON parser api/parsers.py, the middleware portal/input.py, the GitLab hook). Form and
serializer text fields refuse NUL themselves, with the same message.
"""

from __future__ import annotations

from django.core.validators import RegexValidator

NUL = "\x00"
LINE_BREAKS = ("\r", "\n")

NO_NUL = "Null characters are not allowed."
ONE_LINE = "Keep it on one line: no line breaks."


def nul_problem(value) -> str:
    """What is wrong with `value` under the NUL rule, or ""."""
    return NO_NUL if isinstance(value, str) and NUL in value else ""


def line_problem(value) -> str:
    """What is wrong with `value` as one line of text (NUL included), or ""."""
    if not isinstance(value, str):
        return ""
    if any(mark in value for mark in LINE_BREAKS):
        return ONE_LINE
    return nul_problem(value)


# Validator: one line (titles, tag names, reasons). A RegexValidator, so the schema shows
# its pattern (drf-spectacular) and migrations can name it.
single_line = RegexValidator(r"\A[^\r\n]*\Z", message=ONE_LINE, code="single_line")

