"""Response headers a security review asks for, and the client's address behind a proxy.

The Content Security Policy allows scripts, styles, fonts and images from this origin only:
no inline script, no `eval`, no inline `style` attributes. The templates load htmx and our
JavaScript from `static/`, and htmx is configured in `base.html` not to inject its indicator
styles or evaluate code, so nothing needs an exception. Settings (portal/settings.py):
CSP_EXTRA_FORM_ACTION (origins that a form's redirect may go to), CSP_REPORT_URI,
PERMISSIONS_POLICY. With SSO on, the provider's end-session origin is allowed as a form's
target: signing out (a form) is redirected there (RP-initiated logout, portal/sso.py).

What a signed-in person is answered (pages, fragments, API answers, downloads) is sent with
`Cache-Control: private, no-store`: no shared cache and no browser cache keeps it (a shared
computer's back button, a proxy's disk). Static files and anonymous answers are left alone.

X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def origin_of(url: str) -> str:
    """`https://login.example.mil` for `https://login.example.mil/auth/realms/x`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    form_action = ["'self'", *settings.CSP_EXTRA_FORM_ACTION]
    if settings.OIDC_ENABLED and (provider := origin_of(settings.OIDC_OP_LOGOUT_ENDPOINT)):
        form_action.append(provider)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": form_action,
        "frame-ancestors": ["'none'"],
    }
    policy = "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())
    if settings.SECURE_SSL_REDIRECT:
        policy += "; upgrade-insecure-requests"
    if settings.CSP_REPORT_URI:
        policy += f"; report-uri {settings.CSP_REPORT_URI}"
    return policy


NO_STORE = "private, no-store"


def keep_out_of_caches(request, response) -> None:
    """`Cache-Control: private, no-store` on an answer to someone signed in (a session, or an
    API token: DRF sets the request's user) or who sent credentials; a view that already
    said `no-store` keeps its own words. The boards' live refresh still answers 304: the
    page sends its ETag itself (static/js/board.js), it does not need a cached copy."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not (signed_in or "HTTP_AUTHORIZATION" in request.META):
        return
    if "no-store" not in response.get("Cache-Control", ""):
        response["Cache-Control"] = NO_STORE


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response, and keeps a
    signed-in person's answers out of caches (`keep_out_of_caches`).

    Django's SecurityMiddleware already sends HSTS, nosniff, Referrer-Policy and
    Cross-Origin-Opener-Policy; XFrameOptionsMiddleware sends X-Frame-Options. Static files
    (WhiteNoise, before this) and /healthz, /readyz, /metrics (OpsMiddleware) never reach it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        # Made for each response (microseconds): it follows the settings as they are now.
        response.headers.setdefault(self.header, content_security_policy())
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        keep_out_of_caches(request, response)
        return response


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def trusted_networks() -> tuple:
    """TRUSTED_PROXIES as networks (an address is a network of one)."""
    return _networks(tuple(p for p in settings.TRUSTED_PROXIES if p.strip()))


def proxy_configured() -> bool:
    """The portal is set up to run behind a reverse proxy (TRUSTED_PROXIES or hops set)."""
    return bool(trusted_networks()) or settings.TRUSTED_PROXY_HOPS > 0


def ip_of(address: str):
    """The address as an ip_address (an IPv4-mapped IPv6 one as IPv4), or None."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    return getattr(ip, "ipv4_mapped", None) or ip


def is_trusted_proxy(address: str) -> bool:
    ip = ip_of(address)
    return ip is not None and any(
        ip.version == net.version and ip in net for net in trusted_networks()
    )


def client_address(peer: str, forwarded_for: str) -> str:
    """The client's address: the connection's peer, or, when the peer is a trusted proxy,
    what X-Forwarded-For says, read from the right. Each entry was written by the hop to
    its right, so it is believed only while that hop is a trusted proxy (and is an address
    at all), and at most TRUSTED_PROXY_HOPS entries when that is set (a broad
    TRUSTED_PROXIES network that also holds clients cannot then be walked past)."""
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    limit = settings.TRUSTED_PROXY_HOPS or len(chain)
    address = peer
    for hop in reversed(chain[-limit:]):
        if not is_trusted_proxy(address) or ip_of(hop) is None:
            break
        address = hop
    return address


class TrustedProxyMiddleware:
    """Behind reverse proxies, the client's address is the one the outermost trusted proxy
    saw (`client_address`): the audit trail and the sign-in lockout record the client, not
    the proxy. X-Forwarded-For from any other peer is ignored: a client could write
    anything there. With TRUSTED_PROXIES empty (the default) it is always ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded_for and trusted_networks():
            peer = request.META.get("REMOTE_ADDR", "")
            request.META["REMOTE_ADDR"] = client_address(peer, forwarded_for)
        return self.get_response(request)
