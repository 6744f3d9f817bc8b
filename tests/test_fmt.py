"""`gsi fmt`: canonical CSV (sorted by primary key, trimmed, NFC, minimal quoting, LF), atomic, never losing a value."""

import csv
import io
import zipfile

from click.testing import CliRunner

from gsi_tracker.cli import cli
from gsi_tracker.fmt import canonical, format_package
from gsi_tracker.validate import validate_package
from tests.validate_cases import build


def rows(data: bytes):
    return [r for r in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) if r]


def test_repo_seeds_are_canonical(repo):
    result = CliRunner().invoke(cli, ["fmt", "--check", str(repo)])
    assert result.exit_code == 0, result.output


def test_canonical_form():
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "text", "type": "string"}], "primaryKey": ["id"]}
    data = '\ufeffid,text\r\n10," b "\r\n\r\n9,"Cafe\u0301"\r\n2,"say ""hi"", twice"\r\n'.encode()
    out = canonical(data, schema)
    assert out == 'id,text\n2,"say ""hi"", twice"\n9,Café\n10,b\n'.encode()
    assert canonical(out, schema) == out


def test_ragged_rows_and_unknown_columns_are_kept():
    schema = {"fields": [{"name": "k", "type": "string"}], "primaryKey": ["k"]}
    data = b"k,extra\nb,1,2\na\n"
    assert rows(canonical(data, schema)) == [["k", "extra"], ["a"], ["b", "1", "2"]]


def test_fmt_mends_hygiene_and_sorts(tmp_path):
    folder = build(tmp_path, "hygiene")
    before = {p.name: rows(p.read_bytes()) for p in (folder / "seeds").iterdir()}
    result = CliRunner().invoke(cli, ["fmt", "--check", str(folder)])
    assert result.exit_code == 1
    assert {"seeds/actors.csv: would be reformatted", "seeds/participants.csv: would be reformatted"} <= set(
        result.output.splitlines()
    )
    assert CliRunner().invoke(cli, ["fmt", str(folder)]).exit_code == 0
    codes = {f.code for f in validate_package(folder).findings}
    assert not codes & {"whitespace", "not-nfc"}
    after = {p.name: rows(p.read_bytes()) for p in (folder / "seeds").iterdir()}
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    assert [r[0] for r in after["actors.csv"][1:]] == sorted(r[0] for r in before["actors.csv"][1:])
    assert not any(r.changed for r in format_package(folder, check=True))
    assert list((folder / "seeds").glob(".*")) == []


def test_fmt_refuses_zip_and_undecodable(tmp_path):
    zpath = tmp_path / "p.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("datapackage.json", "{}")
    result = CliRunner().invoke(cli, ["fmt", str(zpath)])
    assert result.exit_code == 2 and "not a zip" in result.output
    folder = build(tmp_path / "pkg")
    (folder / "seeds" / "events.csv").write_bytes(b"event_id\n\xff\n")
    result = CliRunner().invoke(cli, ["fmt", str(folder)])
    assert result.exit_code == 2 and "not UTF-8" in result.output and "Traceback" not in result.output
