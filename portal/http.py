"""The web plumbing every page shares, written once: whether HTMX asked for a fragment, a
safe `next`, the headers of a page that has a fragment at its address (or is someone's own
view), and one service call as a page answers it (its result, or the refusal's status code
and words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from workflow.errors import Conflict, Refusal


def is_fragment(request) -> bool:
    """HTMX asked for a part of the page (a boosted link asks for the whole page)."""
    return bool(request.htmx) and not request.htmx.boosted


def fragment_of(request, template: str, name: str) -> str:
    """The template, or only its partial `name` when HTMX asks for a fragment."""
    return f"{template}#{name}" if is_fragment(request) else template


def varies(response):
    """A page and its HTMX fragment share an address: caches must tell them apart."""
    patch_vary_headers(response, ("HX-Request",))
    return response


def private(response, *, etag: str = ""):
    """Someone's own view (a board, a work list): varies by fragment and session, and no
    shared cache keeps it; `etag` lets a live refresh answer 304."""
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    patch_cache_control(response, private=True, no_cache=True)
    if etag:
        response["ETag"] = etag
    return response


def safe_next(request, default: str = "") -> str:
    """The `next` the request carries (POST first), if it stays on this site (and on HTTPS
    when the request came over HTTPS); else `default`."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}" if query else url


@dataclass(frozen=True)
class Attempt:
    """One service call as a page answers it: what it returned, or why not — the refusal's
    status code (400, 403, 409, 422), its sentence, each bad field's problems and each unmet
    gate."""

    result: object = None
    status: int = 200
    detail: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)
    unmet: list = field(default_factory=list)
    conflict: bool = False

    @property
    def refused(self) -> bool:
        return self.status != 200

    @property
    def problems(self) -> str:
        """Every field's problems, as one sentence."""
        return " ".join(problem for problems in self.fields.values() for problem in problems)

    @classmethod
    def of(cls, refused: Refusal) -> Attempt:
        return cls(
            status=refused.status_code,
            detail=refused.detail,
            fields=getattr(refused, "fields", {}),
            unmet=list(getattr(refused, "unmet", [])),
            conflict=isinstance(refused, Conflict),
        )


def attempt(call) -> Attempt:
    """Call one service; a refusal becomes an Attempt that says why (nothing was changed)."""
    try:
        return Attempt(result=call())
    except Refusal as refused:
        return Attempt.of(refused)
