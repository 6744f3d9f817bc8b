"""Guards on a descriptor from an untrusted package, applied when it is opened, before anything reads its files.

- A name that becomes a file name (a resource's `name` and `table`) matches the Data Package name pattern without
  `/` (lower-case letters, digits, `.`, `-`, `_`, not starting with `.`), so no release file lands outside its
  folder.
- No property that a tool dereferences (`path`, `schema`, `dialect`, `$schema`, `profile`) points at the network:
  opening or validating a package never fetches anything. `$schema` and `profile` may name a standard profile.
- JSON nesting is bounded, so no reader runs out of recursion.
- A field name holds no control character and does not begin with a character a spreadsheet runs as a formula.

Each refusal is a PackageError (exit 2) naming the property at fault.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .package import PackageError
from .schema import SUPPORTED_TYPES

NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
MAX_NAME = 100
MAX_DEPTH = 64
REFERENCES = ("path", "schema", "dialect", "$schema", "profile")
STANDARD_PROFILES = frozenset(
    f"https://datapackage.org/profiles/2.0/{name}.json"
    for name in ("datapackage", "dataresource", "tableschema", "tabledialect")
)
FORMULA_STARTS = ("=", "+", "-", "@")
CONSTRAINT_TYPES: dict[str, tuple[type, ...]] = {
    "required": (bool,),
    "unique": (bool,),
    "minLength": (int,),
    "maxLength": (int,),
    "minimum": (int, float, str),
    "maximum": (int, float, str),
    "pattern": (str,),
    "enum": (list,),
}
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_name(value: Any, what: str, where: Path | str) -> None:
    """Refuse a name that could not safely be a file name."""
    if not isinstance(value, str) or len(value) > MAX_NAME or not NAME.fullmatch(value):
        raise PackageError(
            f"{what} {value!r} must match the Data Package name pattern: lower-case letters, digits, '.', '-' "
            "and '_', not starting with '.'",
            where,
        )


def is_remote(value: str) -> bool:
    """True for a URL (any scheme, `//host` included); False for a relative path or a Windows drive path."""
    if value.startswith(("//", "\\\\")):
        return True
    scheme = urlparse(value).scheme
    return bool(scheme) and len(scheme) > 1


def check_references(node: Any, where: Path | str, at: str = "") -> None:
    """Refuse a remote reference in a descriptor, a resource, an inline schema or a dialect."""
    if not isinstance(node, dict):
        return
    for key in REFERENCES:
        value = node.get(key)
        if isinstance(value, list):
            remote = [v for v in value if isinstance(v, str) and is_remote(v)]
            value = remote[0] if remote else None
        if isinstance(value, str) and is_remote(value):
            if key in ("$schema", "profile") and value in STANDARD_PROFILES:
                continue
            raise PackageError(f"{at}{key} {value!r} is remote; a package is read from local files only", where)
        if isinstance(value, dict):
            check_references(value, where, f"{at}{key}: ")


def check_depth(data: Any, where: Path | str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` levels (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise PackageError(f"JSON nested more than {limit} levels deep", where)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def check_field_names(schema: dict[str, Any], where: Path | str) -> None:
    """Refuse field names with control characters or a formula start (they become CSV headers in a release)."""
    for raw in schema.get("fields", []):
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str):
            continue
        if CONTROL.search(name) or "`" in name or name.startswith(FORMULA_STARTS) or name != name.strip():
            raise PackageError(
                f"field name {name!r} must not hold control characters or backticks, begin or end with whitespace, "
                "or begin with =, +, - or @",
                where,
            )


def check_resource(res: dict[str, Any], table: str, where: Path | str) -> None:
    """The guards for one resource of a descriptor."""
    check_name(res.get("name"), "resource name", where)
    if table != res.get("name"):
        check_name(table, f"table of resource {res['name']!r}", where)
    check_references(res, where, f"resource {res['name']!r}: ")


def check_inside(root: Path, path: Path) -> Path:
    """`path`, once resolved, lies under `root`; every file a build writes passes through here."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        raise PackageError(f"refused to write {path.name!r}: it would land outside {root}", path) from None
    return path


class _Offline:
    """A requests transport adapter that refuses every request: frictionless gets no network."""

    def send(self, request, **kwargs):
        import requests

        raise requests.ConnectionError(f"network access refused: {request.url}")

    def close(self) -> None:
        pass


def offline_session():
    """A requests Session that never connects (frictionless runs with it, as a second line behind the guards)."""
    import requests

    session = requests.Session()
    session.adapters.clear()
    session.mount("http://", _Offline())  # type: ignore[arg-type]
    session.mount("https://", _Offline())  # type: ignore[arg-type]
    return session


def check_patterns(resources) -> None:
    """Every declared `pattern` compiles in RE2, the linear-time engine checks run it with (no backtracking, so no
    cell can stall validation); refuse the package otherwise, naming the schema and the field."""
    import pyarrow as pa
    import pyarrow.compute as pc

    probe = pa.array([""], pa.string())
    for res in resources:
        for raw in res.schema.get("fields", []):
            constraints = raw.get("constraints") if isinstance(raw, dict) else None
            if not isinstance(constraints, dict) or "pattern" not in constraints:
                continue
            pattern, where = constraints["pattern"], res.schema_path or res.table
            try:
                if not isinstance(pattern, str):
                    raise TypeError("not a string")
                pc.match_substring_regex(probe, f"^(?:{pattern})$")
            except (TypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise PackageError(
                    f"schema of {res.table!r}, field {raw.get('name')!r}: pattern {pattern!r} is not valid RE2 "
                    f"syntax ({reason})",
                    where,
                ) from None


def _strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def check_schema_shape(schema: dict[str, Any], where: Path | str) -> None:
    """Refuse a Table Schema whose parts have the wrong JSON types (fields that are not objects with a string name,
    constraints that are not an object, keys that are not names), so no reader trips over them later."""
    for i, raw in enumerate(schema.get("fields", [])):
        _check_field_shape(i, raw, where)
    if "primaryKey" in schema and not _strings(schema["primaryKey"]):
        raise PackageError("primaryKey must be a field name or a list of them", where)
    for key in ("uniqueKeys", "foreignKeys", "missingValues"):
        if key in schema and not isinstance(schema[key], list):
            raise PackageError(f"{key} must be a list", where)
    for fk in schema.get("foreignKeys", []):
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(ref, dict) or not _strings(fk.get("fields")) or not _strings(ref.get("fields")):
            raise PackageError("each foreign key needs fields and a reference with fields (names)", where)
        if "resource" in ref and not isinstance(ref["resource"], str):
            raise PackageError("a foreign key's reference.resource must be a resource name", where)
    if not all(_strings(key) for key in schema.get("uniqueKeys", [])):
        raise PackageError("each unique key must be a list of field names", where)
    if "x-gsi" in schema and not isinstance(schema["x-gsi"], dict):
        raise PackageError("x-gsi must be an object", where)


def _check_field_shape(i: int, raw: Any, where: Path | str) -> None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise PackageError(f"field {i} of the schema must be an object with a string name", where)
    for key, kind in (("type", str), ("format", str), ("constraints", dict), ("x-gsi", dict)):
        if key in raw and not isinstance(raw[key], kind):
            raise PackageError(f"field {raw['name']!r}: {key} must be a JSON {kind.__name__}", where)
    if raw.get("type", "any") not in SUPPORTED_TYPES:
        raise PackageError(
            f"schema not supported: field {raw['name']!r}: type {raw.get('type', 'any')!r} is not one of "
            f"{', '.join(SUPPORTED_TYPES)}",
            where,
        )
    for key, value in raw.get("constraints", {}).items():
        allowed = CONSTRAINT_TYPES.get(key, ())
        if allowed and (not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed)):
            names = " or ".join(k.__name__ for k in allowed)
            raise PackageError(f"field {raw['name']!r}: constraint {key} must be a JSON {names}", where)
    enum = raw.get("constraints", {}).get("enum", [])
    if not all(isinstance(v, (str, int, float)) for v in enum) or len({str(v) for v in enum}) != len(enum):
        raise PackageError(f"field {raw['name']!r}: enum must list distinct strings or numbers", where)
