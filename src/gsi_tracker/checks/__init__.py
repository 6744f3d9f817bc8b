"""Checks of a data package, each returning findings. Every finding carries one of the stable codes below.

Structure (`structure.py`)
  descriptor-invalid   error    datapackage.json or a Table Schema is not valid Data Package v2
  encoding-bom         error    the CSV file starts with a UTF-8 byte order mark
  header-missing       error    a declared field has no column in the header
  header-extra         error    a header column is not a declared field
  header-duplicate     error    a header column appears more than once
  header-misordered    error    the header columns are not in declared order
  row-ragged           error    a row has more or fewer cells than the header
  row-blank            error    an empty line, or a row whose cells are all empty
  bytes-mismatch       error    a resource's size differs from its declared `bytes`
  hash-mismatch        error    a resource's digest differs from its declared `hash`
  parquet-schema       error    a Parquet resource's columns differ from the declared Arrow schema
  parquet-rows         error    a Parquet resource has another row count than the CSV of the same table
Fields (`fields.py`)
  type                 error    a cell cannot be read as the field's type (or declared string format)
  required             error    a required field (or a primary-key field) is empty
  enum                 error    a value is not one of the field's allowed values
  pattern              error    a value does not match the field's pattern
  min-length           error    a value is shorter than minLength
  max-length           error    a value is longer than maxLength
  minimum              error    a value is below minimum
  maximum              error    a value is above maximum
  unique               error    a value of a unique field repeats an earlier row
  primary-key          error    a primary key repeats an earlier row
  unique-key           error    a combination declared in uniqueKeys repeats an earlier row
Rules (`rules.py`; foreign keys and the "x-gsi" properties of the schemas and datapackage.json)
  foreign-key          error    a value has no matching row in the referenced table
  same-values          error    x-gsi sameValues: the referenced row differs in a field that must agree
  referenced-where     error    x-gsi referencedWhere: the referenced row is not of the required kind
  date-shape           error    x-gsi precisionOf/dateShapes: a date does not have the shape of its precision
  not-before           error    x-gsi notBefore: a date lies before the date it may not precede
  iso3166              error    x-gsi iso3166: a code that pycountry does not know
  required-when        error    x-gsi requiredWhen: empty although the condition requires it
  empty-unless         error    x-gsi emptyUnless: filled although the condition does not hold
  together             error    x-gsi together: some but not all fields of a group are filled
  requires             error    x-gsi requires: a field is filled but a field it requires is empty
  record-reference     error    x-gsi recordReference: a citation points at no existing record
  citation-missing     error    x-gsi citationRequired: a row that no citation supports
  unreferenced         warning  x-gsi warnUnreferenced: a row (such as a source) that nothing references
  sentence             warning  x-gsi fragment: a quotation that looks like a whole sentence (capital to full stop)
Hygiene (`hygiene.py`)
  whitespace           error    a cell has leading or trailing whitespace
  not-nfc              error    a cell is not in Unicode normalisation form NFC
  formula              error    a text cell begins with =, +, -, @, a tab or a carriage return
  control              error    a cell holds a control character (NUL, escape, C1) or a bidirectional override
"""

from __future__ import annotations

from ..findings import ERROR, WARNING

CODES: dict[str, str] = {}
for _line in __doc__.splitlines():
    _parts = _line.split()
    if len(_parts) > 2 and _line.startswith("  ") and _parts[1] in (ERROR, WARNING):
        CODES[_parts[0]] = _parts[1]


# What each `frictionless validate` error type is called here (constraint-error is split by constraint name).
FRICTIONLESS: dict[str, set[str]] = {
    "extra-label": {"header-extra", "header-duplicate"},
    "duplicate-label": {"header-duplicate"},
    "missing-label": {"header-missing"},
    "blank-label": {"header-extra"},
    "incorrect-label": {"header-missing", "header-extra", "header-misordered"},
    "extra-cell": {"row-ragged"},
    "missing-cell": {"row-ragged"},
    "blank-row": {"row-blank"},
    "type-error": {"type"},
    "unique-error": {"unique", "unique-key"},
    "primary-key": {"primary-key", "required"},
    "foreign-key": {"foreign-key"},
    "hash-count": {"hash-mismatch"},
    "byte-count": {"bytes-mismatch"},
}
FRICTIONLESS_CONSTRAINTS = {
    "required": "required",
    "unique": "unique",
    "enum": "enum",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "minLength": "min-length",
    "maxLength": "max-length",
}


def frictionless_codes(error_type: str, note: str = "") -> set[str]:
    """Our codes for one frictionless error (empty when it has no counterpart)."""
    if error_type == "constraint-error":
        name = note.split('"')[1] if note.count('"') >= 2 else ""
        return {FRICTIONLESS_CONSTRAINTS[name]} if name in FRICTIONLESS_CONSTRAINTS else set()
    return set(FRICTIONLESS.get(error_type, ()))


def severity(code: str) -> str:
    return CODES[code]
