"""Helpers for the tests of hostile input: a package to tamper with, a CLI runner, and a listening socket that
records every connection made to it (so a test can prove nothing was fetched)."""

import socket
import threading
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
    """A socket on 127.0.0.1 that accepts connections, never answers, and counts them."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self._open.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for c in self._open:
            c.close()
        self.sock.close()
