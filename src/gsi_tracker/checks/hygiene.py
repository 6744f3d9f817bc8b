"""Cell hygiene: no leading or trailing whitespace, Unicode NFC, no control characters, no text a spreadsheet would
run as a formula.

Whitespace is what Arrow's `utf8_trim_whitespace` trims; `gsi fmt` trims with the same function, so a file that
fmt wrote never fails this check.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from ..codec import regex_mask, to_numpy
from ..findings import Finding
from .table import TableData

if TYPE_CHECKING:
    import numpy as np

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters other than tab, line feed and carriage return (which quoted CSV cells may hold), DEL, C1, and
# the bidirectional embeddings, overrides and isolates that make text display in another order than it reads.
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{202a}-\x{202e}\x{2066}-\x{2069}]"


def edge_space(col) -> np.ndarray:
    """Rows whose value begins or ends with whitespace."""
    import pyarrow.compute as pc

    return to_numpy(pc.not_equal(pc.binary_length(pc.utf8_trim_whitespace(col)), pc.binary_length(col)))


def not_nfc(col) -> np.ndarray:
    """Row indices whose value is not NFC (only non-ASCII values can be)."""
    import numpy as np
    import pyarrow.compute as pc

    non_ascii = np.flatnonzero(~to_numpy(pc.string_is_ascii(col)))
    if not len(non_ascii):
        return non_ascii
    values = col.take(non_ascii).to_pylist()
    return non_ascii[np.array([not unicodedata.is_normalized("NFC", v) for v in values], dtype=bool)]


def check_hygiene(data: TableData) -> list[Finding]:
    """Whitespace, NFC and control characters on every declared column; formula risk on declared text (string) columns
    only."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[Finding] = []
    starts = pa.array(FORMULA_STARTS, pa.string())
    for name, f in data.fields.items():
        if name not in data.position:
            continue
        col = data.raw(name)
        out += data.findings(
            "whitespace",
            name,
            edge_space(col),
            f"{name} must not begin or end with whitespace (gsi fmt trims it)",
        )
        out += data.findings("not-nfc", name, not_nfc(col), f"{name} must be in Unicode NFC (gsi fmt normalises it)")
        out += data.findings(
            "control",
            name,
            regex_mask(col, CONTROL),
            f"{name} must not hold control characters (NUL, escape, C1) or bidirectional overrides",
        )
        if f.type == "string":
            first = pc.utf8_slice_codeunits(col, 0, 1)
            out += data.findings(
                "formula",
                name,
                to_numpy(pc.is_in(first, value_set=starts)),
                f"{name} must not begin with =, +, -, @, a tab or a carriage return (a spreadsheet would run it)",
            )
    return out
