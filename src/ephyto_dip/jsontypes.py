"""The type of JSON-ready data that results give out (``to_dict``, ``to_certex``, ``to_report``)."""

from __future__ import annotations

from typing import Union

JSON = Union[str, int, float, bool, None, list["JSON"], dict[str, "JSON"]]
JSONObject = dict[str, JSON]
