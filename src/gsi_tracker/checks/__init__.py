"""Checks of a data package, each returning findings, and the finding codes they may give.

Every code is declared once, below, with its severity, its group and a one-line meaning (as frictionless declares
each error class); the listing in this docstring and the code table in README.md are generated from
`DECLARED` (a test keeps the README's copy current). A check gives a code from this list and a message that says
what is wrong and what is expected, without repeating the code.

Add a check: declare its code here, write the check in the module of its group (a per-table check takes a
`TableData` and a cross-table check the dict of all of them, both returning a list of findings), and add it to
`validate.TABLE_CHECKS` or `validate.CROSS_CHECKS`; then give it a fixture case under tests/fixtures/validate/.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import ERROR, WARNING


@dataclass(frozen=True)
class Code:
    """One finding code: its name, severity, the group (module) of checks giving it, and what it means."""

    code: str
    severity: str
    group: str
    meaning: str


GROUPS = {
    "structure": "Structure (`structure.py`)",
    "fields": "Fields (`fields.py`)",
    "rules": 'Rules (`rules.py`; foreign keys and the "x-gsi" properties of the schemas and datapackage.json)',
    "hygiene": "Hygiene (`hygiene.py`)",
}

DECLARED: tuple[Code, ...] = (
    Code("descriptor-invalid", ERROR, "structure", "datapackage.json or a Table Schema is not valid Data Package v2"),
    Code("encoding-bom", ERROR, "structure", "the CSV file starts with a UTF-8 byte order mark"),
    Code("header-missing", ERROR, "structure", "a declared field has no column in the header"),
    Code("header-extra", ERROR, "structure", "a header column is not a declared field"),
    Code("header-duplicate", ERROR, "structure", "a header column appears more than once"),
    Code("header-misordered", ERROR, "structure", "the header columns are not in declared order"),
    Code("row-ragged", ERROR, "structure", "a row has more or fewer cells than the header"),
    Code("row-blank", ERROR, "structure", "an empty line, or a row whose cells are all empty"),
    Code("bytes-mismatch", ERROR, "structure", "a resource's size differs from its declared `bytes`"),
    Code("hash-mismatch", ERROR, "structure", "a resource's digest differs from its declared `hash`"),
    Code("parquet-schema", ERROR, "structure", "a Parquet resource's columns differ from the declared Arrow schema"),
    Code("parquet-rows", ERROR, "structure", "a Parquet resource has another row count than the CSV of the same table"),
    Code("type", ERROR, "fields", "a cell cannot be read as the field's type (or declared string format)"),
    Code("required", ERROR, "fields", "a required field (or a primary-key field) is empty"),
    Code("enum", ERROR, "fields", "a value is not one of the field's allowed values"),
    Code("pattern", ERROR, "fields", "a value does not match the field's pattern"),
    Code("min-length", ERROR, "fields", "a value is shorter than minLength"),
    Code("max-length", ERROR, "fields", "a value is longer than maxLength"),
    Code("minimum", ERROR, "fields", "a value is below minimum"),
    Code("maximum", ERROR, "fields", "a value is above maximum"),
    Code("unique", ERROR, "fields", "a value of a unique field repeats an earlier row"),
    Code("primary-key", ERROR, "fields", "a primary key repeats an earlier row"),
    Code("unique-key", ERROR, "fields", "a combination declared in uniqueKeys repeats an earlier row"),
    Code("foreign-key", ERROR, "rules", "a value has no matching row in the referenced table"),
    Code("same-values", ERROR, "rules", "x-gsi sameValues: the referenced row differs in a field that must agree"),
    Code("referenced-where", ERROR, "rules", "x-gsi referencedWhere: the referenced row is not of the required kind"),
    Code("date-shape", ERROR, "rules", "x-gsi precisionOf/dateShapes: a date does not have the shape of its precision"),
    Code("not-before", ERROR, "rules", "x-gsi notBefore: a date lies before the date it may not precede"),
    Code("iso3166", ERROR, "rules", "x-gsi iso3166: a code that pycountry does not know"),
    Code("iso4217", ERROR, "rules", "x-gsi iso4217: a currency code that pycountry does not know"),
    Code(
        "cited-match",
        ERROR,
        "rules",
        "x-gsi citedExcerptMatches: no citation of the row has an excerpt matching the declared pattern",
    ),
    Code(
        "referenced-when",
        ERROR,
        "rules",
        "x-gsi referencedWhen: a row of the declared kind that no row references (a pledge said delivered)",
    ),
    Code("required-when", ERROR, "rules", "x-gsi requiredWhen: empty although the condition requires it"),
    Code("empty-unless", ERROR, "rules", "x-gsi emptyUnless: filled although the condition does not hold"),
    Code("together", ERROR, "rules", "x-gsi together: some but not all fields of a group are filled"),
    Code("requires", ERROR, "rules", "x-gsi requires: a field is filled but a field it requires is empty"),
    Code("record-reference", ERROR, "rules", "x-gsi recordReference: a citation points at no existing record"),
    Code("citation-missing", ERROR, "rules", "x-gsi citationRequired: a row that no citation supports"),
    Code(
        "context-only",
        WARNING,
        "rules",
        "x-gsi citationRequired with recordReference contextField: a row whose every citation is context-only",
    ),
    Code("unreferenced", WARNING, "rules", "x-gsi warnUnreferenced: a row (such as a source) that nothing references"),
    Code(
        "sentence",
        WARNING,
        "rules",
        "x-gsi fragment: a quotation that looks like a whole sentence (capital to full stop)",
    ),
    Code("whitespace", ERROR, "hygiene", "a cell has leading or trailing whitespace"),
    Code("not-nfc", ERROR, "hygiene", "a cell is not in Unicode normalisation form NFC"),
    Code("formula", ERROR, "hygiene", "a text cell begins with =, +, -, @, a tab or a carriage return"),
    Code(
        "control",
        ERROR,
        "hygiene",
        "a cell holds a control character (NUL, escape, C1) or a bidirectional override",
    ),
)

CODES: dict[str, str] = {c.code: c.severity for c in DECLARED}


def listing() -> str:
    """The declared codes as indented text, group by group (the form of this module's docstring)."""
    out = []
    for group, title in GROUPS.items():
        out.append(title)
        out += [f"  {c.code:<20} {c.severity:<8} {c.meaning}" for c in DECLARED if c.group == group]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """The declared codes as the Markdown table of README.md."""
    lines = ["| code | severity | group | meaning |", "|---|---|---|---|"]
    lines += [f"| `{c.code}` | {c.severity} | {c.group} | {_cell(c.meaning)} |" for c in DECLARED]
    return "\n".join(lines)


def severity(code: str) -> str:
    return CODES[code]


__doc__ = (__doc__ or "Checks of a data package and the finding codes they may give.") + "\n" + listing() + "\n"
