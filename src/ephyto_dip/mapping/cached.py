"""A cached property without a lock, for the values a path works out once (its selectors).

``functools.cached_property`` of Python 3.11 takes a lock at every first access: with a
few thousand of them while the table is compiled, that was ~7 % of ``import ephyto_dip``.
The values it caches here are pure functions of an immutable object (a ``Path``, a ``Step``),
so two threads that both compute one at once get equal values and either may be kept:
nothing needs the lock. Like ``cached_property`` (a non-data descriptor), the value is
stored in the instance's ``__dict__``, where later reads find it without calling this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class cached_value(Generic[T]):  # (lower case, like the cached_property it stands in for)
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_value[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached_value[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)  # (read from there from now on)
        return value
