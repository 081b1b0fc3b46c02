"""NumPy columns made into what the store writes: random picks by weight, epoch seconds as
SQLite's timestamp text, values that may be missing, and rows taken a chunk at a time."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from workbench.demo.catalogue import DAY, HOUR, ROWS_PER_CHUNK


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return narrow(rng.choice(len(p), size=size, p=p / p.sum()))


def narrow(codes: np.ndarray) -> np.ndarray:
    """Whole numbers in the smallest signed type that holds them: a million leads keep
    dozens of such columns."""
    if codes.size == 0:
        return codes
    low, high = min(int(codes.min()), -1), -int(codes.max()) - 1  # both negative: signed types
    return codes.astype(np.result_type(np.min_scalar_type(low), np.min_scalar_type(high)),
                        copy=False)


# "00".."99" as pairs of code points, to write two digits with one lookup
_TWO_DIGITS = np.array([[ord(a), ord(b)] for a in "0123456789" for b in "0123456789"],
                       dtype=np.uint32)
_TIMESTAMP_TEMPLATE = np.array([ord(c) for c in "0000-00-00 00:00:00.000000"], dtype=np.uint32)


def _timestamp_codes(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds -> rows of 26 code points 'YYYY-MM-DD HH:MM:SS.000000', all in NumPy."""
    seconds = np.asarray(seconds, dtype=np.int64)
    day = (seconds // DAY).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    of_day = seconds % DAY
    codes = np.empty((seconds.size, 26), dtype=np.uint32)
    codes[:] = _TIMESTAMP_TEMPLATE
    for column, value in ((0, year // 100), (2, year % 100),
                          (5, month.astype(np.int64) % 12 + 1),
                          (8, (day - month).astype(np.int64) + 1),
                          (11, of_day // HOUR), (14, of_day // 60 % 60), (17, of_day % 60)):
        codes[:, column:column + 2] = _TWO_DIGITS[value]
    return codes


def sql_times(seconds: np.ndarray) -> list[str]:
    """Epoch seconds -> the text SQLAlchemy stores for a DateTime on SQLite."""
    return _timestamp_codes(seconds).view("U26").ravel().tolist()


def sql_dates(seconds: np.ndarray) -> list[str]:
    return np.ascontiguousarray(_timestamp_codes(seconds)[:, :10]).view("U10").ravel().tolist()


def nullable(values, present: np.ndarray) -> list:
    return np.where(present, np.asarray(values, dtype=object), None).tolist()


def parts(total: int) -> Iterator[slice]:
    """The rows of a table, a chunk at a time."""
    for start in range(0, total, ROWS_PER_CHUNK):
        yield slice(start, min(start + ROWS_PER_CHUNK, total))
