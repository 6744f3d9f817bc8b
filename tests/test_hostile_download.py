"""A tampered mirror that sends more than the registry states: the download stops at the registry's byte count
instead of fetching everything before refusing (real HTTP on 127.0.0.1)."""

import pytest

from gsi_tracker.download import DownloadError, fetch_release
from tests.test_download import Quiet, Server, mirror  # noqa: F401  (the mirror fixture)

ENDLESS = 256 << 20


class Endless(Quiet):
    """Sends up to 256 MiB of zeros without a Content-Length, counting what the client took."""

    sent = 0

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        block = b"\0" * (1 << 16)
        try:
            for _ in range(ENDLESS // len(block)):
                self.wfile.write(block)
                type(self).sent += len(block)
        except OSError:
            pass
        self.close_connection = True


def test_download_stops_at_the_registered_byte_count(mirror):  # noqa: F811
    with mirror.served_by(Endless), pytest.raises(DownloadError, match="larger than") as err:
        fetch_release(mirror.version)
    assert err.value.path == mirror.zip_name
    assert mirror.cached() == []
    assert Endless.sent < 32 << 20  # stopped early: the rest stays in socket buffers at most
