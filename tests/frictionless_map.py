"""What each `frictionless validate` error type is called in gsi-tracker's finding codes.

Used by the differential test (tests/test_validate_frictionless.py) and the benchmark (scripts/bench_validate.py)
to check that every error frictionless reports is among our findings at the same line. constraint-error is split
by the name of the constraint in its note.
"""

FRICTIONLESS: dict[str, set[str]] = {
    "extra-label": {"header-extra", "header-duplicate"},
    "duplicate-label": {"header-duplicate"},
    # with "fieldsMatch": "superset" frictionless refuses a header with repeated labels as a generic error
    "error": {"header-duplicate"},
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
