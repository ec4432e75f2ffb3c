"""What travels between live processes and clients: JSON bodies, headers, limits, tokens.

Every request body is JSON and nothing else (no forms, no pickles), read up to a
size limit, parsed without ``NaN``/``Infinity`` and checked field by field before
it can reach a node: a bad request gets a 4xx whose JSON body says what is wrong
(``{"error": "..."}``) and changes nothing.

=====================  =======================================================================
header                 meaning
=====================  =======================================================================
``Authorization``      ``Bearer <token>``: required on every request when the process has a token
``Edgekit-Node``       the sending node's id on ``POST /sync`` and ``POST /msg`` (``LHR/r1``)
``Edgekit-Value-Type`` the sender's value type: a cluster that stores another type says so (409)
=====================  =======================================================================

>>> parse_json(b'{"value": 7}', "body")
{'value': 7}
>>> write_arg({"value": True})
Traceback (most recent call last):
...
edgekit.live.wire.BadRequest: body.value=True: expected an integer (the write's argument; see edgekit.edge.values)
>>> is_loopback("127.0.0.1"), is_loopback("0.0.0.0"), is_loopback("localhost")
(True, False, True)
"""

from __future__ import annotations

import hmac
import ipaddress
import json

from .._checks import brief

__all__ = ["BadRequest", "Limits", "parse_json", "dumps", "write_arg", "check_key", "token_ok", "is_loopback",
           "plain", "NODE_HEADER", "TYPE_HEADER", "MAX_ARG", "MIN_TOKEN_CHARS"]

NODE_HEADER = "Edgekit-Node"
TYPE_HEADER = "Edgekit-Value-Type"
MAX_ARG = 2**53  # a write's argument: an integer JSON carries exactly
MIN_TOKEN_CHARS = 16
MAX_KEY_CHARS = 256


class BadRequest(ValueError):
    """A request refused with ``status`` (a 4xx) and a message that says why: bad input, so a ValueError."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Limits:
    """Body sizes in bytes: a client's ``/kv`` request, and a sync or in-site message."""

    def __init__(self, kv_bytes: int = 16_384, sync_bytes: int = 8 * 2**20) -> None:
        for name, v in (("kv_bytes", kv_bytes), ("sync_bytes", sync_bytes)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 64:
                raise ValueError(f"{name}={brief(v)}: expected an integer >= 64 (bytes)")
        self.kv_bytes, self.sync_bytes = kv_bytes, sync_bytes


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes, where: str):
    """The JSON value in ``raw``, or ``BadRequest`` naming ``where``."""
    if not isinstance(raw, (bytes, bytearray, str)):
        raise TypeError(f"{where}={brief(raw)}: expected the request's bytes")
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        raise BadRequest(f"{where}: not valid JSON ({str(e)[:120]})") from None


def dumps(d) -> bytes:
    return json.dumps(d, separators=(",", ":")).encode()


def write_arg(body) -> int:
    """The argument of a client write from its body ``{"value": <integer>}``."""
    if not isinstance(body, dict) or set(body) != {"value"}:
        got = sorted(body) if isinstance(body, dict) else type(body).__name__
        raise BadRequest(f"body={got}: expected an object with exactly one field, value "
                         '(e.g. {"value": 7})')
    v = body["value"]
    if isinstance(v, bool) or not isinstance(v, int):
        raise BadRequest(f"body.value={brief(v)}: expected an integer (the write's argument; see edgekit.edge.values)")
    if not -MAX_ARG < v < MAX_ARG:
        raise BadRequest(f"body.value={v}: expected an integer between -2**53 and 2**53")
    return v


def check_key(key) -> str:
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_CHARS or not key.isprintable():
        raise BadRequest(f"key={brief(key)}: expected 1 to {MAX_KEY_CHARS} printable characters")
    return key


def token_ok(expected: str | None, header: str | None) -> bool:
    """Whether an ``Authorization`` header carries ``expected`` (always, without a token)."""
    if expected is not None and not isinstance(expected, str):
        raise TypeError(f"expected={brief(expected)}: expected the token (a str) or None")
    if header is not None and not isinstance(header, str):
        raise TypeError(f"header={brief(header)}: expected the Authorization header (a str) or None")
    if not expected:
        return True
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[7:].strip().encode(), expected.encode())


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps a server on this machine only."""
    if not isinstance(host, str):
        raise TypeError(f"host={brief(host)}: expected a host name or address string")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name that resolves elsewhere: treat as reachable


def plain(value):
    """A CRDT's user-visible value as JSON (sets become sorted lists)."""
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return sorted(value, key=repr)
    return value
