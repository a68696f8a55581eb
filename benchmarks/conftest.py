"""pytest settings for `pytest benchmarks` run on its own (tests/conftest.py does the same for the course tests)."""
import os
from pathlib import Path

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def pytest_configure(config):
    # The quality race needs MNIST; tests never need the internet: use the offline copy beside the repository.
    if not os.environ.get("GAN_UTILS_MNIST_DIR") and SHARED_MNIST.is_dir():
        os.environ["GAN_UTILS_MNIST_DIR"] = str(SHARED_MNIST)
    os.environ.setdefault("MPLBACKEND", "Agg")
