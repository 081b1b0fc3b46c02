"""Turning what a person types into a safe FTS5 query."""

from __future__ import annotations

# Shorter words match too much to be answered by a prefix query quickly (the search
# index keeps prefixes of 2 and 3 characters), so they must match a whole word.
MIN_PREFIX = 2


def fts_query(text: str) -> str | None:
    """Each word of the text becomes a quoted prefix term; all must match.

    Quotes are doubled inside the term, so no input (quotes, parentheses, AND, NEAR,
    *, -, unicode, emoji) is read as FTS5 syntax. Returns None for blank text.
    """
    terms = []
    # a NUL would end the query early in SQLite's FTS5 parser: it separates words instead
    for word in text.replace("\x00", " ").split():
        quoted = '"' + word.replace('"', '""') + '"'
        terms.append(quoted + "*" if len(word) >= MIN_PREFIX else quoted)
    return " ".join(terms) or None
