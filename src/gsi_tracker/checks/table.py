"""One CSV table as checks see it: raw string columns by field name, typed values, masks and finding helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .. import schema as sch
from ..findings import Finding, shorten
from . import severity

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from ..tables import TextTable

INTEGER = r"^[+-]?[0-9]+$"
NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$|^(NaN|INF|-INF)$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
URI = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
TYPE_TEXT = {
    "integer": "an integer (digits, optionally signed)",
    "number": "a number",
    "date": "a date YYYY-MM-DD that exists in the calendar",
    "boolean": "a boolean",
}
FORMAT_TEXT = {"uri": (URI, "a URI with a scheme"), "email": (EMAIL, "an email address")}


def regex_mask(col: pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Rows whose value matches `pattern`, in RE2 through Arrow only: linear time, so no cell can stall a check.

    Declared patterns are compiled up front (`guards.check_patterns`); one RE2 refuses cannot reach here."""
    import pyarrow.compute as pc

    return pc.match_substring_regex(col, pattern).to_numpy(zero_copy_only=False)


def to_numpy(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


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


class TableData:
    """Raw and typed columns of one table, read from its TextTable; declared fields only."""

    def __init__(self, table: str, file: str, schema: dict[str, Any], text: TextTable):
        self.table = table
        self.file = file
        self.schema = schema
        self.text = text
        self.fields = {f.name: f for f in sch.fields(schema)}
        self.missing_values = list(schema.get("missingValues", [""]))
        self.position: dict[str, int] = {}
        for i, name in enumerate(text.header):
            self.position.setdefault(name, i)
        self.n = text.columns.num_rows
        self.lines = text.lines
        self._missing: dict[str, np.ndarray] = {}
        self._typed: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        self._dups: dict = {}

    def duplicates(self, names: tuple[str, ...], consider: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows repeating an earlier row's values of `names`, the earlier row each repeats), among `consider`.

        Each column is dictionary-encoded once (one hash pass); the integer codes are combined and sorted, so no
        joined strings are built and two distinct keys can never look equal.
        """
        import numpy as np

        key = (names, consider.tobytes())
        if key not in self._dups:
            codes = None
            for name in names:
                encoded = self.raw(name).combine_chunks().dictionary_encode()
                c = to_numpy(encoded.indices).astype(np.int64)
                codes = c if codes is None else codes * max(len(encoded.dictionary), 1) + c
                if len(names) > 1 and codes.max(initial=0) > 2**40:
                    codes = np.unique(codes, return_inverse=True)[1].astype(np.int64)
            rows = np.flatnonzero(consider)
            order = rows[np.argsort(codes[rows], kind="stable")]
            same = codes[order[1:]] == codes[order[:-1]]
            if not same.any():
                self._dups[key] = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
            else:
                starts = np.flatnonzero(np.concatenate([[True], ~same]))
                group_first = order[starts][np.cumsum(np.concatenate([[True], ~same])) - 1]
                repeat = np.concatenate([[False], same])
                self._dups[key] = (order[repeat], group_first[repeat])
        return self._dups[key]

    def has(self, name: str) -> bool:
        return name in self.position and name in self.fields

    def raw(self, name: str) -> pa.ChunkedArray:
        return self.text.columns.column(self.position[name])

    def missing(self, name: str) -> np.ndarray:
        if name not in self._missing:
            import pyarrow as pa
            import pyarrow.compute as pc

            mv = pa.array([str(v) for v in self.missing_values], pa.string())
            self._missing[name] = to_numpy(pc.is_in(self.raw(name), value_set=mv))
        return self._missing[name]

    def present(self, name: str) -> np.ndarray:
        return ~self.missing(name)

    def typed(self, name: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(rows holding a valid value of the field's type, numeric values or None for strings).

        Integers and numbers come as int64/float64, dates as days since 1970, booleans as bool.
        """
        if name not in self._typed:
            self._typed[name] = self._parse(self.fields[name], self.raw(name), self.present(name))
        return self._typed[name]

    @staticmethod
    def _parse(field: sch.Field, col, present):
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if field.type == "string":
            fmt = FORMAT_TEXT.get(field.format or "")
            return (present & regex_mask(col, fmt[0])) if fmt else present, None
        if field.type == "boolean":
            true = pa.array(["true", "True", "TRUE", "1"])
            false = pa.array(["false", "False", "FALSE", "0"])
            t = to_numpy(pc.is_in(col, value_set=true))
            return present & (t | to_numpy(pc.is_in(col, value_set=false))), t
        pattern = {"integer": INTEGER, "number": NUMBER, "date": DATE}[field.type]
        ok = present & regex_mask(col, pattern)
        clean = pc.if_else(pa.array(ok), col, {"integer": "0", "number": "0", "date": "1970-01-01"}[field.type])
        if field.type == "integer":
            ok &= to_numpy(pc.utf8_length(col)) <= 18
            clean = pc.if_else(pa.array(ok), col, "0")
            return ok, to_numpy(pc.cast(clean, pa.int64()))
        if field.type == "number":
            return ok, to_numpy(pc.cast(clean, pa.float64()))
        try:
            days = to_numpy(pc.cast(clean, pa.date32()).cast(pa.int32())).astype(np.int64)
            return ok & ~to_numpy(pc.starts_with(clean, "0000")), days
        except pa.ArrowInvalid:
            pass
        y, m, d = (
            to_numpy(pc.cast(pc.utf8_slice_codeunits(clean, i, j), pa.int64())) for i, j in ((0, 4), (5, 7), (8, 10))
        )
        valid, days = civil_days(y, m, d)
        return ok & valid, days

    def bound(self, name: str, value: Any):
        """A constraint value (minimum, maximum) in the numeric form `typed` gives."""
        import datetime as dt

        if self.fields[name].type == "date":
            return (dt.date.fromisoformat(str(value)) - dt.date(1970, 1, 1)).days
        return value

    def show(self, name: str, days: int) -> str:
        import datetime as dt

        return (dt.date(1970, 1, 1) + dt.timedelta(days=int(days))).isoformat()

    def findings(
        self,
        code: str,
        column: str | None,
        rows: np.ndarray,
        message: str | Callable[[int], str],
        show_value: bool = True,
    ) -> list[Finding]:
        """One finding per row index in `rows` (a boolean mask or indices), with the CSV line and cell value."""
        import numpy as np

        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        if len(rows) == 0:
            return []
        lines = self.lines[rows].tolist()
        if show_value and column is not None and column in self.position:
            values = self.raw(column).take(rows).to_pylist()
        else:
            values = [None] * len(rows)
        sev = severity(code)
        out = []
        for r, line, value in zip(rows.tolist(), lines, values):
            text = message(r) if callable(message) else message
            out.append(Finding(self.file, line, column, code, sev, text, self.table, shorten(value)))
        return out

    def finding(
        self, code: str, message: str, line: int | None = None, column: str | None = None, value: Any = None
    ) -> Finding:
        return Finding(self.file, line, column, code, severity(code), message, self.table, shorten(value))


def joined(data: TableData, names: Iterable[str]) -> pa.ChunkedArray:
    """The values of `names` joined into one string per row (one field: the column itself)."""
    import pyarrow.compute as pc

    cols = [data.raw(n) for n in names]
    return cols[0] if len(cols) == 1 else pc.binary_join_element_wise(*cols, "\x1f")


def all_present(data: TableData, names: Iterable[str]) -> np.ndarray:
    import numpy as np

    mask = np.ones(data.n, dtype=bool)
    for n in names:
        mask &= data.present(n)
    return mask


def listing(values: Iterable[Any]) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
