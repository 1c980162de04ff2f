"""Client addresses for rate limits: X-Forwarded-For counts only when a trusted proxy sent it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request

from vote.settings import Settings
from vote.web import client_ip


def _request(peer: str, forwarded: str) -> Request[Any, Any, Any]:
    scope: Any = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "client": (peer, 40000),
        "headers": [(b"x-forwarded-for", forwarded.encode())],
        "query_string": b"",
    }
    return Request(scope)


def _settings(*trusted: str) -> Settings:
    return Settings(
        database_url="sqlite://", base_url="http://t", data_dir=Path("."), trusted_proxies=trusted
    )


def test_forwarded_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_ip(_request("203.0.113.9", "1.2.3.4"), _settings()) == "203.0.113.9"


def test_forwarded_header_from_a_trusted_proxy_network_is_believed() -> None:
    request = _request("10.0.0.5", "1.2.3.4, 10.0.0.6")
    assert client_ip(request, _settings("10.0.0.0/8")) == "1.2.3.4"


def test_a_spoofed_first_hop_does_not_win() -> None:
    """A client can prepend anything; only the hop the trusted proxy added counts."""
    request = _request("10.0.0.5", "9.9.9.9, 1.2.3.4")
    assert client_ip(request, _settings("10.0.0.5")) == "1.2.3.4"
