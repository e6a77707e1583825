"""Where webhooks may go (SSRF guard): a receiver's host is resolved, and every address it resolves
to must be publicly routable, unless an explicit allow-list entry (``EHC_NOTIFY_ALLOWLIST``) names it
for an on-premise receiver. Cloud metadata addresses are refused even then.

Refused by default: loopback, private (RFC 1918, unique-local), link-local (so 169.254.169.254), the
unspecified address (0.0.0.0, ::), shared/carrier-grade NAT (so Alibaba Cloud's metadata address
100.100.100.200), multicast, reserved and documentation ranges - anything ``ipaddress`` does not call
global - and IPv4 addresses embedded in IPv6 (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, Teredo, NAT64
``64:ff9b::/96``) are judged by their IPv4 address. Numeric forms a resolver accepts (``2130706433``,
``0x7f.1``) are judged by the address they resolve to, since that is what is checked.

``PinnedBackend`` is the httpcore network backend the webhook sender connects through: it resolves
the host, checks every address and connects to a checked address itself, so no later DNS answer
(rebinding) can send the request elsewhere; TLS (SNI, certificate) and ``Host`` keep the URL's name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpcore

from core.errors import InvalidInput

__all__ = ["METADATA_ADDRESSES", "EgressPolicy", "EgressRefused", "PinnedBackend"]

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata services: never a webhook receiver, whatever the allow-list says.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Tencent Cloud, Huawei Cloud
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS IPv6
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class EgressRefused(InvalidInput):
    """A webhook URL whose host is, or resolves to, an address deliveries may not go to."""

    code = "url_not_allowed"


class _Unresolved(EgressRefused):
    """The host does not resolve (now): nothing to connect to."""


@dataclass(frozen=True, slots=True)
class _Entry:
    network: Network | None  # an address or CIDR ...
    host: str | None  # ... or a host name, exactly as in the URL
    port: int | None  # None: any port


def _parse_entry(text: str) -> _Entry:
    """``10.1.0.0/16``, ``10.1.2.3``, ``10.1.2.3:8443``, ``[fd00::1]:443``, ``fd00::/8``,
    ``his.internal:8443`` or ``his.internal``."""
    item = text.strip()
    port: int | None = None
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ValueError(f"allow-list entry {text!r}: expected [ipv6]:port")
            port = int(rest[1:])
        item = host
    elif item.count(":") == 1:
        item, _, port_text = item.partition(":")
        if not port_text.isdigit():
            raise ValueError(f"allow-list entry {text!r}: the port must be a number")
        port = int(port_text)
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"allow-list entry {text!r}: port out of range")
    try:
        return _Entry(ipaddress.ip_network(item, strict=False), None, port)
    except ValueError:
        pass
    if not item or "/" in item or any(c.isspace() for c in item):
        raise ValueError(f"allow-list entry {text!r} is neither an address, a CIDR nor a host name")
    return _Entry(None, item.lower().rstrip("."), port)


def _embedded_v4(ip: IP) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _blocked_reason(ip: IP) -> str | None:
    """Why ``ip`` is not a public address (None when it is)."""
    inner = _embedded_v4(ip)
    if inner is not None:
        reason = _blocked_reason(inner)
        return None if reason is None else f"{reason} (embedded in {ip})"
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for test, name in (
        (ip.is_unspecified, "an unspecified"),
        (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"),
        (ip.is_multicast, "a multicast"),
        (ip.is_private, "a private"),
        (ip.is_reserved, "a reserved"),
    ):
        if test:
            return f"{name} address"
    return None if ip.is_global else "not a public address"


class EgressPolicy:
    """Which hosts and ports webhooks may be delivered to (see the module docstring)."""

    def __init__(self, allowlist: Iterable[str] = ()) -> None:
        self.entries = tuple(_parse_entry(item) for item in allowlist if item.strip())

    def _allowed(self, host: str, ip: IP, port: int) -> bool:
        name = host.lower().rstrip(".")
        for entry in self.entries:
            if entry.port is not None and entry.port != port:
                continue
            if entry.host is not None and entry.host == name:
                return True
            if entry.network is not None and ip.version == entry.network.version and ip in entry.network:
                return True
        return False

    def check(self, host: str, port: int, addresses: Sequence[str]) -> list[str]:
        """The addresses, if every one may be connected to; else ``EgressRefused`` naming the first
        refused one. ``host`` is the URL's host (for host-name allow-list entries)."""
        if not addresses:
            raise EgressRefused(f"url: {host} resolves to no address", field="url")
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if (_embedded_v4(ip) or ip) in METADATA_ADDRESSES:
                raise EgressRefused(
                    f"url: {host} is or resolves to {ip}, a cloud metadata address; webhooks never go there",
                    field="url",
                )
            reason = _blocked_reason(ip)
            if reason is not None and not self._allowed(host, ip, port):
                target = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
                named = target if host == str(ip) else f"{target} or {host}:{port}"
                what = host if host == str(ip) else f"{host} resolves to {ip}, which"
                raise EgressRefused(
                    f"url: {what} is {reason}; webhooks go to public addresses only unless "
                    f"EHC_NOTIFY_ALLOWLIST names {named}",
                    field="url",
                )
        return list(addresses)

    def resolve(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` (an address literal resolves to itself) and check every address."""
        literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            infos = socket.getaddrinfo(literal, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise _Unresolved(f"url: {host} does not resolve ({exc})", field="url") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        return self.check(literal, port, addresses)

    def check_url_host(self, host: str, port: int) -> None:
        """At subscription time: refuse a host that is, or now resolves to, a refused address. A name
        that does not resolve (yet) is accepted; every delivery resolves and checks it again."""
        try:
            self.resolve(host, port)
        except _Unresolved:
            return


class PinnedBackend(httpcore.SyncBackend):
    """Connects only to addresses the policy allows, resolving and checking at connect time."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception = httpcore.ConnectError(f"{host}: no address")
        for address in self.policy.resolve(host, port):  # all checked: connect to them, never to the name
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error
