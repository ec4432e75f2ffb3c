"""Checked JSON for the edge system's messages: each field has a kind that says how it is written
and read back.

Decoding is a trust boundary (a message off the wire, a recorded history): every
field is checked (ids are integers in [0, 2**63), keys non-empty strings of at most
1024 characters, flags booleans), a message has exactly its fields, entries are at
most ``MAX_ENTRIES``, and every CRDT state goes through its value type's own
``from_json`` (which checks the type's invariants). Errors are ``ValueError``s that
name the message and the field.
"""

from __future__ import annotations

from dataclasses import MISSING, fields

from .._checks import brief
from .values import VALUE_TYPES, ValueType

__all__ = ["Message", "MAX_ENTRIES", "as_value_type", "decode_state", "state_json", "check_bool", "check_str"]

MAX_ENTRIES = 100_000  # entries one message may carry (a sync of a whole hub fits; a flood does not)
_MAX_ID = 2**63


def as_value_type(value_type):
    """A ``ValueType`` from itself or its name in ``VALUE_TYPES`` (ValueError naming it otherwise)."""
    if isinstance(value_type, ValueType):
        return value_type
    if not isinstance(value_type, str) or value_type not in VALUE_TYPES:
        raise ValueError(f"value_type={brief(value_type)}: expected one of {tuple(VALUE_TYPES)}")
    return VALUE_TYPES[value_type]


# -- field kinds: how each is written and checked ------------------------------------------------


def state_json(v):
    return None if v is None else v.to_json()


def _entries_json(entries: dict) -> dict:
    return {k: (None if v is None else v.to_json()) for k, v in entries.items()}


def _check_id(where, v):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < _MAX_ID:
        raise ValueError(f"{where}={brief(v)}: expected an integer id in [0, 2**63)")
    return v


def check_str(where, v):
    if not isinstance(v, str) or not 0 < len(v) <= 1024:
        raise ValueError(f"{where}={brief(v)}: expected a non-empty string of at most 1024 characters")
    return v


def check_bool(where, v):
    if not isinstance(v, bool):
        raise ValueError(f"{where}={brief(v)}: expected true or false")
    return v


def decode_state(where, v, vt, optional=True):
    if v is None:
        if optional:
            return None
        raise ValueError(f"{where}=None: expected a {vt.cls.__name__} state")
    try:
        return vt.cls.from_json(v)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as e:
        raise ValueError(f"{where}: not a valid {vt.cls.__name__} state ({e})") from None


def _decode_entries(where, d, vt):
    if not isinstance(d, dict):
        raise ValueError(f"{where}={d!r:.80}: expected an object key -> state or null")
    if len(d) > MAX_ENTRIES:
        raise ValueError(f"{where}: {len(d)} entries; expected at most {MAX_ENTRIES}")
    return {check_str(f"{where} key", k): decode_state(f"{where}[{k!r}]", v, vt) for k, v in d.items()}


def _decode_keys(where, v):
    if not isinstance(v, list) or len(v) > MAX_ENTRIES:
        raise ValueError(f"{where}={v!r:.80}: expected a list of at most {MAX_ENTRIES} keys")
    return tuple(check_str(f"{where} item", k) for k in v)


# kind -> (to JSON, from JSON given where and the value type)
_KINDS = {
    "id": (lambda v: v, lambda w, v, vt: _check_id(w, v)),
    "str": (lambda v: v, lambda w, v, vt: check_str(w, v)),
    "bool": (lambda v: v, lambda w, v, vt: check_bool(w, v)),
    "state": (state_json, lambda w, v, vt: decode_state(w, v, vt)),
    "value": (state_json, lambda w, v, vt: decode_state(w, v, vt, optional=False)),
    "entries": (_entries_json, _decode_entries),
    "keys": (list, lambda w, v, vt: _decode_keys(w, v)),
}


class Message:
    """JSON for a message dataclass whose ``KINDS`` name each field's kind (see ``_KINDS``)."""

    __slots__ = ()
    KINDS: dict = {}

    def to_json(self) -> dict:
        out = {"type": type(self).__name__}
        for name, kind in self.KINDS.items():
            out[name] = _KINDS[kind][0](getattr(self, name))
        return out

    @classmethod
    def from_json(cls, d, value_type):
        """The message ``to_json`` produced, every field checked (ValueError naming it)."""
        name = cls.__name__
        if not isinstance(d, dict) or d.get("type") != name:
            got = d.get("type") if isinstance(d, dict) else type(d).__name__
            raise ValueError(f"json type={brief(got)}: expected a {name} object")
        vt = as_value_type(value_type)
        known = cls.KINDS
        for k in d:
            if k != "type" and k not in known:
                raise ValueError(f"{name}: unknown field {brief(k)}; expected {', '.join(known)}")
        defaults = {f.name for f in fields(cls) if f.default is not MISSING}
        args = {}
        for field_name, kind in known.items():
            if field_name not in d:
                if field_name in defaults:
                    continue
                raise ValueError(f"{name}: missing field {brief(field_name)}")
            args[field_name] = _KINDS[kind][1](f"{name}.{field_name}", d[field_name], vt)
        return cls(**args)
