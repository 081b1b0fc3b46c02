"""What a lead is called where a person sees it: its name, else what else identifies it.

A lead imported from an export of ids (a closed-deals file, a list without names) has no
name until a later file gives one; it is shown by its email, else by its external id."""

from __future__ import annotations

NO_NAME = "No name"


def display_name(first_name: str | None, last_name: str | None, email: str | None = None,
                 external_id: str | None = None) -> str:
    name = f"{first_name or ''} {last_name or ''}".strip()
    if name:
        return name
    if email:
        return email
    return f"{NO_NAME} (id {external_id})" if external_id else NO_NAME
