"""The address phones use to join: a configured base URL, else the projector's, else the LAN."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode, urlsplit

import psutil

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def origin_of(url: str) -> str:
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def is_local(url: str) -> bool:
    host = urlsplit(url or "").hostname or ""
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_addresses() -> list[str]:
    """IPv4 addresses of this machine's network interfaces, loopback excluded (no traffic)."""
    found = []
    for addresses in psutil.net_if_addrs().values():
        for addr in addresses:
            if getattr(addr.family, "name", "") != "AF_INET":
                continue
            try:
                ip = ipaddress.ip_address(addr.address)
            except ValueError:
                continue
            if not ip.is_loopback and not ip.is_link_local:
                found.append(str(ip))
    return sorted(set(found))


def lan_bases(projector_url: str) -> list[str]:
    parts = urlsplit(projector_url or "")
    port = f":{parts.port}" if parts.port else ""
    scheme = parts.scheme or "http"
    return [f"{scheme}://{ip}{port}" for ip in lan_addresses()]


def join_base(*, configured: str, chosen: str, projector_url: str, lan: list[str] | None = None) -> str:
    """Configured public base URL wins, then the facilitator's choice, then the projector's own
    address — unless phones could not reach it (``localhost``) and the machine has exactly one
    network address (``lan``, as ``lan_bases`` gives them): then that one."""
    for candidate in (configured, chosen):
        if candidate:
            return candidate.rstrip("/")
    if is_local(projector_url):
        bases = lan_bases(projector_url) if lan is None else lan
        if len(bases) == 1:
            return bases[0]
    return origin_of(projector_url)


def join_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/join?{urlencode({'code': code})}"
