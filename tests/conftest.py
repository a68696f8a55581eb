import os
from pathlib import Path

import pytest

# The browser tests' session fixtures, defined once here so that every test module shares one JupyterLab server and
# one Chromium (Playwright's sync API allows one instance per thread: a second module importing its own copy of
# these session fixtures would start a second one and fail).
from browser import chromium, jupyter  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"


def pytest_configure(config):
    # Tests never need the internet: point the loader at the offline copy beside the repository.
    if not os.environ.get("GAN_UTILS_MNIST_DIR") and SHARED_MNIST.is_dir():
        os.environ["GAN_UTILS_MNIST_DIR"] = str(SHARED_MNIST)
    os.environ.setdefault("MPLBACKEND", "Agg")
    config.addinivalue_line("markers", "browser: drives JupyterLab / Notebook 7 in headless Chromium "
                            "(tests/browser.py); skipped without Chromium and playwright; deselect: -m 'not browser'")


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    d = os.environ.get("GAN_UTILS_MNIST_DIR")
    assert d and Path(d).is_dir(), ("MNIST is needed offline: set GAN_UTILS_MNIST_DIR to a folder with the four "
                                    "MNIST .gz files (CI uses ../shared/data/mnist).")
    return Path(d)


@pytest.fixture(scope="module")
def ring20(tmp_path_factory) -> Path:
    """The `train --out` folder of a 20-step toy run, made once per test module; tests work on copies of it."""
    from gan_utils.__main__ import main
    out = tmp_path_factory.mktemp("ring") / "run"
    assert main(["train", "--dataset", "ring", "--steps", "20", "--out", str(out), "--quiet"]) == 0
    return out
