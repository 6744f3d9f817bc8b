"""Text from a package, made safe for where it is shown: a terminal, Markdown release notes.

Cells, file names and field names come from contributors. On a terminal, an escape sequence in them could rewrite
the screen; in Markdown, a backtick could end a code span and let images, links and @mentions render.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 control characters (ESC included), DEL, and the bidirectional embeddings, overrides and isolates."""


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character shown as a `\\u001b` escape (valid in JSON strings too), so it prints as
    itself."""

    def show(m: re.Match) -> str:
        ch = m.group()
        if keep_newlines and ch == "\n":
            return ch
        return f"\\u{ord(ch):04x}"

    return CONTROL.sub(show, text)


def md_code(text: str) -> str:
    """`text` as one Markdown code span that no character in it can end, safe in a table cell: the fence is longer
    than any run of backticks inside, line breaks become spaces, `|` is escaped, control characters are shown."""
    text = printable(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")).replace("|", "\\|")
    runs = re.findall(r"`+", text)
    fence = "`" * (max((len(r) for r in runs), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"
