"""What the gsi-tracker tables mean together: the typed tables of a package, an actor's state and region through
its parents, and which commitments are pledges and how deliveries point at them. `stats` and `report` read the
package through these helpers; each reads the fields and rules from the schemas, not from literals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import schema as sch

if TYPE_CHECKING:
    import pandas as pd

    from .package import Package


def inherited(actors: pd.DataFrame, column: str) -> pd.Series:
    """Actor -> its own value of `column`, else its parent's (so a ministry or minister counts with its state)."""
    value = actors.set_index("actor_id")[column].astype(object)
    parent = actors.set_index("actor_id")["parent_actor_id"].astype(object)
    for _ in range(4):
        missing = value.isna() & parent.notna()
        if not missing.any():
            break
        value[missing] = parent[missing].map(value)
    return value


def region_of(actors: pd.DataFrame) -> pd.Series:
    """Actor -> UN M49 region, following parent links."""
    return inherited(actors, "m49_region")


MIDDLE_EAST = frozenset(
    {"ARE", "BHR", "EGY", "IRN", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "PSE", "QAT", "SAU", "SYR", "TUR", "YEM"}
)
MIDDLE_EAST_WORDS = "the Arab states of Western Asia, Egypt, Iran, Israel, Palestine and Turkey"
"""The Middle East as the coverage figures count it (UN M49 has no such region); Egypt also counts in Africa."""


def pledge_link(commitments: pd.DataFrame, schema: sch.RawSchema | sch.TableSchema) -> tuple[str, pd.Series]:
    """The field by which a delivery points at its pledge, and which rows are pledges, from the schema's rule."""
    fk = next(fk for fk in sch.model(schema).foreign_keys if fk.referenced_where)
    where = fk.referenced_where
    mask = commitments[list(where)].astype(object).apply(lambda col: col.isin(where[col.name])).all(axis=1)
    return fk.fields[0], mask


TABLES = ("sources", "actors", "events", "commitments", "participants", "citations")


def typed_tables(package: Package) -> dict[str, pd.DataFrame]:
    """Every table of a gsi-tracker package, typed; a package lacking one of them is refused."""
    from .package import PackageError
    from .tables import read_table

    missing = [t for t in TABLES if t not in package.tables]
    if missing:
        raise PackageError(f"not a gsi-tracker package: no table {', '.join(missing)}", package.descriptor_path)
    from .derive import derive

    return derive(
        {name: read_table(package, name) for name in package.tables},
        {name: package.schema(name) for name in package.tables},
    )
