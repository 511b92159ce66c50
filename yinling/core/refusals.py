"""Refused actions: one exception for "the rules do not allow this", and how pages and the API show it.

A service raises `Refused(code, message)` when an action is not allowed by the domain's rules (not a
permission question: that is PermissionDenied, 403). Pages show the message as a form error or a
flash message; the API answers 409 {"error": code, "message": message}. The surrounding
transaction has rolled back by then, so nothing was written.

In core so that every app (the registry's acting rules, the time bank's ledger) raises the same
exception and both front ends map it in the same way; core imports no domain app.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from rest_framework import serializers, status
from rest_framework.response import Response


class Refused(Exception):
    """An action the rules do not allow; `code` is the API's error code, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def body(exc: Refused) -> dict[str, str]:
    return {"error": exc.code, "message": str(exc.message)}


def response(exc: Refused, status_code: int = status.HTTP_409_CONFLICT) -> Response:
    return Response(body(exc), status=status_code)


def on_form(form: forms.BaseForm, exc: Refused, field: str | None = None) -> None:
    """Show the refusal on the form (on `field`, or above the fields)."""
    form.add_error(field, str(exc.message))


def flash(request: HttpRequest, exc: Refused) -> None:
    """Show the refusal after a redirect, for actions posted from a button without a form page."""
    messages.error(request, str(exc.message))


class RefusalsAs409:
    """A DRF view mixin: Refused → 409 {"error", "message"}."""

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, Refused):
            return response(exc)
        return super().handle_exception(exc)  # type: ignore[misc]


class RefusalSerializer(serializers.Serializer):
    """The body of a refusal (409), and of a "not found" that names what was not found (404)."""

    error = serializers.CharField(
        help_text="A refusal code, such as insufficient_balance or not_relative."
    )
    message = serializers.CharField(
        help_text="What was refused and why: in Chinese, or in English with the cookie django_language=en."
    )


# For @extend_schema(responses={..., **REFUSALS}): every action endpoint that can refuse.
REFUSALS = {409: RefusalSerializer}
