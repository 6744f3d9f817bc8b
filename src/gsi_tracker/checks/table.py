"""One CSV table as checks see it: raw string columns by field name, typed values, masks and finding helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .. import schema as sch
from ..codec import to_numpy
from ..findings import Finding, shorten
from . import severity

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from ..tables import TextTable


class TableData:
    """Raw and typed columns of one table, read from its TextTable; declared fields only."""

    def __init__(
        self, table: str, file: str, schema: sch.TableSchema, text: TextTable, rules: sch.ResourceRules | None = None
    ):
        self.table = table
        self.rules = rules or sch.ResourceRules()
        self.file = file
        self.schema = schema
        self.text = text
        self.fields = {f.name: f for f in schema.fields}
        self.missing_values = list(schema.missing_values)
        self.position: dict[str, int] = {}
        for i, name in enumerate(text.header):
            self.position.setdefault(name, i)
        self.n = text.columns.num_rows
        self.lines = text.lines
        self._missing: dict[str, np.ndarray] = {}
        self._typed: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        self._dups: dict = {}
        self._codes: dict[str, tuple[np.ndarray, int]] = {}

    def codes(self, name: str) -> tuple[np.ndarray, int]:
        """(dictionary codes of a raw column, how many distinct values), hashed once per column."""
        import numpy as np

        if name not in self._codes:
            encoded = self.raw(name).combine_chunks().dictionary_encode()
            self._codes[name] = (to_numpy(encoded.indices).astype(np.int64), len(encoded.dictionary))
        return self._codes[name]

    def duplicates(self, names: tuple[str, ...], consider: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows repeating an earlier row's values of `names`, the earlier row each repeats), among `consider`.

        Each column is dictionary-encoded once (one hash pass) and the codes combined into one integer per row, so
        no joined strings are built and two distinct keys can never look equal. Rows whose key occurs once (found
        by counting codes) are set aside; only the rest are sorted to pair each repeat with its first row.
        """
        import numpy as np
        import pyarrow as pa

        key = (names, consider.tobytes())
        if key not in self._dups:
            codes, size = self.codes(names[0])
            for name in names[1:]:
                more, n = self.codes(name)
                if size * max(n, 1) >= 2**62:
                    dense = pa.array(codes).dictionary_encode()
                    codes, size = to_numpy(dense.indices).astype(np.int64), len(dense.dictionary)
                codes, size = codes * max(n, 1) + more, size * max(n, 1)
            if len(names) > 1:
                dense = pa.array(codes).dictionary_encode()
                codes, size = to_numpy(dense.indices).astype(np.int64), len(dense.dictionary)
            counts = np.bincount(codes[consider], minlength=size)
            rows = np.flatnonzero(consider & (counts[codes] > 1))
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
        """(rows holding a valid value of the field's type, values or None for strings), from the field's codec.

        Integers and numbers come as int64/float64, dates as days since 1970, booleans as bool.
        """
        if name not in self._typed:
            self._typed[name] = self.fields[name].codec.parse(self.raw(name), self.present(name))
        return self._typed[name]

    def bound(self, name: str, value: Any) -> Any:
        """A constraint value (minimum, maximum) in the numeric form `typed` gives."""
        return self.fields[name].codec.bound(value)

    def show(self, name: str, value: Any) -> str:
        return self.fields[name].codec.show(value)

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
        for r, line, value in zip(rows.tolist(), lines, values, strict=True):
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
