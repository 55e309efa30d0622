"""The API's JSON parser: DRF's, refusing what would otherwise fail further in.

- Nesting deeper than MAX_DEPTH is a 400, found by a scan of the text before it is parsed:
  no body reaches the recursive parser (or any code that walks the data) nested past reason.
- A NUL character in any string or key (`\\u0000` in JSON) is a 400 naming the field: no
  column of PostgreSQL stores one, and a query holding one fails (workflow/text.py).
"""

from __future__ import annotations

import codecs
import json
import re

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.utils import json as drf_json

from workflow.text import NO_NUL, nul_problem

# No input of the API nests more than two levels; 32 leaves room and stays far from Python's
# recursion limit.
MAX_DEPTH = 32
TOO_DEEP = f"The JSON body nests deeper than {MAX_DEPTH} levels."

_MARKS = re.compile(r'[\[\]{}"\\]')


def nests_deeper_than(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than `limit`: one pass, no recursion."""
    depth, in_string, skip = 0, False, -1
    for mark in _MARKS.finditer(text):
        at = mark.start()
        if at < skip:
            continue  # the character after a backslash
        char = text[at]
        if in_string:
            if char == "\\":
                skip = at + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def nul_field(data) -> str | None:
    """The top-level field (or `non_field_errors`) whose value or key holds a NUL, if any."""
    top = [(key, key, value) for key, value in data.items()] if isinstance(data, dict) else []
    stack = top or [("non_field_errors", None, data)]
    while stack:
        field, key, value = stack.pop()
        if nul_problem(key):
            return field.replace("\x00", "\\u0000")
        if nul_problem(value):
            return field
        if isinstance(value, dict):
            stack.extend((field, k, v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((field, None, v) for v in value)
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a bound on nesting and no NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if nests_deeper_than(text, MAX_DEPTH):
            raise exceptions.ParseError(TOO_DEEP)
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if (field := nul_field(data)) is not None:
            raise exceptions.ValidationError({field: [NO_NUL]})
        return data
