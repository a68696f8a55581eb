"""Notebook paths that the default run does not take, run as a learner would take them."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_notebook_05_with_the_pretrained_weights():
    """USE_PRETRAINED = True (the classroom switch) runs notebook 05 top to bottom (test mode, nbval lax)."""
    env = {**os.environ, "GAN_COURSE_PRETRAINED": "1", "GAN_COURSE_TEST": "1", "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                          "--nbval-current-env", str(ROOT / "notebooks" / "05_training_loop.ipynb")],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
