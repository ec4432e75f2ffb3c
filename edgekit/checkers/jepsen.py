"""Readers for recorded histories: Jepsen's etcd logs and porcupine's key-value logs.

Neither format carries wall-clock times, so the position of a line in the file
is its time: what matters for linearizability is only which events came
before which. Jepsen's completion types mean:

* ``:ok``: the operation happened and returned this value;
* ``:fail``: it definitely did not take effect (a failed cas is a cas whose
  compare did not match, output ``False``; a failed read timed out, so its
  output is ``UNKNOWN``; a failed write is dropped);
* ``:info``: indeterminate, so it stays pending to the end (``ret=math.inf``,
  output ``UNKNOWN``). Invocations that never complete are treated the same.

A completion must match its invocation: the same operation and, when the
line carries it, the same argument (a write's value, a cas pair, a key).
Anything else is a damaged log, and the reader says which file and line
rather than guessing.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from .._checks import brief
from .history import UNKNOWN, Operation

__all__ = ["parse_jepsen_log", "parse_porcupine_kv"]

# Linear time on any line: every group stops where the next separator must begin (no
# ``.*?`` followed by optional space to backtrack over), and the value is the rest of the line.
_JEPSEN = re.compile(r"INFO\s+jepsen\.util\s+-\s+(\d{1,18})\s+:(invoke|ok|fail|info)\s+:(\w{1,64})(?:\s+(.*))?")
_KV = re.compile(
    r'\{:process (\d{1,18}), :type :(invoke|ok|fail|info), :f :(\w{1,64}), :key "([^"]*)", :value (nil|"[^"]*")\}'
)


def _scalar(text: str, where: str):
    """An EDN scalar: nil, an integer, a string, a keyword (kept as ':name'), or a [a b] pair."""
    text = text.strip()
    if text == "nil":
        return None
    if text.startswith("[") and text.endswith("]"):
        parts = text[1:-1].split()
        if len(parts) != 2:
            raise ValueError(f"{where}: value {brief(text)}: expected a pair like [1 2]")
        return (_scalar(parts[0], where), _scalar(parts[1], where))
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1]
    if text.startswith(":"):
        return text
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{where}: value {brief(text)}: expected nil, an integer, a string or [a b]") from None


def _read_lines(path) -> list[str]:
    if isinstance(path, bool) or not isinstance(path, (str, Path)):
        raise TypeError(f"path={brief(path)}: expected a file path (a str or pathlib.Path)")
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"path={brief(str(path))}: no such file")
    try:
        return p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise ValueError(f"path={brief(str(path))}: not UTF-8 text ({err.reason} at byte {err.start}); "
                         "expected a text log") from None


def _invoked(pending: dict, client: int, f: str, where: str, arg=None) -> tuple[float, tuple]:
    """The (call time, input) of ``client``'s open invocation, which this line completes: the
    same operation ``f`` and, when ``arg`` is given, the same argument."""
    if client not in pending:
        raise ValueError(f"{where}: process {client} completes an operation it never invoked")
    call, inp = pending[client]
    if inp[0] != f:
        raise ValueError(f"{where}: process {client} completes :{f} but invoked :{inp[0]}; "
                         "expected the completion of the operation it invoked")
    if arg is not None and arg != inp[1]:
        raise ValueError(f"{where}: process {client} completes :{f} {brief(arg)} but invoked :{f} "
                         f"{brief(inp[1])}; expected the same argument")
    del pending[client]
    return call, inp


def _close_pending(pending: dict, ops: list) -> list[Operation]:
    for client, (call, inp) in pending.items():
        ops.append(Operation(client, call, math.inf, inp, UNKNOWN))
    return ops


def parse_jepsen_log(path) -> list[Operation]:
    """A Jepsen register log (read / write / cas) as a history for model ``'cas-register'``."""
    pending: dict[int, tuple[float, tuple]] = {}
    ops: list[Operation] = []
    for t, line in enumerate(_read_lines(path)):
        if not line.strip():
            continue
        where = f"{path}, line {t + 1}"
        m = _JEPSEN.fullmatch(line.strip())
        if not m:
            raise ValueError(f"{where}: {brief(line)}: expected 'INFO  jepsen.util - P<TAB>:type<TAB>:f<TAB>value'")
        client, kind, f, text = int(m.group(1)), m.group(2), m.group(3), (m.group(4) or "").strip()
        if f not in ("read", "write", "cas"):
            raise ValueError(f"{where}: operation :{f}: expected :read, :write or :cas")
        if kind == "invoke":
            if client in pending:
                raise ValueError(f"{where}: process {client} invokes again before its last operation completed")
            arg = None if f == "read" else _scalar(text, where)
            if f == "cas" and not isinstance(arg, tuple):
                raise ValueError(f"{where}: cas value {brief(text)}: expected [FROM TO]")
            pending[client] = (float(t), (f, arg))
            continue
        # A write's or cas's completion repeats its argument, unless it says why (:timed-out).
        echoed = _scalar(text, where) if f != "read" and text and not text.startswith(":") else None
        call, inp = _invoked(pending, client, f, where, echoed)
        if kind == "info":
            ops.append(Operation(client, call, math.inf, inp, UNKNOWN))
        elif kind == "ok":
            out = _scalar(text, where) if f == "read" else (True if f == "cas" else None)
            ops.append(Operation(client, call, float(t), inp, out))
        elif f != "write":  # fail: did not take effect; a failed read timed out, a failed cas did not match
            ops.append(Operation(client, call, float(t), inp, UNKNOWN if f == "read" else False))
    return _close_pending(pending, ops)


def parse_porcupine_kv(path) -> list[Operation]:
    """A porcupine key-value log (get / put / append) as a history for model ``'kv'``."""
    pending: dict[int, tuple[float, tuple]] = {}
    ops: list[Operation] = []
    for t, line in enumerate(_read_lines(path)):
        if not line.strip():
            continue
        where = f"{path}, line {t + 1}"
        m = _KV.fullmatch(line.strip())
        if not m:
            raise ValueError(f"{where}: {brief(line)}: expected '{{:process P, :type :T, :f :F, :key \"K\", :value V}}'")
        client, kind, f, key, text = int(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)
        if f not in ("get", "put", "append"):
            raise ValueError(f"{where}: operation :{f}: expected :get, :put or :append")
        value = None if text == "nil" else text[1:-1]
        if kind == "invoke":
            if client in pending:
                raise ValueError(f"{where}: process {client} invokes again before its last operation completed")
            pending[client] = (float(t), ("get", key) if f == "get" else (f, (key, value or "")))
            continue
        # The completion names the key again (and a put or append its value): they must match.
        call, inp = _invoked(pending, client, f, where, key if f == "get" else None)
        if f != "get" and (inp[1][0] != key or (kind != "info" and inp[1][1] != (value or ""))):
            raise ValueError(f"{where}: process {client} completes :{f} {brief(key)} {brief(value)} but invoked "
                             f":{f} {brief(inp[1][0])} {brief(inp[1][1])}; expected the same key and value")
        if kind == "ok":
            ops.append(Operation(client, call, float(t), inp, value if f == "get" else None))
        elif kind == "info":
            ops.append(Operation(client, call, math.inf, inp, UNKNOWN))
        # fail: no effect, so the operation is dropped
    return _close_pending(pending, ops)
