"""Open a data package wherever it is: a repo root, a `datapackage.json`, a release folder or a release zip.

Paths inside the descriptor are resolved safely: absolute paths, `..` and links that leave the package are refused.
This module knows nothing of checks; it only finds the descriptor, the schemas and the data files.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .schema import ResourceRules, TableSchema

DESCRIPTOR = "datapackage.json"
RELEASE_EXTRAS = ("CHANGELOG.md", "CITATION.cff", "SHA256SUMS")
"""Files a release holds besides the descriptor, its resources and their schemas."""


class PackageError(Exception):
    """The input cannot be read as a data package; `path` names the file at fault."""

    def __init__(self, message: str, path: Path | str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class Resource:
    """One data file of the package and the Table Schema it follows."""

    name: str
    table: str
    path: Path
    relpath: str
    format: str
    schema: dict[str, Any]
    schema_path: Path | None
    descriptor: dict[str, Any]
    model: TableSchema = field(repr=False, compare=False)
    rules: ResourceRules = field(repr=False, compare=False)

    @property
    def hash(self) -> str | None:
        return self.descriptor.get("hash")

    @property
    def bytes(self) -> int | None:
        return self.descriptor.get("bytes")


@dataclass
class Package:
    """A data package on disk: its root folder, descriptor and resources."""

    root: Path
    descriptor_path: Path
    descriptor: dict[str, Any]
    resources: list[Resource]
    source: Path
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def version(self) -> str | None:
        return self.descriptor.get("version")

    @property
    def tables(self) -> list[str]:
        """Table names in declared order, each once."""
        seen: list[str] = []
        for r in self.resources:
            if r.table not in seen:
                seen.append(r.table)
        return seen

    def resource(self, table: str, format: str = "csv") -> Resource:
        for r in self.resources:
            if r.table == table and r.format == format:
                return r
        raise PackageError(f"no {format} resource for table {table!r}", self.descriptor_path)

    def has(self, table: str, format: str) -> bool:
        return any(r.table == table and r.format == format for r in self.resources)

    def schema(self, table: str) -> dict[str, Any]:
        for r in self.resources:
            if r.table == table:
                return r.schema
        raise PackageError(f"no table {table!r}", self.descriptor_path)

    def model(self, table: str) -> TableSchema:
        """The parsed Table Schema of `table`."""
        for r in self.resources:
            if r.table == table:
                return r.model
        raise PackageError(f"no table {table!r}", self.descriptor_path)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def escapes(pure: PurePosixPath) -> bool:
    """Whether a relative path is absolute, names a drive (`C:`) or climbs out with `..`: the one escape check."""
    return pure.is_absolute() or bool(pure.parts and pure.parts[0].endswith(":")) or ".." in pure.parts


def safe_relpath(root: Path, relpath: str, what: str, descriptor_path: Path) -> Path:
    """Resolve `relpath` under `root`, refusing URLs, absolute paths, `..` and links that leave the root."""
    if not isinstance(relpath, str) or not relpath:
        raise PackageError(f"{what} path must be a non-empty string, got {relpath!r}", descriptor_path)
    if "://" in relpath:
        raise PackageError(f"{what} path {relpath!r} is remote; only local paths are read", descriptor_path)
    pure = PurePosixPath(relpath.replace("\\", "/"))
    if escapes(pure):
        raise PackageError(f"{what} path {relpath!r} would leave the package folder", descriptor_path)
    full = root.joinpath(*pure.parts)
    try:
        resolved = full.resolve()
        resolved.relative_to(root.resolve())
    except ValueError:
        raise PackageError(f"{what} path {relpath!r} links outside the package folder", descriptor_path) from None
    return full


def read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise PackageError("file not found", path) from None
    except UnicodeDecodeError as e:
        raise PackageError(f"not UTF-8 (byte {e.start})", path) from None
    except OSError as e:
        raise PackageError(f"cannot read: {e.strerror}", path) from None
    from .guards import MAX_DEPTH, check_depth

    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise PackageError(f"broken JSON at line {e.lineno}, column {e.colno}: {e.msg}", path) from None
    except RecursionError:
        raise PackageError(f"JSON nested more than {MAX_DEPTH} levels deep", path) from None
    check_depth(data, path)
    return data


def _table_of(res: dict[str, Any]) -> str:
    """The table a resource holds: its `table` property, else its name less a `-parquet` style suffix."""
    if isinstance(res.get("table"), str):
        return res["table"]
    name = res.get("name", "")
    fmt = _format_of(res)
    suffix = f"-{fmt}"
    return name[: -len(suffix)] if fmt != "csv" and name.endswith(suffix) else name


def _format_of(res: dict[str, Any]) -> str:
    fmt = res.get("format")
    if fmt:
        return str(fmt).lower()
    path = res.get("path", "")
    return PurePosixPath(path).suffix.lstrip(".").lower() if isinstance(path, str) else ""


def _load(descriptor_path: Path, source: Path, tmp: tempfile.TemporaryDirectory | None) -> Package:
    from .guards import check_field_names, check_resource, check_schema_shape
    from .guards import check_references as check_no_remote_references
    from .schema import check_references, parse, resource_rules

    descriptor = read_json(descriptor_path)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise PackageError("not a data package: no 'resources' list", descriptor_path)
    check_no_remote_references(descriptor, descriptor_path)
    root = descriptor_path.parent
    resources = []
    for i, res in enumerate(descriptor["resources"]):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            raise PackageError(f"resource {i} has no name", descriptor_path)
        path: Any = res.get("path")
        if isinstance(path, list):
            raise PackageError(f"resource {res['name']!r}: multipart paths are not supported", descriptor_path)
        check_resource(res, _table_of(res), descriptor_path)
        data_path = safe_relpath(root, path, f"resource {res['name']!r}", descriptor_path)
        schema = res.get("schema")
        schema_path = None
        if isinstance(schema, str):
            schema_path = safe_relpath(root, schema, f"schema of {res['name']!r}", descriptor_path)
            schema = read_json(schema_path)
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            raise PackageError(
                f"resource {res['name']!r} has no Table Schema with fields", schema_path or descriptor_path
            )
        check_no_remote_references(schema, schema_path or descriptor_path, f"schema of {res['name']!r}: ")
        check_schema_shape(schema, schema_path or descriptor_path)
        check_field_names(schema, schema_path or descriptor_path)
        resources.append(
            Resource(
                name=res["name"],
                table=_table_of(res),
                path=data_path,
                relpath=path,
                format=_format_of(res),
                schema=schema,
                schema_path=schema_path,
                descriptor=res,
                model=parse(schema, _table_of(res), schema_path or descriptor_path),
                rules=resource_rules(res.get("x-gsi"), descriptor_path, f"$.resources[{i}].x-gsi"),
            )
        )
    check_references({r.table: r.model for r in resources})
    return Package(root, descriptor_path, descriptor, resources, source, tmp)


def extract_zip(zip_path: Path, dest: Path) -> None:
    """Extract a release zip, refusing entries that are absolute, climb out with `..`, or are links, and zips over
    the limits of `limits` (entry count, entry size, total size, compression ratio), counted as bytes are written."""
    from .limits import MAX_ZIP_TOTAL, check_zip_sizes, copy_bounded

    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as e:
        raise PackageError(f"not a readable zip: {e}", zip_path) from None
    with zf:
        for info in zf.infolist():
            name = info.filename
            if escapes(PurePosixPath(name.replace("\\", "/"))):
                raise PackageError(f"zip entry {name!r} would leave the extraction folder", zip_path)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise PackageError(f"zip entry {name!r} is a symbolic link", zip_path)
        check_zip_sizes(zf.infolist(), zip_path)
        budget = [MAX_ZIP_TOTAL]
        for info in zf.infolist():
            target = dest.joinpath(*PurePosixPath(info.filename).parts)
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "xb") as out:
                    copy_bounded(src, out, info, budget, zip_path)
            except PackageError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
                raise PackageError(f"zip entry {info.filename!r} is corrupt or unsupported: {e}", zip_path) from None
            except OSError as e:
                raise PackageError(
                    f"zip entry {info.filename!r} cannot be extracted ({e.strerror or e}); a file and a folder may "
                    "share its name, or it repeats an entry",
                    zip_path,
                ) from None


def _refuse_undeclared(package: Package, extracted: Path, zip_path: Path) -> None:
    """A release zip holds its descriptor, the files its resources and schemas name, and RELEASE_EXTRAS only."""
    declared = {package.descriptor_path, *(package.root / name for name in RELEASE_EXTRAS)}
    for res in package.resources:
        declared.update(p for p in (res.path, res.schema_path) if p is not None)
    for found in sorted(p for p in extracted.rglob("*") if not p.is_dir()):
        if found not in declared:
            name = found.relative_to(extracted).as_posix()
            raise PackageError(f"zip entry {name!r} is not declared in {DESCRIPTOR}", zip_path)


def _find_descriptor(folder: Path) -> Path | None:
    direct = folder / DESCRIPTOR
    if direct.is_file():
        return direct
    found = sorted(p for p in folder.glob(f"*/{DESCRIPTOR}") if p.is_file())
    return found[0] if len(found) == 1 else None


def open_package(path: str | Path = ".") -> Package:
    """Open the data package at `path`: a folder holding datapackage.json, the descriptor itself, or a zip."""
    path = Path(path)
    if not path.exists():
        raise PackageError("no such file or folder", path)
    if path.is_dir():
        descriptor = _find_descriptor(path)
        if descriptor is None:
            raise PackageError(f"no {DESCRIPTOR} in this folder", path)
        return _load(descriptor, path, None)
    if zipfile.is_zipfile(path):
        tmp = tempfile.TemporaryDirectory(prefix="gsi-")
        try:
            extract_zip(path, Path(tmp.name))
            descriptor = _find_descriptor(Path(tmp.name))
            if descriptor is None:
                raise PackageError(f"no {DESCRIPTOR} at the top of the zip or in one folder inside it", path)
            package = _load(descriptor, path, tmp)
            _refuse_undeclared(package, Path(tmp.name), path)
            return package
        except BaseException:
            tmp.cleanup()
            raise
    if path.suffix.lower() == ".json":
        return _load(path, path, None)
    raise PackageError("not a data package: expected a folder, a datapackage.json or a zip", path)


def bundled_root() -> Path:
    """The package shipped with the library: inside the wheel, or the repository root in a source checkout."""
    here = Path(__file__).resolve().parent
    inside = here / "_data"
    if (inside / DESCRIPTOR).is_file():
        return inside
    repo = here.parent.parent
    if (repo / DESCRIPTOR).is_file():
        return repo
    raise PackageError("the bundled data package is missing from this installation", inside)
