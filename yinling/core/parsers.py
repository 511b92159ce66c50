"""Request parsers for the API (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

A module of its own: DRF reads the setting while `rest_framework.views` is imported, so the parser
must not live in a module that imports DRF's views (core.api does)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, but a body nested too deeply for Python's decoder is a 400, not a 500.

    `[[[[…]]]]` five thousand deep raises RecursionError inside json.loads; no real body nests past a
    few levels, so the answer is the parser's own "JSON parse error"."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from exc
