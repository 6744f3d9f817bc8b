"""Fuzzing with Hypothesis: random descriptors, random CSV bytes and random zips fed to validate, fmt, build, load
(`gsi info --path`), stats, codebook, diff and report. Whatever the input: no traceback, an exit code in {0, 1, 2},
nothing written outside the package and the output folder, and no network connection (a socket on 127.0.0.1 that
every URL in the inputs points at records any). About half a minute in all; GSI_FUZZ_EXAMPLES=1000 runs longer
(the examples are derandomized, so CI always runs the same ones)."""

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.hostile import Listener, assert_clean_exit, gsi
from tests.release_packages import EPOCH, make_package

FUZZ = settings(
    max_examples=int(os.environ.get("GSI_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COMMANDS = ("validate", "fmt", "build", "info", "stats", "codebook", "diff", "report")


@pytest.fixture(scope="module")
def net():
    sock = Listener()
    yield sock
    sock.close()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """sandbox/pkg (re-made for each example), sandbox/out, and sandbox/outside whose files must never change."""
    base = tmp_path_factory.mktemp("fuzz")
    (base / "outside").mkdir()
    (base / "outside" / "sentinel.csv").write_text("do not touch\n")
    template = make_package(base / "template")
    return base, template


def _fresh(sandbox) -> Path:
    base, template = sandbox
    for name in ("pkg", "out"):
        shutil.rmtree(base / name, ignore_errors=True)
    shutil.copytree(template, base / "pkg")
    return base / "pkg"


def _outside(base: Path) -> dict:
    """Every path under `base` that is not pkg/, out/ or the template, with its bytes; and the names beside `base`."""
    seen: dict[str, object] = {}
    for p in sorted(base.parent.iterdir()):
        if p != base:
            seen[p.name] = p.is_dir()
    for p in sorted(base.rglob("*")):
        rel = p.relative_to(base).parts
        if rel[0] in ("pkg", "out", "template"):
            continue
        seen["/".join(rel)] = p.read_bytes() if p.is_file() else "dir"
    return seen


def _run(sandbox, net, target: Path, command: str, old: Path | None = None) -> None:
    base, _ = sandbox
    before = _outside(base)
    args = {
        "validate": ["validate", target],
        "fmt": ["fmt", target],
        "build": ["build", target, "--out", base / "out"],
        "info": ["info", "--path", target],
        "stats": ["stats", target],
        "codebook": ["codebook", target, "--check"],
        "diff": ["diff", old or target, target, "--format", "markdown"],
        "report": ["report", target, "--out", base / "out"],
    }[command]
    result = gsi(*args)
    assert_clean_exit(result, (0, 1, 2))
    event(f"{command} exit {result.exit_code}")
    assert _outside(base) == before, "a file outside the package or the output folder changed"
    assert net.connections == 0, "a network connection was made"


def _values(net, base: Path):
    """Values a hostile contributor might put anywhere in a descriptor."""
    urls = [net.url + "x.json", f"//127.0.0.1:{net.port}/x", f"http://127.0.0.1:{net.port}/profile.json"]
    paths = ["../outside/sentinel.csv", "../../outside/x", str(base / "outside" / "abs"), "/tmp", "seeds/../.."]
    names = ["../../outside/sentinel", "Sources", ".x", "a/b", "=cmd", "\x1b[2J", ""]
    leaves = st.one_of(
        st.sampled_from(urls + paths + names),
        st.text(max_size=20),
        st.integers(),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=False),
    )
    return st.recursive(
        leaves,
        lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=8), kids, max_size=3)),
        max_leaves=8,
    )


def _paths(node, prefix=()):
    """Every (path, container) in a JSON document, for choosing where to mutate."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _set(doc, path, value):
    if not path:
        return value
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


KEYS = ["name", "path", "schema", "dialect", "$schema", "profile", "table", "format", "hash", "bytes", "fields"]


@FUZZ
@given(data=st.data(), command=st.sampled_from(COMMANDS), which=st.sampled_from(["datapackage", "schema"]))
def test_random_descriptors(sandbox, net, monkeypatch, built_release, data, command, which):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    root = _fresh(sandbox)
    file = root / "datapackage.json" if which == "datapackage" else root / "schemas" / "events.schema.json"
    doc = json.loads(file.read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(doc))))
        if data.draw(st.booleans()) and isinstance(doc, dict):
            target = doc if not path else _get(doc, path)
            if isinstance(target, dict):
                target[data.draw(st.sampled_from(KEYS))] = data.draw(_values(net, sandbox[0]))
                continue
        doc = _set(doc, path, data.draw(_values(net, sandbox[0])))
    file.write_text(json.dumps(doc), encoding="utf-8")
    _run(sandbox, net, root, command, built_release.zip)


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


CSV_PIECES = st.sampled_from(
    [
        ",",
        '"',
        '""',
        "\n",
        "\r\n",
        "\r",
        "\x00",
        "\ufeff",
        "=1+1",
        "src-a",
        "2024-13-45",
        "é",
        "e\u0301",
        " ",
        "\x1b[31m",
    ]
)


@FUZZ
@given(
    pieces=st.lists(st.one_of(CSV_PIECES, st.text(max_size=10)), max_size=60),
    raw=st.binary(max_size=200),
    keep_header=st.booleans(),
    use_raw=st.booleans(),
    command=st.sampled_from(COMMANDS),
)
def test_random_csv_bytes(sandbox, net, monkeypatch, built_release, pieces, raw, keep_header, use_raw, command):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    root = _fresh(sandbox)
    seed = root / "seeds" / "events.csv"
    header = seed.read_bytes().split(b"\n", 1)[0] + b"\n" if keep_header else b""
    body = raw if use_raw else "".join(pieces).encode("utf-8")
    seed.write_bytes(header + body)
    _run(sandbox, net, root, command, built_release.zip)


ZIP_NAMES = st.sampled_from(
    [
        "gsi-tracker-0.1.0/datapackage.json",
        "gsi-tracker-0.1.0/data/events.csv",
        "gsi-tracker-0.1.0/data",
        "gsi-tracker-0.1.0/data/",
        "../outside/evil.csv",
        "/abs/evil.csv",
        "gsi-tracker-0.1.0/../../outside/x",
        "gsi-tracker-0.1.0/extra.txt",
        "C:/evil",
    ]
)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@FUZZ
@given(
    entries=st.lists(st.tuples(ZIP_NAMES, st.binary(max_size=64), st.booleans()), max_size=4),
    flips=st.lists(st.tuples(st.integers(0, 10**9), st.integers(1, 255)), max_size=4),
    truncate=st.one_of(st.none(), st.integers(0, 10**9)),
    command=st.sampled_from(["validate", "info", "diff"]),
)
def test_random_zips(sandbox, net, built_release, entries, flips, truncate, command):
    base, _ = sandbox
    shutil.rmtree(base / "out", ignore_errors=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(built_release.zip) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        for name, data, link in entries:
            info = zipfile.ZipInfo(name)
            if link:
                info.external_attr = 0o120777 << 16
            out.writestr(info, data)
    raw = bytearray(buf.getvalue())
    for offset, mask in flips:
        raw[offset % len(raw)] ^= mask
    if truncate is not None:
        raw = raw[: truncate % (len(raw) + 1)]
    target = base / "out" / "release.zip"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(bytes(raw))
    _run(sandbox, net, target, command, built_release.zip)
