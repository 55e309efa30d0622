"""A small OpenID Connect provider for the tests, on loopback, shaped like a Keycloak realm.

It serves discovery, the JWKS, an authorization endpoint that signs in whoever the test
says (`provider.person = {...claims}`) and redirects back with a code, a token endpoint that
checks the client, the redirect URI and PKCE and issues RS256 ID tokens signed with a key
made for the test run, and userinfo. `provider.tamper` makes the next ID token wrong in one
way, to show the portal refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

REALM = "/realms/p1"
CLIENT_ID = "mdo-portal"
CLIENT_SECRET = "test-client-secret-long-enough-for-hs256"


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    def __init__(self):
        self.key = _new_key()
        self.kid = "test-" + secrets.token_hex(4)
        self.person: dict = {}
        self.tamper: str = ""
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # Addresses, for the portal's settings ---------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.base + REALM

    def settings(self) -> dict:
        """The portal's settings for this provider (as OIDC_OP_ISSUER would derive them)."""
        endpoints = f"{self.issuer}/protocol/openid-connect"
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{endpoints}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{endpoints}/token",
            "OIDC_OP_USER_ENDPOINT": f"{endpoints}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{endpoints}/certs",
            "OIDC_TIMEOUT": 5,
        }

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # Tokens ----------------------------------------------------------------------------------
    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **claims,
        }
        key, headers = self.key, {"kid": self.kid}
        tamper, self.tamper = self.tamper, ""
        if tamper == "other_key":
            key = _new_key()  # same kid, a key the JWKS does not have
        elif tamper == "audience":
            payload["aud"] = "some-other-client"
        elif tamper == "issuer":
            payload["iss"] = self.base + "/realms/elsewhere"
        elif tamper == "expired":
            payload["iat"], payload["exp"] = now - 600, now - 300
        elif tamper == "nonce":
            payload["nonce"] = "not-the-one-asked-for"
        if tamper == "hs256":  # the old trick: sign with the public key as an HMAC secret
            return jwt.encode(payload, CLIENT_SECRET, algorithm="HS256", headers=headers)
        return jwt.encode(payload, key, algorithm="RS256", headers=headers)

    # HTTP ------------------------------------------------------------------------------------
    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                provider.requests.append(("GET", url.path))
                path = url.path.removeprefix(REALM)
                if path == "/.well-known/openid-configuration":
                    endpoints = f"{provider.issuer}/protocol/openid-connect"
                    return self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{endpoints}/auth",
                            "token_endpoint": f"{endpoints}/token",
                            "userinfo_endpoint": f"{endpoints}/userinfo",
                            "jwks_uri": f"{endpoints}/certs",
                            "end_session_endpoint": f"{endpoints}/logout",
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "code_challenge_methods_supported": ["S256"],
                            "response_types_supported": ["code"],
                        }
                    )
                if path == "/protocol/openid-connect/certs":
                    return self._json(provider.jwks())
                if path == "/protocol/openid-connect/auth":
                    return self._authorize(query)
                if path == "/protocol/openid-connect/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = provider.tokens.get(token)
                    if claims is None:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(claims)
                return self._json({"error": "not_found"}, 404)

            def _authorize(self, query):
                problems = [
                    name
                    for name, ok in (
                        ("client_id", query.get("client_id") == CLIENT_ID),
                        ("response_type", query.get("response_type") == "code"),
                        ("scope", "openid" in query.get("scope", "").split()),
                        ("pkce", query.get("code_challenge_method") == "S256"),
                        ("nonce", bool(query.get("nonce"))),
                        ("state", bool(query.get("state"))),
                    )
                    if not ok
                ]
                if problems:
                    return self._json({"error": "invalid_request", "problems": problems}, 400)
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "claims": dict(provider.person),
                    "nonce": query["nonce"],
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query["code_challenge"],
                }
                back = urlencode({"code": code, "state": query["state"]})
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{back}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                url = urlsplit(self.path)
                provider.requests.append(("POST", url.path))
                if url.path.removeprefix(REALM) != "/protocol/openid-connect/token":
                    return self._json({"error": "not_found"}, 404)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if (form.get("client_id"), form.get("client_secret")) != (
                    CLIENT_ID,
                    CLIENT_SECRET,
                ):
                    return self._json({"error": "invalid_client"}, 401)
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None or form.get("grant_type") != "authorization_code":
                    return self._json({"error": "invalid_grant"}, 400)
                if form.get("redirect_uri") != grant["redirect_uri"]:
                    return self._json({"error": "invalid_grant", "why": "redirect_uri"}, 400)
                verifier = form.get("code_verifier", "")
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if challenge != grant["challenge"]:
                    return self._json({"error": "invalid_grant", "why": "pkce"}, 400)
                access = secrets.token_urlsafe(24)
                provider.tokens[access] = grant["claims"]
                return self._json(
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(grant["claims"], grant["nonce"]),
                    }
                )

        return Handler
