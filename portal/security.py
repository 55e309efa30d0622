"""Response headers a security review asks for, and the client's address behind a proxy.

The Content Security Policy allows scripts, styles, fonts and images from this origin only:
no inline script, no `eval`, no inline `style` attributes. The templates load htmx and our
JavaScript from `static/`, and htmx is configured in `base.html` not to inject its indicator
styles or evaluate code, so nothing needs an exception. Settings (portal/settings.py):
CSP_EXTRA_FORM_ACTION (origins that a form's redirect may go to), CSP_REPORT_URI,
PERMISSIONS_POLICY. With SSO on, the provider's end-session origin is allowed as a form's
target: signing out (a form) is redirected there (RP-initiated logout, portal/sso.py).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


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


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy and Permissions-Policy to every response.

    Django's SecurityMiddleware already sends HSTS, nosniff, Referrer-Policy and
    Cross-Origin-Opener-Policy; XFrameOptionsMiddleware sends X-Frame-Options.
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
        return response


class TrustedProxyMiddleware:
    """Behind TRUSTED_PROXY_HOPS reverse proxies, the client's address is the one the
    outermost trusted proxy saw: that many entries from the right of X-Forwarded-For.

    Without it, the audit trail would record the proxy's address for every action. With
    TRUSTED_PROXY_HOPS=0 (the default) the header is ignored: a client could write anything
    there.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.hops = settings.TRUSTED_PROXY_HOPS

    def __call__(self, request):
        if self.hops:
            chain = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(chain) >= self.hops:
                request.META["REMOTE_ADDR"] = chain[-self.hops]
        return self.get_response(request)
