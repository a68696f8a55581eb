import os
from pathlib import Path

import pytest

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
