"""One codec per Table Schema type: what a cell's text means, decided in one place.

A codec reads a column of CSV text (an Arrow string array) into a validity mask and values, turns those into the
pandas array a table loads into, writes a typed value back as canonical CSV text, and gives the Arrow type, the
pandas dtype and the sort key of its type. The checks (`checks.table`), the loader (`tables`), the release build
(`build`) and the formatter (`fmt`) all ask the field's codec, so a cell the validator accepts is exactly a cell the
loader keeps as a non-null value, and canonical text read and written again is unchanged.

Dates are held as days since 1970-01-01 by the checks and load as `datetime64[ns]`; a date that such a column
cannot hold (before 1677-09-22 or after 2262-04-11) is not a valid date here, so it is a `type` finding, never a
crash in the loader.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

INTEGER = r"^[+-]?[0-9]+$"
NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$|^(NaN|INF|-INF)$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
FORMATS = {
    "uri": (r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$", "a URI with a scheme"),
    "email": (r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "an email address"),
}
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
INTEGER_DIGITS = 18  # at most this many digits (after a sign), so every accepted integer fits int64
EPOCH = dt.date(1970, 1, 1)
FIRST_DAY = (dt.date(1677, 9, 22) - EPOCH).days  # the first and last whole days datetime64[ns] can hold
LAST_DAY = (dt.date(2262, 4, 11) - EPOCH).days
NS_PER_DAY = 86_400 * 10**9


def to_numpy(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def regex_mask(col, pattern: str) -> np.ndarray:
    """Rows whose value matches `pattern`, in RE2 through Arrow only: linear time, so no cell can stall a check.

    Declared patterns are compiled up front when a package is opened (`guards.check_patterns`), so a pattern RE2
    refuses never reaches here."""
    import pyarrow.compute as pc

    return to_numpy(pc.match_substring_regex(col, pattern))


def civil_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whether year, month, day name a real date from year 1 on, days since 1970-01-01), vectorised."""
    import numpy as np

    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)] + (leap & (m == 2))
    valid = (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days)
    yy = y - (m <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return valid, era * 146097 + doe - 719468


def _string_array(col) -> pa.Array | pa.ChunkedArray:
    import pyarrow as pa

    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return col
    return pa.array(list(col), pa.string())


def _unsigned_plus(col):
    """The text without a leading `+`, which Arrow's casts do not read."""
    import pyarrow.compute as pc

    return pc.replace_substring_regex(col, r"^\+", "")


class Codec:
    """The meaning of one Table Schema type; built per field (a format or true values can refine it)."""

    type: ClassVar[str] = ""
    expected: str | None = None  # what a valid cell is, for `type` findings; None when any text is valid

    def __init__(self, field: Any = None):
        self.field = field

    def parse(self, col, present: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(rows holding a valid value, values as numpy or None for text) of a string column."""
        raise NotImplementedError

    def to_pandas(self, col, ok: np.ndarray, values: np.ndarray | None):
        """The pandas array of the parsed column: a value where `ok`, missing elsewhere."""
        raise NotImplementedError

    def to_text(self, value: Any) -> str:
        """The canonical CSV text of one typed value (not missing)."""
        return str(value)

    def sort_key(self, text: str) -> tuple:
        """Key that sorts the texts of this type as their values sort; invalid text after valid, by text."""
        return (0, text)

    def arrow_type(self) -> pa.DataType:
        raise NotImplementedError

    def pandas_dtype(self) -> Any:
        raise NotImplementedError

    def bound(self, value: Any) -> Any:
        """A constraint value (minimum, maximum) in the numeric form `parse` gives."""
        return value

    def show(self, value: Any) -> str:
        """A parsed value as text, for messages."""
        return str(value)

    def parse_texts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """`parse` for a list of cell texts (every one present)."""
        import numpy as np

        return self.parse(_string_array(texts), np.ones(len(texts), dtype=bool))


class StringCodec(Codec):
    type = "string"

    def __init__(self, field: Any = None):
        super().__init__(field)
        fmt = FORMATS.get(getattr(field, "format", None) or "")
        self.pattern = fmt[0] if fmt else None
        self.expected = fmt[1] if fmt else None

    def parse(self, col, present):
        return (present & regex_mask(col, self.pattern)) if self.pattern else present, None

    def to_pandas(self, col, ok, values):
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        kept = pc.if_else(pa.array(ok), col, pa.scalar(None, pa.string()))
        return pd.array(kept.to_pandas() if hasattr(kept, "to_pandas") else kept, dtype=pd.StringDtype())

    def arrow_type(self):
        import pyarrow as pa

        return pa.string()

    def pandas_dtype(self):
        import pandas as pd

        return pd.StringDtype()


class IntegerCodec(Codec):
    type = "integer"
    expected = "an integer (digits, optionally signed)"

    def parse(self, col, present):
        import pyarrow as pa
        import pyarrow.compute as pc

        digits = pc.utf8_length(pc.replace_substring_regex(col, r"^[+-]", ""))
        ok = present & regex_mask(col, INTEGER) & (to_numpy(digits) <= INTEGER_DIGITS)
        clean = pc.if_else(pa.array(ok), _unsigned_plus(col), "0")
        return ok, to_numpy(pc.cast(clean, pa.int64()))

    def to_pandas(self, col, ok, values):
        import pandas as pd

        return pd.arrays.IntegerArray(values.astype("int64"), ~ok)

    def to_text(self, value):
        return str(int(value))

    def sort_key(self, text):
        ok, values = self.parse_texts([text])
        return (0, int(values[0]), "") if ok[0] and values is not None else (1, 0, text)

    def arrow_type(self):
        import pyarrow as pa

        return pa.int64()

    def pandas_dtype(self):
        import pandas as pd

        return pd.Int64Dtype()


class NumberCodec(Codec):
    type = "number"
    expected = "a number"

    def parse(self, col, present):
        import pyarrow as pa
        import pyarrow.compute as pc

        ok = present & regex_mask(col, NUMBER)
        clean = pc.if_else(pa.array(ok), _unsigned_plus(col), "0")
        return ok, to_numpy(pc.cast(clean, pa.float64()))

    def to_pandas(self, col, ok, values):
        import pandas as pd

        return pd.arrays.FloatingArray(values.astype("float64"), ~ok)

    def to_text(self, value):
        value = float(value)
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return repr(value)

    def sort_key(self, text):
        ok, values = self.parse_texts([text])
        if not ok[0] or values is None:
            return (1, 0.0, text)
        value = float(values[0])
        return (0, math.inf, "") if math.isnan(value) else (0, value, "")

    def arrow_type(self):
        import pyarrow as pa

        return pa.float64()

    def pandas_dtype(self):
        import pandas as pd

        return pd.Float64Dtype()


class BooleanCodec(Codec):
    type = "boolean"
    expected = "a boolean"

    def __init__(self, field: Any = None):
        super().__init__(field)
        self.true_values = tuple(getattr(field, "true_values", None) or TRUE_VALUES)
        self.false_values = tuple(getattr(field, "false_values", None) or FALSE_VALUES)
        self.expected = f"a boolean ({', '.join(self.true_values)} or {', '.join(self.false_values)})"

    def parse(self, col, present):
        import pyarrow as pa
        import pyarrow.compute as pc

        t = to_numpy(pc.is_in(col, value_set=pa.array(self.true_values, pa.string())))
        f = to_numpy(pc.is_in(col, value_set=pa.array(self.false_values, pa.string())))
        return present & (t | f), t

    def to_pandas(self, col, ok, values):
        import pandas as pd

        return pd.arrays.BooleanArray(values.astype(bool), ~ok)

    def to_text(self, value):
        return self.true_values[0] if bool(value) else self.false_values[0]

    def sort_key(self, text):
        if text in self.false_values:
            return (0, 0, "")
        return (0, 1, "") if text in self.true_values else (1, 0, text)

    def arrow_type(self):
        import pyarrow as pa

        return pa.bool_()

    def pandas_dtype(self):
        import pandas as pd

        return pd.BooleanDtype()


class DateCodec(Codec):
    type = "date"
    expected = "a date YYYY-MM-DD that exists in the calendar, from 1677-09-22 to 2262-04-11"

    def parse(self, col, present):
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        ok = present & regex_mask(col, DATE)
        clean = pc.if_else(pa.array(ok), col, "1970-01-01")
        y, m, d = (
            to_numpy(pc.cast(pc.utf8_slice_codeunits(clean, i, j), pa.int64())) for i, j in ((0, 4), (5, 7), (8, 10))
        )
        valid, days = civil_days(y, m, d)
        ok &= valid & (days >= FIRST_DAY) & (days <= LAST_DAY)
        return ok, np.where(ok, days, 0).astype(np.int64)

    def to_pandas(self, col, ok, values):
        import numpy as np
        import pandas as pd

        ns = np.where(ok, values * NS_PER_DAY, np.iinfo(np.int64).min).astype(np.int64)
        return pd.array(ns.view("datetime64[ns]"), dtype="datetime64[ns]")

    def to_text(self, value):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"

    def arrow_type(self):
        import pyarrow as pa

        return pa.date32()

    def pandas_dtype(self):
        return "datetime64[ns]"

    def bound(self, value):
        return (dt.date.fromisoformat(str(value)) - EPOCH).days

    def show(self, value):
        return (EPOCH + dt.timedelta(days=int(value))).isoformat()


CODECS: dict[str, type[Codec]] = {c.type: c for c in (StringCodec, IntegerCodec, NumberCodec, BooleanCodec, DateCodec)}
