"""How large the label's part of the late concatenation's hidden units is at initialisation, over many initialisations
(notebook 08, section 1.3; issue #26: a check on a random outcome holds with a margin measured over several seeds).

``python benchmarks/nb08_label_share.py --seeds 0-39`` (from the repository root) builds, for each seed, the race's
discriminators as the notebook does (its own source, up to the cell that measures them, so it cannot drift from it)
and prints one JSON line per seed: the std of the label's part of the hidden units' input over that of phi(x)'s part,
on 256 training digits, for the late concatenation (10 units), its wide variant (128) and its scaled input (one-hot
x 16), and the projection's label term over its image term; then the range over the seeds. Results and date:
``benchmarks/RESULTS.md``. Not part of the course package.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os

import numpy as np

NOTEBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notebooks", "08_conditional_generation.py")
NAMES = ("late concatenation", "late concatenation, wide", "late concatenation, scaled")


def _definitions() -> dict:
    """The notebook's namespace up to the cell that compares the discriminators before training."""
    import matplotlib
    matplotlib.use("Agg")
    src = open(NOTEBOOK).read()
    # section 1 (the data and the hand-made discriminators) and Appendix A's definitions: the core's other sections
    # and its exercise checker are not needed, and the checker would print to stdout
    code = (src[:src.index("# ## 2. Style and content")]
            + src[src.index("# ## Appendix A: the race in full"):
                  src.index("# %%\n# What differs between the discriminators")])
    ns = {"__name__": "nb08", "print": lambda *a, **k: None}
    cwd = os.getcwd()
    os.chdir(os.path.dirname(NOTEBOOK))          # the notebook's relative paths
    try:
        with contextlib.redirect_stdout(io.StringIO()):   # nothing the notebook prints may mix with the JSON lines
            exec(compile(code, NOTEBOOK, "exec"), ns)
    finally:
        os.chdir(cwd)
    return ns


def shares(ns: dict, seed: int) -> dict:
    """The label's part over the image's part at initialisation, for the race's discriminators of this seed."""
    import jax.numpy as jnp
    x, y = ns["x_train_j"][:256], ns["y_train_j"][:256]
    row = {"seed": seed}
    for name in NAMES:
        D = ns["race_gan"](seed, name).discriminator
        feats = D.body.features(x)
        w = D.hidden.kernel[...]
        row[name] = float(jnp.std(D.label_scale * w[feats.shape[1]:][y]) / jnp.std(feats @ w[:feats.shape[1]]))
    D = ns["race_gan"](seed, "projection").discriminator
    feats = D.body.features(x)
    row["projection"] = float(jnp.std(jnp.sum(D.embed(y) * feats, -1)) / jnp.std(D.body.fc(feats)[:, 0]))
    return row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-39", help="a range a-b (inclusive) or one seed")
    args = parser.parse_args(argv)
    a, _, b = args.seeds.partition("-")
    seeds = range(int(a), int(b or a) + 1)
    ns = _definitions()
    rows = [shares(ns, s) for s in seeds]
    for r in rows:
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}), flush=True)
    summary = {"seeds": f"{seeds.start}-{seeds.stop - 1}"}
    for name in (*NAMES, "projection"):
        v = np.array([r[name] for r in rows])
        summary[name] = {"min": round(float(v.min()), 3), "median": round(float(np.median(v)), 3),
                         "max": round(float(v.max()), 3)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
