"""Reading the next part of a long read while the caller works on this one."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Part = TypeVar("Part")


def read_ahead(parts: Iterator[Part], name: str) -> Iterator[Part]:
    """The parts of `parts`, each next one read on a worker thread while the caller handles
    this one (SQLite and psycopg wait without the GIL). The iterator only ever runs on that
    one thread, so a connection it reads from is used by one thread."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as reader:
        pending = reader.submit(next, parts, None)
        try:
            while (part := pending.result()) is not None:
                pending = reader.submit(next, parts, None)
                yield part
        finally:
            pending.cancel()
            close = getattr(parts, "close", None)
            if close is not None:
                reader.submit(close).result()
