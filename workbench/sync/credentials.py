"""The team server password lives in the operating system's keyring (the `keyring`
package), never in the database or a settings file: the database keeps the server URL
without it. Where there is no keyring, PostgreSQL's own PGPASSWORD and ~/.pgpass serve."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

SERVICE = "lead-qualification-workbench"


def split_password(url: str) -> tuple[str, str | None]:
    """(the URL without its password, the password it held if any)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}@{host}")), unquote(parts.password)


def with_password(url: str, password: str | None) -> str:
    if password is None:
        return url
    parts = urlsplit(url)
    user, host = parts.netloc.rsplit("@", 1) if "@" in parts.netloc else ("", parts.netloc)
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def saved_password(url: str) -> str | None:
    import keyring  # with its backends (70 ms): loaded when a password is first looked up
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, url)
    except KeyringError:
        return None


def remember(url: str, password: str) -> str | None:
    """Keep the password of a server URL (given without it) in the keyring; returns why it
    could not be kept (no keyring on this machine), or None."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, url, password)
    except KeyringError as problem:
        return (f"The password could not be kept in a keyring ({problem}); give it again "
                "next time (workbench sync --password-stdin), or keep it in PGPASSWORD or "
                "~/.pgpass.")
    return None


def given_elsewhere(url: str) -> bool:
    """Does the connection get a password without asking: in the URL, the keyring, or
    PostgreSQL's own conventions (the PGPASSWORD variable, a password file)?"""
    clean, password = split_password(url)
    password_file = Path(os.environ.get("PGPASSFILE") or Path.home() / ".pgpass")
    return bool(password or saved_password(clean) or os.environ.get("PGPASSWORD")
                or password_file.is_file())
