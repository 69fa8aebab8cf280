"""The type of JSON-ready data that results give out (``to_dict``, ``to_certex``, ``to_report``)."""

from __future__ import annotations

from typing import TypeAlias

JSON: TypeAlias = str | int | float | bool | list["JSON"] | dict[str, "JSON"] | None
JSONObject: TypeAlias = dict[str, JSON]
