"""Helpers for the tests of hostile input: a package to tamper with, a CLI runner, and a listening socket that
records every connection made to it (so a test can prove nothing was fetched)."""

import socket
from pathlib import Path

from click.testing import CliRunner

from gsi_tracker.cli import cli
from tests.release_packages import edit_json, make_package


def gsi(*args):
    """Run `gsi ARGS` in-process; the result's exit_code and output, and any exception it raised."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_clean_exit(result, codes=(0, 1, 2)) -> None:
    """No traceback: the command ended with one of `codes` through SystemExit."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback instead of an exit code: {result.exception!r}\n{result.output}")
    assert result.exit_code in codes, result.output


def package(tmp_path: Path, name: str = "pkg") -> Path:
    return make_package(tmp_path / name)


def edit_resource(root: Path, table: str, change) -> None:
    """Let `change` edit the resource of `table` in datapackage.json."""

    def edit(d):
        change(next(r for r in d["resources"] if r["name"] == table))

    edit_json(root / "datapackage.json", edit)


class Listener:
    """A socket on 127.0.0.1 that never answers and counts the connections made to it.

    A connection completes in the kernel's backlog before anyone accepts it, so `connections` accepts whatever is
    waiting before it counts: a check right after a command sees every connection that command made."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._count = 0
        self._open: list[socket.socket] = []

    @property
    def connections(self) -> int:
        while True:
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return self._count
            self._count += 1
            self._open.append(conn)

    def close(self) -> None:
        for c in self._open:
            c.close()
        self.sock.close()
