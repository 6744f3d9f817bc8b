from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def built_release(tmp_path_factory):
    """A release built once by `build.build_release` from the synthetic rows of tests/release_packages.py."""
    from gsi_tracker.build import build_release
    from tests.release_packages import EPOCH, make_package

    root = tmp_path_factory.mktemp("built")
    return build_release(make_package(root / "src"), root / "dist", epoch=EPOCH)


@pytest.fixture
def listener():
    """A socket on 127.0.0.1 that records connections and never answers."""
    from tests.hostile import Listener

    sock = Listener()
    yield sock
    sock.close()
