"""Form helpers shared by every app."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError


def apply_errors(
    exc: ValidationError,
    form: forms.Form,
    *,
    members: Sequence[forms.Form] | None = None,
    aliases: dict[str, str] | None = None,
) -> None:
    """Put a service's ``ValidationError`` on the forms: ``field`` → that field,
    ``members.<i>.<field>`` → member form *i*, anything else → the form's top errors."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages in exc.message_dict.items():
        key = (aliases or {}).get(key, key)
        target, name = form, key
        if key.startswith("members.") and members is not None:
            _prefix, index, name = key.split(".", 2)
            if int(index) < len(members):
                target = members[int(index)]
        for message in messages:
            target.add_error(name if name in target.fields else None, message)
