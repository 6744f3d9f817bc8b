"""Release zips built to break extraction: a bomb (2 GiB in a few MB), an undeclared extra file, a corrupted entry,
and a file and a folder sharing a name. Each is exit 2 with a one-line message; nothing
is extracted beyond the limits."""

import zipfile
import zlib

import pytest

from gsi_tracker.limits import MAX_ZIP_ENTRY, MAX_ZIP_RATIO
from tests.hostile import assert_clean_exit, gsi


def _copy_entries(src, zf, skip=()):
    with zipfile.ZipFile(src) as old:
        for info in old.infolist():
            if info.filename not in skip:
                zf.writestr(info, old.read(info))


def _zeros_entry(zf: zipfile.ZipFile, name: str, size: int) -> None:
    """Append an entry of `size` zero bytes deflated, made from one compressed megabyte repeated, so it is built in
    well under a second. Its CRC is left 0: a refused entry is never inflated, so nothing reads it."""
    mib = 1 << 20
    assert size % mib == 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * mib) + c.flush(zlib.Z_FULL_FLUSH)
    data = block * (size // mib) + b"\x03\x00"
    crc = 0
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size, info.compress_size, info.CRC = size, len(data), crc
    fp = zf.fp
    assert fp is not None
    info.header_offset = fp.tell()
    fp.write(info.FileHeader(zip64=True))
    fp.write(data)
    zf.start_dir = fp.tell()
    zf.filelist.append(info)
    zf.NameToInfo[name] = info
    zf._didModify = True  # type: ignore[attr-defined]


def _top(built_release) -> str:
    return built_release.folder.name


@pytest.mark.parametrize(
    "size, message",
    [(2 << 30, f"at most {MAX_ZIP_ENTRY:,} are extracted"), (256 << 20, f"at most {MAX_ZIP_RATIO} is extracted")],
)
def test_zip_bomb_is_refused_before_extraction(tmp_path, built_release, size, message):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w") as zf:
        _copy_entries(built_release.zip, zf)
        _zeros_entry(zf, f"{_top(built_release)}/extra.bin", size)
    assert bomb.stat().st_size < 5_000_000
    result = gsi("validate", bomb)
    assert_clean_exit(result, (2,))
    assert message in result.output


def test_undeclared_entry_is_refused(tmp_path, built_release):
    extra = tmp_path / "extra.zip"
    with zipfile.ZipFile(extra, "w") as zf:
        _copy_entries(built_release.zip, zf)
        zf.writestr(f"{_top(built_release)}/data/payload.exe", b"MZ")
    for command in (["validate", extra], ["info", "--path", extra]):
        result = gsi(*command)
        assert_clean_exit(result, (2,))
        assert "'data/payload.exe' is not declared" in result.output or "payload.exe" in result.output


def test_corrupted_entry_is_exit_2(tmp_path, built_release):
    raw = bytearray(built_release.zip.read_bytes())
    with zipfile.ZipFile(built_release.zip) as zf:
        info = zf.getinfo(f"{_top(built_release)}/data/citations.csv")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + min(info.compress_size - 2, 60)):
        raw[i] ^= 0xFF
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    for command in (["validate", bad], ["info", "--path", bad], ["diff", bad, bad]):
        result = gsi(*command)
        assert_clean_exit(result, (2,))
        assert "corrupt" in result.output


def test_file_and_folder_with_one_name(tmp_path, built_release):
    clash = tmp_path / "clash.zip"
    top = _top(built_release)
    with zipfile.ZipFile(clash, "w") as zf:
        zf.writestr(f"{top}/data", b"a file where a folder must be")
        _copy_entries(built_release.zip, zf)
    result = gsi("validate", clash)
    assert_clean_exit(result, (2,))
    assert "cannot be extracted" in result.output
