"""The Certificate of what the reader read, built without pydantic's validation.

The reader's dictionaries already have the model's shapes (plain strings, dictionaries,
lists): building pydantic's validators (~0.25 s at first use) and validating (~1 ms per
certificate) is what this saves. ``tests/test_trusted_model.py`` checks it equals the validated model.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from .model import Certificate
from .model_values import new_list

M = TypeVar("M", bound=BaseModel)


class _Untrusted(Exception):
    """The data is not in the reader's shapes: validate it instead."""


_PLANS: dict[type[BaseModel], _Plan] = {}
_STR, _MODEL, _MODEL_LIST = 0, 1, 2


class _Plan:
    """How to build one class from the reader's dictionaries, worked out once per class."""

    __slots__ = ("kinds", "lists", "models", "required", "strings", "template")

    def __init__(self, cls: type[BaseModel]) -> None:
        self.template: dict[str, object] = {}  # every field, in order: None until set
        self.kinds: dict[str, tuple[int, Any, bool]] = {}  # field -> (kind, model class, None allowed)
        self.lists: list[str] = []  # fields whose default is a new empty list
        self.models: list[tuple[str, Any]] = []  # (field, model class) whose default is an empty instance
        self.required: list[str] = []
        for name, info in cls.model_fields.items():
            ann = info.annotation
            optional = False
            if typing.get_origin(ann) in (typing.Union, types.UnionType):
                args = [a for a in typing.get_args(ann) if a is not type(None)]
                optional, ann = len(args) == 1, args[0] if len(args) == 1 else None
            if ann is str:
                kind, sub = _STR, None
            elif typing.get_origin(ann) is list and issubclass(typing.get_args(ann)[0], BaseModel):
                kind, sub = _MODEL_LIST, typing.get_args(ann)[0]
            elif isinstance(ann, type) and issubclass(ann, BaseModel):
                kind, sub = _MODEL, ann
            else:
                raise TypeError(f"{cls.__name__}.{name}: no trusted construction for {info.annotation}")
            if info.default_factory is new_list:
                self.lists.append(name)
            elif info.default_factory is not None and info.default_factory is sub:
                self.models.append((name, sub))
            elif info.is_required():
                self.required.append(name)
            elif info.default_factory is not None or info.default is not None:
                raise TypeError(f"{cls.__name__}.{name}: no trusted construction for its default")
            self.template[name] = None
            self.kinds[name] = (kind, sub, optional)
        # a value type: every field a string, only ``value`` required (the common case, made quick)
        self.strings = (
            all(k[0] == _STR for k in self.kinds.values()) and self.required == ["value"]
            and not self.lists and not self.models
            and all(k[2] for n, k in self.kinds.items() if n != "value")
        )


_EMPTY: dict[str, object] = {}
_set = object.__setattr__


def _instance(cls: type[M], values: dict[str, object], data: Mapping[str, object]) -> M:
    """An instance holding ``values``, set up as pydantic's own construction leaves one."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(data))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _construct(cls: type[M], data: Mapping[str, object]) -> M:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    values = plan.template.copy()
    if plan.strings:
        if "value" not in data:
            raise _Untrusted("value")
        for name, v in data.items():
            if name not in values or (type(v) is not str and not (v is None and name != "value")):
                raise _Untrusted(name)
        values.update(data)
        return _instance(cls, values, data)
    for name in plan.lists:
        values[name] = []
    kinds = plan.kinds
    for name, v in data.items():
        spec = kinds.get(name)
        if spec is None:
            raise _Untrusted(name)  # an extra field: validation reports it
        kind = spec[0]
        if v is None:
            if not spec[2]:
                raise _Untrusted(name)
            values[name] = None
        elif kind == _STR:
            if type(v) is not str:
                raise _Untrusted(name)
            values[name] = v
        elif kind == _MODEL:
            if type(v) is not dict:
                raise _Untrusted(name)
            values[name] = _construct(spec[1], v)
        else:
            if type(v) is not list:
                raise _Untrusted(name)
            sub = spec[1]
            items = []
            for item in v:
                if type(item) is not dict:
                    raise _Untrusted(name)
                items.append(_construct(sub, item))
            values[name] = items
    for name, sub in plan.models:
        if name not in data:
            values[name] = _construct(sub, _EMPTY)
    for name in plan.required:
        if name not in data:
            raise _Untrusted(name)
    return _instance(cls, values, data)


def certificate_from_reader(data: Mapping[str, object]) -> Certificate | None:
    """The Certificate of what the reader read, built without validation: the reader's
    dictionaries already have the model's shapes (plain strings, dictionaries, lists). Each
    shape is checked on the way; None if anything differs, and the caller validates instead.

    Equal to ``Certificate.model_validate(data)`` (and with the same fields set) whenever it
    is not None; building pydantic's validators (~0.25 s at first use) and validating
    (~1 ms per certificate) are what it saves.
    """
    try:
        return _construct(Certificate, data)
    except _Untrusted:
        return None
