"""Search text becomes an FTS5 query that any typed text cannot break."""

from workbench.rules.search import fts_query


def test_fts_query_quotes_every_word():
    assert fts_query('say "hi" now') == '"say"* """hi"""* "now"*'
    assert fts_query("a b") == '"a" "b"'
    assert fts_query("  ") is None
