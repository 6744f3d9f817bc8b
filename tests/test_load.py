"""load(): typed frames per table from the bundled package, a folder, a descriptor or a zip; no network."""

import json
import socket
import zipfile

import pandas as pd
import pytest

import gsi_tracker
from gsi_tracker import schema as sch
from gsi_tracker.load import Dataset, render_summary
from gsi_tracker.package import PackageError
from tests.release_packages import make_package


@pytest.fixture
def small(tmp_path):
    return make_package(tmp_path / "pkg")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def assert_declared_dtypes(ds: Dataset):
    for table in ds:
        schema = ds.schema(table)
        frame = ds[table]
        assert list(frame.columns) == sch.field_names(schema)
        for f in sch.fields(schema):
            col = frame[f.name]
            if f.enum is not None:
                assert isinstance(col.dtype, pd.CategoricalDtype)
                assert list(col.cat.categories) == list(f.enum)
            elif f.type == "date":
                assert col.dtype == "datetime64[ns]"
            else:
                assert col.dtype == sch.pandas_dtype(f), (table, f.name)


def test_bundled_package_loads_typed_from_csv(repo, no_network):
    ds = gsi_tracker.load()
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    assert list(ds) == [r["name"] for r in descriptor["resources"]]
    assert ds.format == "csv"
    assert ds.version == descriptor["version"]
    assert ds.licenses == descriptor["licenses"]
    assert_declared_dtypes(ds)


def test_folder_descriptor_and_zip_load_the_same(small, tmp_path, no_network):
    zpath = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in small.rglob("*"):
            zf.write(p, f"pkg/{p.relative_to(small).as_posix()}")
    by_folder = gsi_tracker.load(path=small)
    for other in (gsi_tracker.load(path=small / "datapackage.json"), gsi_tracker.load(path=zpath, format="csv")):
        assert list(other) == list(by_folder)
        for table in by_folder:
            pd.testing.assert_frame_equal(other[table], by_folder[table])
    assert_declared_dtypes(by_folder)


def test_values_survive_typing(small):
    ds = gsi_tracker.load(path=small)
    notes = ds.sources["notes"]
    assert notes.isna().sum() == 1
    assert "\n" in notes.dropna().iloc[0]
    assert '"3,000"' in ds.sources["title"].iloc[1]
    assert ds.actors.loc[ds.actors.actor_id == "chn", "name_zh"].iloc[0] == "中国"
    assert ds.events["edition"].isna().sum() == 1
    assert ds.events["gsi_named"].dtype == "boolean" and not ds.events["gsi_named"].isna().any()
    assert ds.events["start_date"].min() == pd.Timestamp("2023-09-01")


def test_attribute_mapping_and_iteration(small):
    ds = gsi_tracker.load(path=small)
    assert ds.events is ds["events"]
    assert len(ds) == len(list(ds)) == len(ds.keys())
    assert "events" in dir(ds)
    with pytest.raises(KeyError, match="no table 'nope'"):
        ds["nope"]
    with pytest.raises(AttributeError, match="nope"):
        _ = ds.nope
    text = repr(ds)
    assert ds.version in text and "events" in text and "CC-BY-4.0" in text


def test_summary_gives_rows_and_first_date_range(small):
    ds = gsi_tracker.load(path=small)
    by_table = {s.table: s for s in ds.summary()}
    first_date = next(f.name for f in sch.fields(ds.schema("events")) if f.type == "date")
    assert by_table["events"].rows == len(ds.events)
    assert by_table["events"].date_field == first_date
    assert by_table["events"].first == ds.events[first_date].min()
    assert by_table["events"].last == ds.events[first_date].max()
    assert by_table["participants"].date_field is None
    assert "2023-09-01 .. 2024-09-09" in render_summary(ds)


def test_bad_arguments_and_missing_paths(tmp_path):
    with pytest.raises(ValueError, match="not both"):
        gsi_tracker.load("0.1.0", path=tmp_path)
    with pytest.raises(ValueError, match="format"):
        gsi_tracker.load(path=tmp_path, format="xlsx")
    with pytest.raises(PackageError, match="no such file"):
        gsi_tracker.load(path=tmp_path / "missing")


def test_load_is_exported_without_heavy_imports():
    import subprocess
    import sys

    code = "import sys, gsi_tracker; gsi_tracker.load; print(sorted({'pandas', 'pyarrow', 'pooch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_csv_and_parquet_of_a_release_load_equal(built_release, no_network):
    from_parquet = gsi_tracker.load(path=built_release.folder)
    from_csv = gsi_tracker.load(path=built_release.zip, format="csv")
    assert (from_parquet.format, from_csv.format) == ("parquet", "csv")
    for table in from_parquet:
        pd.testing.assert_frame_equal(from_parquet[table], from_csv[table])
    assert_declared_dtypes(from_parquet)


READ_WITHOUT_OUR_PACKAGE = """
import json, sys
import pyarrow.parquet as pq
out = {}
for path in sys.argv[1:]:
    t = pq.read_table(path)
    out[path] = [t.num_rows, {f.name: str(f.type) for f in t.schema}]
assert not any(m.startswith("gsi_tracker") for m in sys.modules)
print(json.dumps(out))
"""


def test_parquet_files_read_with_pyarrow_alone(built_release):
    import subprocess
    import sys

    ds = gsi_tracker.load(path=built_release.folder)
    paths = {t: str(built_release.folder / "data" / f"{t}.parquet") for t in ds}
    done = subprocess.run(
        [sys.executable, "-I", "-c", READ_WITHOUT_OUR_PACKAGE, *paths.values()],
        capture_output=True,
        text=True,
        check=True,
    )
    read = json.loads(done.stdout)
    for table, path in paths.items():
        rows, types = read[path]
        assert rows == len(ds[table])
        for f in sch.fields(ds.schema(table)):
            assert types[f.name] == str(sch.arrow_type(f)), (table, f.name)


def test_parquet_files_read_with_duckdb(built_release):
    import duckdb

    ds = gsi_tracker.load(path=built_release.folder)
    con = duckdb.connect()
    for table in ds:
        path = built_release.folder / "data" / f"{table}.parquet"
        assert con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0] == len(ds[table])
    dates = [f.name for f in sch.fields(ds.schema("events")) if f.type == "date"]
    path = str(built_release.folder / "data" / "events.parquet")
    first = con.execute(f"select min({dates[0]}) from read_parquet(?)", [path]).fetchone()[0]
    assert pd.Timestamp(first) == ds.events[dates[0]].min()


def test_gsi_info_on_the_bundled_package_stays_offline(no_network):
    from click.testing import CliRunner

    from gsi_tracker.cli import cli

    shown = CliRunner().invoke(cli, ["info"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("releases: ")
    assert "(bundled, csv)" in shown.output
