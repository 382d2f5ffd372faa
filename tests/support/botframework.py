"""A fake Bot Framework identity service on loopback, and tokens signed like the real one.

`FakeIdentity` serves the OpenID metadata and the key set (JWKS) that bot/auth.py fetches, with
test RSA keys made with `cryptography`; `token()` signs a Connector-to-bot token with one of
them. Faults on demand: `hang` (the key endpoint never answers), `fail` (500), and keys that
are signed with but not (yet) published, or published without the msteams endorsement.

    identity = FakeIdentity()
    server = await identity.serve()              # identity.metadata_url → Settings
    header = identity.header(app_id, service_url)  # "Bearer eyJ…"
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeIdentity:
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: dict[str, list[str]] = field(default_factory=dict)  # kid → endorsements
    hang: bool = False
    fail: bool = False
    metadata_fetches: int = 0
    url: str = ""

    def __post_init__(self) -> None:
        if not self.keys:
            self.add_key("k1")

    def add_key(self, kid: str, *, endorsements: tuple[str, ...] = ("msteams",), publish: bool = True) -> None:
        self.keys[kid] = _new_key()
        if publish:
            self.published[kid] = list(endorsements)

    @property
    def metadata_url(self) -> str:
        return self.url + "v1/.well-known/openidconfiguration"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._jwks)
        return app

    async def serve(self) -> TestServer:
        server = TestServer(self.app(), host="127.0.0.1")
        await server.start_server()
        self.url = str(server.make_url("/"))
        return server

    async def _fault(self) -> web.Response | None:
        if self.hang:
            await asyncio.sleep(3600)
        if self.fail:
            return web.json_response({"error": "unavailable"}, status=500)
        return None

    async def _metadata(self, _: web.Request) -> web.Response:
        self.metadata_fetches += 1
        fault = await self._fault()
        if fault is not None:
            return fault
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": self.url + "v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _jwks(self, _: web.Request) -> web.Response:
        fault = await self._fault()
        if fault is not None:
            return fault
        keys = []
        for kid, endorsements in self.published.items():
            jwk = RSAAlgorithm.to_jwk(self.keys[kid].public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig", "endorsements": endorsements})
        return web.json_response({"keys": keys})

    def token(
        self,
        app_id: str,
        service_url: str | None,
        *,
        kid: str = "k1",
        issuer: str = ISSUER,
        audience: str | None = None,
        expires_in: int = 3600,
        alg: str = "RS256",
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience or app_id,
            "nbf": now - 10,
            "iat": now - 10,
            "exp": now + expires_in,
            **extra,
        }
        if service_url is not None:
            claims["serviceurl"] = service_url
        return jwt.encode(claims, self.keys[kid], algorithm=alg, headers={"kid": kid})

    def header(self, app_id: str, service_url: str | None, **kw: Any) -> str:
        return "Bearer " + self.token(app_id, service_url, **kw)
