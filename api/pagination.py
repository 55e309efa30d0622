"""Pages of a list: `?page=` with `count`, `next`, `previous`, `results`; `?page_size=` up to
200.

Malformed input is a 400 naming the parameter (API.md, "Errors"): a page or a page size that
is not a whole number from 1 (`?page=0`, `?page=abc`, `?page_size=abc`), or a page size over
MAX_PAGE_SIZE. A page past the last one names nothing: 404. The schema says the same.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


def whole_number(params, name: str, maximum: int | None = None) -> int | None:
    """`params[name]` as a whole number from 1 (to `maximum`); None when absent."""
    raw = params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise exceptions.ValidationError({name: [f"A whole number from 1, not “{raw[:40]}”."]})
    if maximum is not None and int(raw) > maximum:
        raise exceptions.ValidationError({name: [f"At most {maximum} ({raw} given)."]})
    return int(raw)


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        size = whole_number(request.query_params, self.page_size_query_param, MAX_PAGE_SIZE)
        return size or self.page_size

    def get_page_number(self, request, paginator):
        number = whole_number(request.query_params, self.page_query_param)
        return number or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "Which page, from 1; past the last one: 404."
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
                parameter["description"] = f"Results per page, 1 to {MAX_PAGE_SIZE}."
        return parameters
