"""Build a release: validate, then write `DIR/gsi-tracker-<version>/` and its zip, byte for byte reproducibly.

The release folder holds `data/<table>.csv` (canonical: sorted by primary key, UTF-8, minimal quoting),
`data/<table>.parquet` (explicit Arrow schema, zstd), `datapackage.json` (schemas inlined, a CSV and a Parquet
resource per table with `bytes` and `hash`), this version's CHANGELOG section, CITATION.cff and SHA256SUMS.
Dates come from SOURCE_DATE_EPOCH, the date-released of a released version, or the last commit, never the clock.
Everything is written into a temporary folder first and renamed into place, so a failed build leaves nothing
behind; an existing release is never overwritten.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import metafiles
from . import schema as sch
from .files import sha256_file
from .findings import Report
from .fmt import csv_bytes, sort_key
from .guards import check_inside
from .leftovers import orphans, workdir
from .package import DESCRIPTOR, Package, open_package
from .registry import RELEASE_PREFIX, release_name
from .semver import VersionError, parse_version

if TYPE_CHECKING:
    import pandas as pd

SUMS = "SHA256SUMS"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
# frictionless 5 reads Parquet through pandas without counting bytes (a `byte-count` error on every Parquet
# resource) and turns nullable integers into NaN (type errors). Declared as files, the Parquet resources are
# checked by frictionless for `bytes` and `hash`; their content equals the CSV it validates row by row.
PARQUET_RESOURCE_TYPE = "file"
ZIP_FILE_MODE = 0o100644
ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip entry can carry
BUILD_PREFIX = ".gsi-build-"


class BuildError(Exception):
    """A build or release was refused; `report` holds the validation findings when validation failed."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


class ReleaseDiffers(Exception):
    """The release folder and zip of this version already exist with other bytes than this build."""


@dataclass
class BuildResult:
    """What a build wrote: the release folder, its zip, and the sha256 of every file."""

    version: str
    created: str
    folder: Path
    zip: Path
    files: dict[str, str]
    zip_sha256: str
    zip_bytes: int
    report: Report = field(default_factory=Report)
    unchanged: bool = False


def _commit_epoch(root: Path) -> int | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    out = done.stdout.strip()
    return int(out) if done.returncode == 0 and out.isdigit() else None


def _released_epoch(citation: str | None, version: str | None) -> int | None:
    """Midnight UTC of CITATION.cff's date-released, when it is the citation of this very version."""
    if citation is None or version is None:
        return None
    cff = metafiles.cff_fields(citation)
    released = cff.get("date-released")
    if str(cff.get("version")) != version or released is None:
        return None
    return _day_epoch(str(released), f"{metafiles.CITATION}: date-released")


def _day_epoch(day: str, where: str) -> int:
    try:
        parsed = datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        raise BuildError(f"{where}: date {day!r} is not YYYY-MM-DD") from None
    return int(parsed.replace(tzinfo=timezone.utc).timestamp())


def _recorded_epoch(root: Path, citation: str | None) -> int | None:
    """Midnight UTC of the latest release date CHANGELOG.md or CITATION.cff records (for a tree without git)."""
    try:
        changelog = (root / metafiles.CHANGELOG).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        changelog = None
    if citation is None:
        try:
            citation = (root / metafiles.CITATION).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            citation = None
    try:
        days = metafiles.recorded_dates(changelog, citation)
    except metafiles.MetafileError as e:
        raise BuildError(str(e)) from None
    return max(_day_epoch(day, "CHANGELOG.md or CITATION.cff") for day in days) if days else None


def source_date_epoch(root: Path, citation: str | None = None, version: str | None = None) -> int:
    """The release's date in seconds, never the clock: SOURCE_DATE_EPOCH; else the date-released of CITATION.cff
    when it cites this version (so a released version rebuilds to the same bytes); else the date of the last commit
    of `root`; else (a source archive without git) the latest release date CHANGELOG.md or CITATION.cff records."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env is not None and env.strip():
        try:
            epoch = int(env.strip())
        except ValueError:
            raise BuildError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {env!r}") from None
    else:
        found = _released_epoch(citation, version)
        if found is None:
            found = _commit_epoch(root)
        if found is None:
            found = _recorded_epoch(root, citation)
        if found is None:
            raise BuildError(
                "no release date: not a git checkout, and neither CHANGELOG.md nor CITATION.cff records a release"
                " date; set SOURCE_DATE_EPOCH"
            )
        epoch = found
    if epoch < ZIP_EPOCH_MIN:
        raise BuildError("SOURCE_DATE_EPOCH is before 1980-01-01, which a zip cannot record")
    return epoch


def iso_created(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_frame(package: Package, table: str) -> pd.DataFrame:
    """The table's typed frame, sorted by primary key, with a fresh index; checked by its pandera schema, so that
    no value is lost or changed on its way from text to the types written into the release."""
    import pandera.errors

    from .tables import lost_in_typing, read_csv_text, text_typed

    res = package.resource(table, "csv")
    text = read_csv_text(res.path)
    frame = text_typed(text, res.model)
    lost = lost_in_typing(text.frame, frame)
    if lost:
        raise BuildError(f"{table}: cells that do not convert to their declared type: {lost}")
    try:
        sch.pandera_schema(package.schema(table), table).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as e:
        cases = e.failure_cases[["column", "check", "failure_case", "index"]].head(5).to_dict("records")
        raise BuildError(
            f"{table}: the typed table fails its schema ({len(e.failure_cases)} cases, e.g. {cases})"
        ) from None
    model = package.model(table)
    rows = text_rows(frame, model)
    key = sort_key(model, model.names)
    order = sorted(range(len(rows)), key=lambda i: key(rows[i]))
    return frame.iloc[order].reset_index(drop=True)


def text_rows(frame: pd.DataFrame, table_schema: sch.RawSchema | sch.TableSchema) -> list[list[str]]:
    """Each row of a typed frame as canonical CSV cells (empty for missing), each field written by its codec."""
    columns = []
    for f in sch.fields(table_schema):
        col = frame[f.name]
        missing = col.isna().to_numpy()
        columns.append(["" if na else f.to_text(v) for v, na in zip(col.astype(object), missing, strict=True)])
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def canonical_csv(frame: pd.DataFrame, table_schema: sch.RawSchema | sch.TableSchema) -> bytes:
    """UTF-8 without BOM, header row, minimal RFC 4180 quoting, `\\n` line ends (the writer of `gsi fmt`)."""
    return csv_bytes([sch.field_names(table_schema), *text_rows(frame, table_schema)])


def arrow_table(frame: pd.DataFrame, table_schema: sch.RawSchema | sch.TableSchema):
    """A pyarrow Table with the explicit schema of `schema.arrow_schema`; enums keep the declared dictionary."""
    import pyarrow as pa

    target = sch.arrow_schema(table_schema)
    arrays = []
    for f in sch.fields(table_schema):
        col = frame[f.name]
        if f.enum is not None:
            codes = col.cat.codes.to_numpy()
            indices = pa.array(codes, type=pa.int32(), mask=codes < 0)
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(list(f.enum), type=pa.string())))
        else:
            arrays.append(pa.array(col, from_pandas=True).cast(f.to_pyarrow_dtype()))
    return pa.Table.from_arrays(arrays, schema=target)


def write_parquet(frame: pd.DataFrame, table_schema: sch.RawSchema | sch.TableSchema, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(frame, table_schema), path, compression="zstd")


def _hash(path: Path) -> dict[str, Any]:
    return {"bytes": path.stat().st_size, "hash": f"sha256:{sha256_file(path)}"}


def _csv_resource(res, path: str, schema: dict, stats: dict) -> dict[str, Any]:
    out = {}
    for key, value in res.descriptor.items():
        if key in ("bytes", "hash"):
            continue
        out[key] = path if key == "path" else schema if key == "schema" else value
    out.setdefault("schema", schema)
    for key in ("title", "description"):
        if key in schema:
            out.setdefault(key, schema[key])
    out.update(stats)
    return out


def _parquet_resource(res, table: str, path: str, schema: dict, stats: dict) -> dict[str, Any]:
    src = res.descriptor
    out: dict[str, Any] = {
        "name": f"{table}-parquet",
        "type": PARQUET_RESOURCE_TYPE,
        "path": path,
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
    }
    if "title" in schema:
        out["title"] = f"{schema['title']} (Parquet)"
    if "description" in schema:
        out["description"] = schema["description"]
    out["schema"] = schema
    if "x-gsi" in src:
        out["x-gsi"] = src["x-gsi"]
    out.update(stats)
    return out


def _descriptor(package: Package, created: str, resources: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in package.descriptor.items():
        if key == "created":
            continue
        out[key] = resources if key == "resources" else value
        if key == "version":
            out["created"] = created
    return out


def write_release_folder(package: Package, stage: Path, created: str, changelog: str, citation: str) -> None:
    """Write every file of the release into `stage` (an empty folder)."""
    data = stage / "data"
    data.mkdir(parents=True)
    from .derive import derive

    csv_resources, parquet_resources = [], []
    frames = derive(
        {table: canonical_frame(package, table) for table in package.tables},
        {table: package.resource(table, "csv").schema for table in package.tables},
    )
    for table in package.tables:
        res = package.resource(table, "csv")
        schema = res.schema
        frame = frames[table]
        csv_path = check_inside(data, data / f"{table}.csv")
        pq_path = check_inside(data, data / f"{table}.parquet")
        csv_path.write_bytes(canonical_csv(frame, schema))
        write_parquet(frame, schema, pq_path)
        csv_resources.append(_csv_resource(res, f"data/{table}.csv", schema, _hash(csv_path)))
        parquet_resources.append(_parquet_resource(res, table, f"data/{table}.parquet", schema, _hash(pq_path)))
    descriptor = _descriptor(package, created, csv_resources + parquet_resources)
    (stage / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    version = package.version
    if version is None:
        raise BuildError(f"{DESCRIPTOR} has no version")
    (stage / metafiles.CHANGELOG).write_text(metafiles.release_changelog(changelog, version), encoding="utf-8")
    cff = metafiles.set_citation(citation, version, created[:10])
    (stage / metafiles.CITATION).write_text(cff, encoding="utf-8")
    sums = "".join(f"{digest}  {name}\n" for name, digest in file_hashes(stage).items())
    (stage / SUMS).write_text(sums, encoding="utf-8")


def file_hashes(folder: Path) -> dict[str, str]:
    """Relative POSIX path -> sha256 of every file under `folder` (except SHA256SUMS), sorted by path."""
    found = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return {name: sha256_file(folder / name) for name in found if name != SUMS}


def write_zip(folder: Path, zip_path: Path, epoch: int) -> None:
    """A zip of `folder` under its own name: sorted entries, fixed timestamps and permissions."""
    stamp = datetime.fromtimestamp(epoch, timezone.utc).timetuple()[:6]
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(zip_path, "w") as zf:
        for name in names:
            info = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=stamp)
            info.create_system = 3
            info.external_attr = ZIP_FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (folder / name).read_bytes(), compresslevel=9)


def _touch_all(folder: Path, epoch: int) -> None:
    for p in sorted(folder.rglob("*"), reverse=True):
        os.utime(p, (epoch, epoch))
    os.utime(folder, (epoch, epoch))


def _place(src: Path, dst: Path) -> None:
    """Rename `src` to `dst`, refusing to replace anything already there."""
    if dst.exists() or dst.is_symlink():
        raise BuildError(f"{dst.name} already exists in {dst.parent}; a release is never overwritten")
    os.rename(src, dst)


def finish_killed_builds(out: Path) -> list[Path]:
    """Deal with what killed builds left in `out`: a build killed between placing its folder and its zip gets its
    zip placed (the folder is complete, since it was renamed into place whole); any other leftover is removed.
    Returns the zips placed."""
    placed = []
    for tmp in orphans(out, BUILD_PREFIX):
        for staged_zip in tmp.glob(f"{RELEASE_PREFIX}*.zip"):
            name = staged_zip.name.removesuffix(".zip")
            folder, zip_path = out / name, out / staged_zip.name
            if folder.is_dir() and not (tmp / name).exists() and not (zip_path.exists() or zip_path.is_symlink()):
                os.rename(staged_zip, zip_path)
                placed.append(zip_path)
        shutil.rmtree(tmp, ignore_errors=True)
    return placed


def _check_citation(citation: str, version: str) -> None:
    cff_version = metafiles.cff_fields(citation).get("version")
    if str(cff_version) != version:
        raise BuildError(f"{metafiles.CITATION} says version {cff_version!r} but {DESCRIPTOR} says {version!r}")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{path.name} is missing next to {DESCRIPTOR}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BuildError(f"{path.name} cannot be read: {e}") from None


def build_release(root: str | Path = ".", out: str | Path = "dist", *, epoch: int | None = None) -> BuildResult:
    """Validate the package at `root`, then build its release into `out`; BuildError on any refusal.

    `epoch` (seconds) fixes the release's created date; by default `source_date_epoch` decides.
    """
    from .validate import validate_package

    root, out = Path(root), Path(out)
    finish_killed_builds(out)
    with open_package(root) as package:
        version = package.version
        try:
            parse_version(version)
        except VersionError as e:
            raise BuildError(f"{DESCRIPTOR}: version {e}") from None
        assert isinstance(version, str)
        name = release_name(version)
        folder, zip_path = out / name, out / f"{name}.zip"
        present = [p for p in (folder, zip_path) if p.exists() or p.is_symlink()]
        if len(present) == 1:
            raise BuildError(
                f"{present[0].name} already exists in {out} without its pair; a release is never overwritten"
            )
        rebuild = len(present) == 2
        report = validate_package(root)
        if not report.valid:
            raise BuildError(f"validation found {len(report.errors)} error(s); nothing was built", report)
        changelog = _read_text(package.root / metafiles.CHANGELOG)
        citation = _read_text(package.root / metafiles.CITATION)
        try:
            _check_citation(citation, version)
        except metafiles.MetafileError as e:
            raise BuildError(str(e)) from None
        if epoch is None:
            epoch = source_date_epoch(package.root, citation, version)
        created = iso_created(epoch)
        out.mkdir(parents=True, exist_ok=True)
        with workdir(out, BUILD_PREFIX) as tmp:
            stage, staged_zip = tmp / name, tmp / f"{name}.zip"
            try:
                write_release_folder(package, stage, created, changelog, citation)
            except metafiles.MetafileError as e:
                raise BuildError(str(e)) from None
            _touch_all(stage, epoch)
            write_zip(stage, staged_zip, epoch)
            os.utime(staged_zip, (epoch, epoch))
            files = {**file_hashes(stage)}
            files[SUMS] = sha256_file(stage / SUMS)
            zip_sha, zip_bytes = sha256_file(staged_zip), staged_zip.stat().st_size
            if rebuild:
                same = (
                    folder.is_dir()
                    and not folder.is_symlink()
                    and zip_path.is_file()
                    and not zip_path.is_symlink()
                    and sha256_file(zip_path) == zip_sha
                    and file_hashes(folder) == file_hashes(stage)
                )
                if not same:
                    raise ReleaseDiffers(
                        f"{name} in {out} holds other bytes than this build of version {version}; a release is never "
                        "overwritten: bump the version in datapackage.json (gsi diff names the bump)"
                    )
                files = dict(sorted(files.items()))
                return BuildResult(version, created, folder, zip_path, files, zip_sha, zip_bytes, report, True)
            _place(stage, folder)
            try:
                _place(staged_zip, zip_path)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
    return BuildResult(version, created, folder, zip_path, dict(sorted(files.items())), zip_sha, zip_bytes, report)
