"""The HTTP face of one live process (aiohttp): clients, children, peers, and the operator.

==========================  ======================================================================
route                       what it does
==========================  ======================================================================
``GET /kv/{key}``           a client read at this PoP: 200 with the value, 404 a miss, 503 a failure
``PUT /kv/{key}``           a client write, body ``{"value": <int>}``: 200 once acknowledged,
                            503 if not (``outcome.maybe``: it may still have been stored)
``POST /kv/{key}``          the same write, for clients that retry a PUT on their own (below)
``POST /sync``              a child's ``SyncRequest``; the answer is the ``SyncResponse`` (504: none)
``POST /msg``               an in-site message ``{"dst", "msg"}`` for a node of this process (202)
``GET /health``             who this is: node, tier, boot, config
``GET /metrics``            keys held, dirty keys, syncs (epochs), busy nodes, bytes in and out
``GET /admin/state``        every local replica's states (what the checkers read at the end)
``POST /admin/sync``        ``{"node": id}``: that replica syncs now; answers when it completed
==========================  ======================================================================

Every answer is JSON. ``/kv`` answers carry the ``Outcome`` (``edgekit.edge.messages``),
which is what a client records in its history. Every request, ``/health`` included,
must carry the process's token when it has one (401 without, 403 when wrong). An
error in the server's own code is a 500 with a message and a line in the log,
never a dead process.

Why a write may also be a POST: HTTP calls PUT idempotent (RFC 9110), so a client
library may resend a PUT whose connection broke (aiohttp does). A counter's write
is not idempotent: the first copy may have been applied before the process died,
and the resent one, refused, would make the client record a failure for a write
that happened. ``edgekit.live``'s own clients write with POST, which nobody resends.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from aiohttp import web

from edgekit.edge.codec import check_str
from edgekit.edge.messages import Outcome, SyncRequest, decode

from .._checks import brief
from .wire import (
    NODE_HEADER,
    TYPE_HEADER,
    BadRequest,
    Limits,
    check_key,
    dumps,
    parse_json,
    plain,
    token_ok,
    write_arg,
)

__all__ = ["make_app"]

log = logging.getLogger("edgekit.live")
_BODY_TYPES = ("application/json", "application/octet-stream", "application/x-www-form-urlencoded")


def _json(d, status: int = 200) -> web.Response:
    return web.Response(body=dumps(d), status=status, content_type="application/json")


def _error(message: str, status: int) -> web.Response:
    return _json({"error": message, "status": status}, status)


async def _body(request: web.Request, limit: int):
    """The request's JSON body, at most ``limit`` bytes (curl's default form type is accepted)."""
    if request.content_type not in _BODY_TYPES:
        raise BadRequest(f"Content-Type {brief(request.content_type)}: expected application/json", 415)
    if request.content_length is not None and request.content_length > limit:
        raise BadRequest(f"body of {request.content_length} bytes: at most {limit} here", 413)
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise BadRequest(f"body of more than {limit} bytes: at most {limit} here", 413)
    request["bytes_in"] = len(raw)
    return parse_json(raw, "body")


def _sender(request: web.Request) -> str:
    try:
        return check_str(NODE_HEADER, request.headers.get(NODE_HEADER))
    except ValueError as e:
        raise BadRequest(f"{e} (the sending node's id, e.g. LHR/r0)") from None


def make_app(host, *, token: str | None = None, limits: Limits | None = None) -> web.Application:
    """The aiohttp application of ``host`` (an ``edgekit.live.host.Host`` whose nodes are added)."""
    limits = limits or Limits()
    config, vt = host.config, host.config.value_type
    op_timeout_s = 3 * config.miss_timeout_ms / 1000.0 + 2.0  # a front end always answers sooner
    sync_hold_s = 2 * config.miss_timeout_ms / 1000.0 + config.gather_ms / 1000.0 + 1.0

    @web.middleware
    async def guard(request, handler):
        if not token_ok(token, request.headers.get("Authorization")):
            status = 401 if "Authorization" not in request.headers else 403
            host.stats[f"http_{status}"] += 1
            return _error("missing or wrong token: send 'Authorization: Bearer <token>' (the planet's "
                          "shared token, given with --token)", status)
        try:
            resp = await handler(request)
        except BadRequest as e:
            resp = _error(str(e), e.status)
        except web.HTTPException as e:  # aiohttp's own: unknown route, wrong method
            resp = _error(f"{request.method} {request.path}: {e.reason}", e.status)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception:  # noqa: BLE001 - a bug here must be a 500, never a dead process
            log.exception("%s %s", request.method, request.path)
            resp = _error("internal error (see the process's log)", 500)
        host.stats["bytes_in"] += request.get("bytes_in", 0)
        host.stats["bytes_out"] += len(resp.body or b"")
        if resp.status >= 400:
            host.stats[f"http_{resp.status}"] += 1
        return resp

    async def health(request):
        return _json({"ok": True, "node": host.cluster, "tier": host.tier, "boot": host.boot,
                      "upstream": host.upstream, "config": dataclasses.asdict(config)})

    async def metrics(request):
        return _json(host.metrics())

    async def kv(request):
        key = check_key(request.match_info["key"])
        if host.front is None or not hasattr(host.front.node, "read"):
            raise BadRequest(f"{host.cluster} is a {host.tier}: clients read and write at a site", 404)
        if request.method in ("PUT", "POST"):
            kind, arg = "write", write_arg(await _body(request, limits.kv_bytes))
        else:
            kind, arg = "read", None
        out = await host.client_op(kind, key, arg, op_timeout_s)
        if out is None:
            out = Outcome(False, None, None, None, maybe=kind == "write")
        found = out.state is not None
        body = {"key": key, "ok": out.ok, "found": found, "value": plain(out.value), "outcome": out.to_json()}
        return _json(body, 200 if out.ok and (found or kind == "write") else 404 if out.ok else 503)

    async def sync(request):
        child = _sender(request)
        if request.headers.get(TYPE_HEADER, vt) != vt:
            raise BadRequest(f"{TYPE_HEADER}: {brief(request.headers[TYPE_HEADER])}, but {host.cluster} stores "
                             f"{brief(vt)}: every node of a planet must use the same value type", 409)
        req = _decode(await _body(request, limits.sync_bytes), SyncRequest)
        if host.tier == "site":
            raise BadRequest(f"{host.cluster} is a site: it has no children to serve syncs for", 404)
        try:
            resp = await host.serve_sync(child, req, sync_hold_s)
        except OverflowError as e:
            raise BadRequest(f"{e}; ask again next epoch", 503) from None
        if resp is None:
            return _error(f"{host.cluster} did not answer sync {req.sync_id} in time; ask again", 504)
        return _json(resp.to_json())

    async def msg(request):
        src = _sender(request)
        body = await _body(request, limits.sync_bytes)
        if not isinstance(body, dict) or set(body) != {"dst", "msg"}:
            raise BadRequest('body: expected {"dst": <node id>, "msg": <message>}')
        dst = body["dst"]
        if not isinstance(dst, str) or dst not in host.contexts:  # a list or an object is not hashable
            raise BadRequest(f"dst={brief(dst)}: not a node of this process; expected one of {list(host.contexts)}", 404)
        m = _decode(body["msg"], None)
        if type(m) is SyncRequest:
            raise BadRequest("msg: a SyncRequest goes to POST /sync")
        host.loop.call_soon(host.deliver, src, dst, m)
        return _json({"accepted": True}, 202)

    def _decode(d, cls):
        try:
            return cls.from_json(d, vt) if cls is not None else decode(d, vt)
        except (ValueError, TypeError) as e:
            raise BadRequest(f"{str(e)[:300]}") from None

    async def state(request):
        return _json(host.states())

    async def admin_sync(request):
        body = await _body(request, limits.kv_bytes)
        node = body.get("node") if isinstance(body, dict) else None
        ctx = host.contexts.get(node) if isinstance(node, str) else None
        if ctx is None or not hasattr(ctx.node, "sync"):
            raise BadRequest(f"node={node!r:.80}: expected a replica of this process "
                             f"{[i for i, c in host.contexts.items() if hasattr(c.node, 'sync')]}", 404)
        before = ctx.node.syncs_completed
        sid = host.call(ctx, ctx.node.sync)
        done = sid is None
        for _ in range(int(sync_hold_s / 0.005) + 400):
            if done:
                break
            await asyncio.sleep(0.005)
            done = ctx.node.syncs_completed > before
        return _json({"node": node, "sent": sid is not None, "completed": done})

    app = web.Application(middlewares=[guard])
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    app.router.add_route("GET", "/kv/{key:.+}", kv)
    app.router.add_route("PUT", "/kv/{key:.+}", kv)
    app.router.add_route("POST", "/kv/{key:.+}", kv)
    app.router.add_post("/sync", sync)
    app.router.add_post("/msg", msg)
    app.router.add_get("/admin/state", state)
    app.router.add_post("/admin/sync", admin_sync)
    return app
