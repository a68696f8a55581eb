"""Command line of gan_utils: ``python -m gan_utils {train,sample,export,evaluate,doctor} --help``.

Examples:
  python -m gan_utils train --dataset mnist --model dcgan --steps 2000 --out run
  python -m gan_utils train --dataset ring --model mlp --minutes 1 --out ring_run
  python -m gan_utils sample --checkpoint run --n 10000 --out samples.npz
  python -m gan_utils sample --pretrained --n 10000 --out samples.npz
  python -m gan_utils doctor run
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import json
import os
import re
import shutil
import signal
import sys
import threading
import warnings
from pathlib import Path

from .config import IMAGE_MODELS, GANConfig, command_line_defaults

__all__ = ["main", "make_parser", "CLIError"]

# The training options and their defaults are GANConfig's fields (the `train` flags are made from them: _config_flags;
# the two defaults the command line derives: config.command_line_defaults); these are the command line's own.
SAMPLE_EVERY = 500        # steps between sample grids written to the output folder
GLYPH_GRID = 16           # held-out characters in a glyph translator's grids (and `sample`'s default --n for it)
CHECKPOINT_EVERY = 1000   # steps between checkpoints


class CLIError(Exception):
    """An error that the command line reports in one line, without a traceback."""


def _training_data(config: GANConfig):
    import jax
    import numpy as np
    from . import data

    if config.dataset == "glyphs":   # (target, source): the step's "labels" are the source glyphs G translates
        pairs = data.load_glyphs("train", size=config.glyph_size)
        return (data.to_unit_range(pairs.target), data.to_unit_range(pairs.source))
    if config.dataset == "mnist":
        x, y = data.load_mnist("train")
        if config.subset:   # the same digits whatever the seed (data.subset_indices)
            keep = data.subset_indices(config.subset, len(y))
            x, y = x[keep], y[keep]
        x = data.to_unit_range(x)
        if config.model == "mlp":
            x = x.reshape(len(x), -1)
        if config.self_condition:   # the labels are not used: cluster ids are written here as training goes
            return (x, np.zeros(len(x), np.int32))
        return (x, y.astype(np.int32)) if config.conditional else x
    dist = data.toy_dataset(config.dataset)
    return np.asarray(dist.sample(jax.random.key(config.seed + 1), config.toy_points))


GRID_NAME = re.compile(r"samples_(\d{6,})\.png")   # the grids `train` writes: samples_{step:06d}.png


def _leftover_saves(out: Path) -> list[Path]:
    """The copies of the run's checkpoint that a killed save left in ``out`` (.checkpoint.tmp-PID-..., .old-PID-...)."""
    from . import checkpoint
    ckpt = out / checkpoint.RUN_SUBDIR
    return checkpoint._leftovers(ckpt, "tmp") + checkpoint._leftovers(ckpt, "old")


def _run_outputs(out: Path) -> list[str]:
    """The files of an earlier `train` run in folder ``out`` (what a new run there would replace)."""
    from . import checkpoint
    names = [checkpoint.RUN_SUBDIR, checkpoint.FRAMES_FILE, checkpoint.METRICS_FILE]
    found = [n for n in names if os.path.lexists(out / n)]
    found += [p.name for p in _leftover_saves(out)]
    return found + sorted(p.name for p in out.glob("samples_*.png") if GRID_NAME.fullmatch(p.name))


def _recorded_grids(frames_file: Path) -> set[int]:
    """The steps of the grids a run wrote, from its record frames.npz (train writes it before each grid's PNG)."""
    import numpy as np
    try:
        with np.load(frames_file) as z:
            return {int(s) for s in np.asarray(z["step"]).ravel()}
    except Exception:   # none, or unreadable: no grid is known to be train's
        return set()


def _earlier_run(out: Path) -> tuple[list[str], list[str]]:
    """What `train --overwrite` deletes in ``out``: the files the earlier run wrote (its checkpoint folder, whose
    content check_target checks, frames.npz, metrics.json, samples.png, the grids its frames.npz records, the copies a
    killed save left); and those of train's names that no record shows train wrote (refused: never deleted)."""
    from . import checkpoint
    ours, other = [], []
    if os.path.lexists(out / checkpoint.RUN_SUBDIR):
        ours.append(checkpoint.RUN_SUBDIR)
    for name in (checkpoint.FRAMES_FILE, checkpoint.METRICS_FILE, "samples.png"):
        p = out / name
        if os.path.lexists(p):
            (ours if p.is_file() and not p.is_symlink() else other).append(name)
    recorded = _recorded_grids(out / checkpoint.FRAMES_FILE)
    if not (out / checkpoint.FRAMES_FILE).is_file() or any(out.glob(checkpoint.FRAMES_FILE + ".unreadable*")):
        # the record was set aside as unreadable (a resume starts a new one) or predates frames.npz: the grids up to
        # the run's checkpoint are its own
        try:
            last = int(checkpoint.load_meta(out / checkpoint.RUN_SUBDIR)["step"])
        except Exception:
            last = -1
        recorded |= {int(m[1]) for p in out.glob("samples_*.png") if (m := GRID_NAME.fullmatch(p.name))
                     and int(m[1]) <= last}
    for p in sorted(out.glob("samples_*.png")):
        m = GRID_NAME.fullmatch(p.name)
        if m:
            (ours if int(m[1]) in recorded and p.is_file() and not p.is_symlink() else other).append(p.name)
    ckpt = out / checkpoint.RUN_SUBDIR
    for p in _leftover_saves(out):
        if not checkpoint._in_use(ckpt, p):     # one in use: the lock refuses the run, naming the process
            (ours if checkpoint._ours(ckpt, p) else other).append(p.name)
    return ours, other


def _not_trains(out: Path, other: list[str]) -> CLIError:
    return CLIError(f"--overwrite replaces the files of the run in {out}, but {', '.join(other[:3])}"
                    f"{', ...' if len(other) > 3 else ''} {'is' if len(other) == 1 else 'are'} not a file that train "
                    "wrote (its frames.npz records every grid it wrote); move it away first, or choose a new --out.")


def _check_train_args(args) -> None:
    """Refuses, before anything is loaded, the flags and --out folders a run cannot start with."""
    import math
    out = Path(args.out)
    if not args.out.strip():   # Path("") is the current folder
        raise CLIError("--out is empty; pass a folder name for the run, e.g. --out run.")
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} is a file; pass a folder name for the run (it is created).")
    if (out / "meta.json").exists():   # grids written there would make its next save refuse (or delete them)
        raise CLIError(f"--out {out} is a checkpoint folder itself; pass the run folder that holds it "
                       f"({out.parent}), or a new folder.")
    from . import checkpoint
    # the run's checkpoint folder must be one its saves can replace: found now, not after the training (a folder of
    # the learner's files named checkpoint, --out inside another run's checkpoint, a link to nothing)
    checkpoint.check_target(out)
    checkpoint.check_target(out / checkpoint.RUN_SUBDIR, checkpoint_folder=True)
    if args.steps is not None and args.steps < 1:
        raise CLIError(f"--steps must be positive, got {args.steps}.")
    if args.minutes is not None and not 0 < args.minutes * 60 < math.inf:
        raise CLIError(f"--minutes must be a positive, finite number of minutes, got {args.minutes}.")
    for flag in ("sample_every", "checkpoint_every"):
        if getattr(args, flag) < 0:
            raise CLIError(f"--{flag.replace('_', '-')} must be a number of steps >= 0 (0: only at the end), got "
                           f"{getattr(args, flag)}.")
    if args.model in IMAGE_MODELS and args.dataset != "mnist":
        raise CLIError(f"--model {args.model} needs --dataset mnist (images); use --model "
                       f"{'pix2pix' if args.dataset == 'glyphs' else 'mlp'} for {args.dataset}.")
    if args.resume and args.overwrite:
        raise CLIError("--resume continues the run in --out and --overwrite replaces it: pass one of them.")
    existing = _run_outputs(out) if out.is_dir() else []
    if args.overwrite and existing:   # what --overwrite deletes: the files train wrote, never one of the learner's
        other = _earlier_run(out)[1]
        if other:
            raise _not_trains(out, other)
    if existing and not (args.resume or args.overwrite):
        # a new run would replace the checkpoint (and grids) of the one there, whatever its dataset or its quality
        raise CLIError(f"{out} already holds a run ({', '.join(existing[:3])}{', ...' if len(existing) > 3 else ''})."
                       " Pass --resume to continue it, --overwrite to replace it, or choose a new --out.")


def cmd_train(args) -> None:
    from . import checkpoint
    out = Path(args.out)
    _check_train_args(args)
    created = not os.path.lexists(out)
    try:
        # one process per run: a second `train` (or a save from elsewhere) on this run is refused, naming this one
        with checkpoint.lock(out / checkpoint.RUN_SUBDIR):
            _train(args, out)
    except BaseException:
        if created:                   # a run that failed before writing anything leaves no empty folder behind
            with contextlib.suppress(OSError):
                out.rmdir()
        raise


def _train(args, out: Path) -> None:
    import jax
    import numpy as np
    from . import checkpoint, data, models, plots, train
    from .config import build_gan

    # compiled programs kept on disk: a second run (or a resumed one) skips most of its compiling, which is most of a
    # short toy run's fixed cost (a 10,000-step ring run's process: benchmarks/RESULTS.md)
    from .devices import enable_compilation_cache
    try:
        enable_compilation_cache()
    except OSError:                   # an unwritable home: compile every time, as before
        pass
    derived = {name for name in ("self_condition", "lr_anneal") if getattr(args, name) is None}
    config = GANConfig(**command_line_defaults({f.name: getattr(args, f.name) for f in dataclasses.fields(GANConfig)},
                                               args.steps))
    start, history = 0, None
    resuming = args.resume
    if resuming:   # a resumed run keeps the recipe it was started with, whatever the other flags say
        try:
            ckpt_dir = checkpoint.resolve(out)
        except checkpoint.CheckpointError as e:   # never a silent restart at step 0
            raise CLIError(f"nothing to resume: {e} Drop --resume to start a new run.") from e
        stored = checkpoint.load_meta(ckpt_dir).get("config")
        if not stored:
            raise CLIError(f"{out} holds a checkpoint without a config; pass a new --out to start another run.")
        saved = GANConfig.from_dict(stored)
        # the options this command line sets that the run does not have; a default this command line derives (the
        # toy runs' --lr-anneal from --steps, --self-condition from the dataset) is not one it set
        changed = {k: v for k, v in saved.to_dict().items()
                   if config.to_dict().get(k) != v and k not in derived}
        if changed:
            print(f"resuming with the run's own options (differing from this command line: {changed})")
        config = saved
    else:
        ckpt_dir = out / checkpoint.RUN_SUBDIR
    x = _training_data(config)
    gan = build_gan(config)
    key = jax.random.key(config.seed)
    k_run, k_data, k_fixed = jax.random.split(key, 3)
    if resuming:
        start, k_run, meta = checkpoint.restore(ckpt_dir, gan)
        history = meta.get("history")
        print(f"resuming {out} at step {start}")
    batches = data.BatchSampler(x, config.batch_size, k_data)
    selfcond = None
    if config.self_condition:   # pseudo-labels: k-means on D's features, now and every clusters.RECLUSTER_EVERY steps
        from . import clusters
        true_digits = data.load_mnist("train")[1]   # only to report how well the clusters match the digits
        if config.subset:
            true_digits = true_digits[data.subset_indices(config.subset, len(true_digits))]
        selfcond = clusters.SelfConditioning.for_config(config, x[0], x[1], score_labels=true_digits)
        first = selfcond.start(gan, start)
        print(f"clusters at step {start}: purity {first['purity']:.3f}, NMI {first['nmi']:.3f} against the digits "
              "(which training never sees)", flush=True)
    if args.overwrite and out.is_dir() and _run_outputs(out):
        # asked for: the earlier run's files go, so none is mistaken for this run's; only the files it wrote
        checkpoint.check_target(ckpt_dir, checkpoint_folder=True)   # never a folder of the learner's own files
        ours, other = _earlier_run(out)
        if other:
            raise _not_trains(out, other)
        for name in ours:
            p = out / name
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    n_grid, nrow = (100, 10) if config.conditional else (64, 8)   # conditional: one column per digit, 0 to 9
    glyphs = config.dataset == "glyphs"
    if glyphs:   # the grid: the first held-out characters (rows: printed source, translation, true brush glyph)
        n_grid = nrow = GLYPH_GRID
        held_out = data.load_glyphs("test", size=config.glyph_size, n=n_grid)
    side = config.glyph_size if glyphs else 28
    z_fixed = jax.random.normal(k_fixed, (n_grid, gan.latent_dim))

    frames_file = out / checkpoint.FRAMES_FILE   # every grid, as uint8 frames: notebook 05 animates a run from it
    frames = _read_frames(frames_file, (n_grid, side, side)) if resuming else None
    frames = frames or {"step": np.zeros(0, np.int64)}

    def write_samples(step, gan, hist):
        if glyphs:
            s = models.translate(gan.sampler(), data.to_unit_range(held_out.source))
        else:
            s = models.sample(gan.sampler(), None, n_grid, z=z_fixed)   # g_ema (re-estimated statistics) when --ema
        if config.dataset in ("mnist", "glyphs"):
            img = np.asarray(s).reshape(n_grid, side, side, 1)
            grid = (np.concatenate([data.to_unit_range(held_out.source), img, data.to_unit_range(held_out.target)])
                    if glyphs else img)
            keep = frames["step"] < step                           # a resumed run redraws its last grid
            frames["images"] = np.concatenate([frames.get("images", np.zeros((0, n_grid, side, side), np.uint8))[keep],
                                               data.to_uint8(img[..., 0])[None]])
            frames["step"] = np.append(frames["step"][keep], step)
            # first: frames.npz is the record of the grids this run wrote (--overwrite deletes those, and no other)
            with checkpoint.atomic_file(frames_file) as tmp:      # a kill or a full disk mid-write keeps the old file
                np.savez_compressed(tmp, **frames)
            for name in (f"samples_{step:06d}.png", "samples.png"):
                plots.save_image_grid(out / name, grid, nrow=nrow)   # all or nothing (checkpoint.atomic_file)

    if not resuming:
        write_samples(0, gan, None)   # the untrained generator: the first frame (sampling leaves the run unchanged)
    # the doctor (gan_utils.doctor) reads the run at every sample grid and says when its verdict changes
    from . import doctor as doctor_lib
    doc = doctor_lib.Doctor(config, echo=lambda line: print(line, flush=True))
    try:
        result = train.fit(gan, batches, key=k_run, steps=args.steps, minutes=args.minutes, start_step=start,
                           callbacks=[c for c in (selfcond, write_samples, doc) if c is not None],
                           callback_every=args.sample_every,
                           checkpoint_dir=str(ckpt_dir), checkpoint_every=args.checkpoint_every, config=config,
                           history=history, progress=not args.quiet)
    except train.TrainingDiverged as e:   # the checkpoint holds the last good state; say where and what to try
        verdict = doctor_lib.Diagnosis("diverged", f"a loss became NaN/Inf at step {e.step}", e.step,
                                       {"nonfinite_step": e.step})
        _write_json(out / "metrics.json", {"summary": {"step": e.result.step, "diverged_at": e.step},
                                           "doctor": verdict.to_dict(), "history": e.result.history})
        print(verdict)
        raise
    h = result.history
    done = result.step - start
    if done == 0 and args.minutes is not None:
        raise CLIError(f"--minutes {args.minutes} ran out before the first training step (compiling alone takes "
                       f"seconds); the run is saved in {out} at step {result.step}. Give it more minutes (--resume).")
    try:   # the run is saved at result.step: whatever stops what follows, the message says so (main)
        img_s = done * config.batch_size / max(result.seconds - result.compile_seconds, 1e-9)
        summary = {"step": result.step, "seconds": round(result.seconds, 1),
                   "compile_seconds": round(result.compile_seconds, 2), "images_per_second": round(img_s, 1),
                   **{k: round(float(np.mean(h[k][-100:])), 4) if h.get(k) else None
                      for k in ("d_loss", "g_loss", "d_real", "d_fake")}}
        if glyphs:   # notebook 11's scores on the held-out characters (translation_scores)
            from . import translation
            test = data.load_glyphs("test", size=config.glyph_size)
            fake = np.asarray(models.translate(gan.sampler(), data.to_unit_range(test.source)))
            if np.all(np.isfinite(fake)):
                scores = translation.translation_scores(fake, data.to_unit_range(test.target), test.chars)
                summary.update({f"heldout_{k}": v if v is None else round(v, 4) for k, v in scores.items()})
        elif config.dataset != "mnist":     # the papers' scores (VEEGAN, PacGAN; notebook 07's table): 2,500 samples
            from . import metrics
            fake = np.asarray(models.sample(gan.sampler(), jax.random.key(0), 2500))
            if np.all(np.isfinite(fake)):
                summary.update({k: round(float(v), 4) for k, v in metrics.toy_mode_metrics(fake, data.toy_dataset(
                    config.dataset)).items() if k in ("modes_covered", "high_quality_fraction", "reverse_kl")})
        final = doc.last if doc.last is not None and doc.last.step == result.step else doc(result.step, gan, h)
        _write_json(out / "metrics.json", {"summary": summary, "doctor": final.to_dict(), "history": h,
                                           **({"clusters": selfcond.log} if selfcond else {})})
        if config.dataset in ("ring", "grid"):
            import matplotlib.pyplot as plt
            fake = np.asarray(models.sample(gan.sampler(), jax.random.key(1), 2000))
            lim = 1.6 if config.dataset == "ring" else 5.5
            ax = plots.plot_2d(x[:2000], fake, lim=lim, title=f"{config.dataset}: step {result.step}")
            with checkpoint.atomic_file(out / "samples.png") as tmp:
                ax.figure.savefig(tmp, dpi=100, bbox_inches="tight")
            plt.close(ax.figure)
        print(json.dumps(summary))
        print(f"final verdict: {final}")
        print(f"wrote {out}/ (checkpoint, samples.png, metrics.json); `python -m gan_utils doctor {out}` asks again")
    except BaseException as e:
        if getattr(e, "saved_step", None) is None:
            with contextlib.suppress(AttributeError):
                e.saved_step = result.step
        raise


def _write_json(path: Path, content: dict) -> None:
    """Writes strict JSON, all or nothing: a value that is not a finite number (the reverse KL of samples that miss a
    mode is infinite) is written as null, since strict parsers (JavaScript's, jq) refuse NaN and Infinity. Files
    written before, with Infinity, still read with Python's json."""
    from . import checkpoint
    from .checkpoint import _json_safe
    with checkpoint.atomic_file(path) as tmp:
        tmp.write_text(json.dumps(_json_safe(content), allow_nan=False))


def _read_frames(path: Path, shape: tuple[int, int, int]) -> dict | None:
    """The sample grids of a run being resumed, or None (with a warning, the file set aside) if unreadable."""
    import numpy as np
    if not path.exists():
        return None
    try:
        with np.load(path) as z:
            frames = {k: z[k] for k in z.files}
        if frames["step"].ndim != 1 or frames.get("images", np.zeros((len(frames["step"]), *shape))).shape \
                != (len(frames["step"]), *shape):
            raise ValueError("its arrays do not fit this run's grids")
        return frames
    except Exception as e:   # truncated by a kill or a full disk: zipfile, zlib, OSError and KeyError among others
        bad = path.with_name(path.name + ".unreadable")
        n = 1
        while os.path.lexists(bad):   # an earlier one set aside is kept, never replaced
            n += 1
            bad = path.with_name(f"{path.name}.unreadable-{n}")
        os.replace(path, bad)
        print(f"warning: {path} is unreadable ({type(e).__name__}: {e}); moved it to {bad.name} and started a new "
              "one (the samples_*.png grids are kept).", file=sys.stderr)
        return None


MAX_SAMPLES = 1_000_000   # --n: ten times what FID needs; 1e9 would fill the memory before writing anything
SAMPLES = 10_000           # --n by default: what MNIST-FID is computed on
GLYPH_SAMPLES = 16         # --n by default for a glyph translator: a page of glyphs to look at
MAX_CHARS = 3_755          # --chars: at most as many as the glyph set holds (GB2312 level 1)


def cmd_sample(args) -> None:
    import jax
    import numpy as np
    from . import checkpoint, data, models

    if args.n is not None and not 1 <= args.n <= MAX_SAMPLES:
        raise CLIError(f"--n must be between 1 and {MAX_SAMPLES:,}, got {args.n}.")
    if bool(args.pretrained) == bool(args.checkpoint):
        raise CLIError("pass either --checkpoint DIR (a folder written by `train --out`) or --pretrained [KIND] (a "
                       "generator shipped with gan_utils), not " + ("both." if args.pretrained else "neither."))
    if args.pretrained not in (None, "default", *checkpoint.PRETRAINED_KINDS):
        raise CLIError(f"--pretrained takes one of {', '.join(checkpoint.PRETRAINED_KINDS)} (or nothing, for the "
                       f"default, selfcond), got {args.pretrained!r}.")
    src = (checkpoint.pretrained_dir(None if args.pretrained == "default" else args.pretrained)
           if args.pretrained else Path(args.checkpoint))
    if not src.exists():
        raise CLIError(f"no checkpoint at {src}" + (" (the pretrained weights are missing from this install)"
                                                   if args.pretrained else "; pass the --out folder of `train`."))
    out = Path(args.out)
    if out.is_dir():
        raise CLIError(f"--out {out} is a folder; pass a file name, e.g. {out / 'samples.npz'}.")
    if out.suffix != ".npz":   # what np.savez would have named it; `evaluate` recognises .npz files by their suffix
        out = out.with_name(out.name + ".npz")
    checkpoint.check_target(out)   # before the sampling, not after it
    _check_samples_target(out)
    gan = checkpoint.load_gan(src)
    config = GANConfig.from_dict(checkpoint.load_meta(src)["config"])
    if config.dataset == "glyphs" or args.chars is not None:
        return _sample_glyphs(args, src, gan, config, out)
    conditional = config.conditional
    if args.label is not None and not conditional:
        raise CLIError(f"--label asks a class-conditional generator for a digit, but {src} is unconditional; train "
                       "one with `train --conditional`, or drop --label.")
    if args.label is not None and not 0 <= args.label <= 9:
        raise CLIError(f"--label must be a digit 0..9, got {args.label}.")
    args.seed = 0 if args.seed is None else args.seed
    if not 0 <= args.seed < 2**62:
        raise CLIError(f"--seed must be in 0 .. 2**62, got {args.seed}.")
    g = gan.sampler()
    args.n = SAMPLES if args.n is None else args.n
    labels = np.asarray(models.class_labels(args.n, g.num_classes, args.label)) if conditional else None
    samples = np.asarray(models.sample(g, jax.random.key(args.seed), args.n, labels=labels))
    if config.dataset == "mnist":
        arrays = dict(samples=data.to_uint8(samples.reshape(args.n, 28, 28)))
        if conditional:
            arrays["labels"] = labels
    else:
        arrays = dict(samples=samples.astype(np.float32))
    with checkpoint.atomic_file(out) as tmp:   # an interrupted write leaves no truncated .npz behind
        np.savez_compressed(tmp, **arrays)
    print(f"wrote {args.n} samples from {src}{_at_step(src)} to {out} (key 'samples', shape "
          f"{arrays['samples'].shape}).")


def _at_step(src: Path) -> str:
    """ " (step N)" of the checkpoint sampled, saying so when it is untrained (a run stopped at step 0)."""
    from . import checkpoint
    step = checkpoint.load_meta(src).get("step")
    return "" if step is None else " (step 0: untrained)" if step == 0 else f" (step {step:,})"


def _check_samples_target(out: Path) -> None:
    """`sample` replaces a file it wrote before (an .npz holding 'samples'), never another file of the learner's."""
    import numpy as np
    if not out.exists():
        return
    try:
        with np.load(out) as z:
            ours = "samples" in z.files
    except Exception:
        ours = False
    if not ours:
        raise CLIError(f"--out {out} exists and is not a file that `sample` wrote (no 'samples' array in it): "
                       "choose another --out, or move that file away.")


def _sample_glyphs(args, src: Path, gan, config: GANConfig, out: Path) -> None:
    """`sample` for a glyph translator: the characters of --chars (default: the first --n held-out ones) in its
    brush style, beside their printed source and (where the data has one) the true brush glyph."""
    import numpy as np
    from . import checkpoint, data, models
    if config.dataset != "glyphs":
        raise CLIError(f"--chars asks a glyph translator for characters, but {src} is a {config.dataset} GAN; pass "
                       "--pretrained glyphs or the --out folder of `train --dataset glyphs`, or drop --chars.")
    if args.label is not None:
        raise CLIError("--label is for the class-conditional digits; a glyph translator takes --chars.")
    if args.seed is not None:   # it would be recorded nowhere and change nothing
        raise CLIError("--seed picks the latent noise, and a glyph translator takes none (the same characters give "
                       "the same glyphs): drop --seed.")
    if args.chars is not None and args.n is not None:
        raise CLIError("--n counts the held-out characters sampled when --chars is left out; with --chars, drop --n.")
    pairs = data.load_glyphs("all", size=config.glyph_size)
    if args.chars is None:   # a page of glyphs to look at, not the whole held-out set (--n asks for more)
        held_out = data.load_glyphs("test", size=config.glyph_size).chars
        if args.n is not None and args.n > len(held_out):
            raise CLIError(f"--n {args.n}: the held-out set has {len(held_out)} characters; pass --n {len(held_out)} "
                           "or less, or --chars with the characters to draw.")
        chars = held_out[:GLYPH_SAMPLES if args.n is None else args.n]
    else:
        chars = "".join(c for c in args.chars if not c.isspace())
        if len(chars) > MAX_CHARS:   # a pasted book: one glyph each would take minutes and a file of megabytes
            raise CLIError(f"--chars holds {len(chars):,} characters; sample draws at most {MAX_CHARS:,} at once "
                           "(repeats included): split the text, or pass the characters to draw (e.g. --chars "
                           "生成对抗网络).")
        missing = sorted({c for c in chars if c not in pairs.chars}, key=chars.index)
        if not chars or missing:
            raise CLIError(("--chars holds no character" if not chars else
                            f"the glyph data has no {''.join(missing)!r}") + ": it holds the 3,755 common characters "
                           "of GB2312 level 1 (simplified Chinese, e.g. --chars 生成对抗网络); rarer characters, "
                           "traditional forms and Latin letters are not in it.")
    chosen = pairs.select(pairs.index(chars))
    translated = models.translate(gan.sampler(), data.to_unit_range(chosen.source))
    arrays = dict(samples=data.to_uint8(np.asarray(translated)[..., 0]), source=chosen.source[..., 0],
                  target=chosen.target[..., 0], chars=np.array(list(chars)))
    with checkpoint.atomic_file(out) as tmp:
        np.savez_compressed(tmp, **arrays)
    print(f"wrote {len(chars)} translated glyphs ({chars[:20]}{'...' * (len(chars) > 20)}) from {src}{_at_step(src)} "
          f"to {out} (key "
          f"'samples', uint8 {arrays['samples'].shape}, 255 = ink; 'source' and 'target' the printed and the true "
          "brush glyphs, 'chars' the characters).")


def cmd_doctor(args) -> None:
    from . import doctor
    d = doctor.diagnose_run(args.run_dir)
    print(f"verdict: {d.verdict}")
    print(f"why: {d.reason}")
    if d.verdict != "healthy":
        print(f"try: {d.fix}" + (f" (flags: {d.flags})" if d.flags else ""))
    print(f"where the course explains it: {d.where}")
    print("evidence: " + ", ".join(f"{k}={_short(v)}" for k, v in d.to_dict()["evidence"].items()))
    print(json.dumps(d.to_dict()))


def _short(v):
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def cmd_export(args) -> None:
    from . import checkpoint

    meta = checkpoint.export_weights(args.checkpoint, args.out)
    size = sum(f.stat().st_size for f in Path(args.out).iterdir()) / 1e6
    print(f"wrote the networks of {args.checkpoint} (step {meta.get('step')}) to {args.out} ({size:.1f} MB)")


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gan_utils", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="{train,sample,export,evaluate,doctor}")
    fmt = argparse.ArgumentDefaultsHelpFormatter

    t = sub.add_parser("train", help="train a GAN and write a checkpoint, sample grids and metrics",
                       formatter_class=fmt)
    budget = t.add_mutually_exclusive_group(required=True)
    budget.add_argument("--steps", type=int, help="train until this many steps")
    budget.add_argument("--minutes", type=float, help="or train for this wall-clock budget (a classroom's)")
    t.add_argument("--out", required=True, help="output folder (checkpoint, samples*.png, metrics.json)")
    _config_flags(t)
    t.add_argument("--sample-every", type=int, default=SAMPLE_EVERY,
                   help="steps between sample grids (0: only the first and the last)")
    t.add_argument("--checkpoint-every", type=int, default=CHECKPOINT_EVERY,
                   help="steps between checkpoints (0: only at the end, or when stopped)")
    t.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    t.add_argument("--overwrite", action="store_true",
                   help="replace the run saved in --out (its checkpoint, grids and metrics) by a new one")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    s = sub.add_parser("sample", help="draw samples from a checkpoint into an .npz file", formatter_class=fmt)
    s.add_argument("--checkpoint", help="a folder written by `train --out`")
    # a bare --pretrained is "default": the self-conditioned one, or $GAN_UTILS_PRETRAINED_DIR when set
    s.add_argument("--pretrained", nargs="?", const="default", metavar="{selfcond,dcgan,conditional,glyphs,stylegan}",
                   default=None,
                   help="use a generator shipped with gan_utils: the self-conditioned DCGAN (the default; no labels, "
                        "notebook 09), the plain DCGAN of notebooks 03-05 (`--pretrained dcgan`), the "
                        "class-conditional one (`--pretrained conditional --label 7`), notebook 11's brush-style "
                        "translator (`--pretrained glyphs --chars 生成对抗网络`), or notebook 14's style-based "
                        "generator (`--pretrained stylegan`)")
    s.add_argument("--n", type=int, default=None,
                   help=f"number of samples; default {SAMPLES:,} (a glyph translator: the first {GLYPH_SAMPLES} "
                        "held-out characters)")
    s.add_argument("--out", default="samples.npz", help="output .npz; images are uint8 (N, 28, 28) under 'samples'")
    s.add_argument("--seed", type=int, default=None, help="seed of the latent noise (default 0; a glyph translator "
                                                           "takes no noise)")
    s.add_argument("--chars", default=None,
                   help="a glyph translator (--pretrained glyphs): the characters to write in its brush style, e.g. "
                        "--chars 生成对抗网络; default: the first --n held-out characters")
    s.add_argument("--label", type=int, default=None,
                   help="the digit to draw (class-conditional checkpoints); default: every digit in turn, with the "
                        "labels saved under 'labels'")
    s.set_defaults(func=cmd_sample)

    e = sub.add_parser("export", help="write a checkpoint's networks without optimizer state (to ship them)",
                       formatter_class=fmt)
    e.add_argument("--checkpoint", required=True, help="a folder written by `train --out`")
    e.add_argument("--out", required=True, help="the folder to write, e.g. gan_utils/assets/pretrained_dcgan")
    e.set_defaults(func=cmd_export)

    d = sub.add_parser("doctor", help="say what is wrong with a training run, with the evidence and what to try",
                       formatter_class=fmt)
    d.add_argument("run_dir", help="a folder written by `train --out`")
    d.set_defaults(func=cmd_doctor)

    _add_evaluate(sub, fmt)
    return p


def _config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per ``GANConfig`` field (``batch_size``: ``--batch-size``), its type, default, choices and help read
    from the field (``config._opt``), so that a new field is a new flag and no default is typed twice."""
    for f in dataclasses.fields(GANConfig):
        meta, flag = f.metadata, "--" + f.name.replace("_", "-")
        kinds = set(str(f.type).replace(" ", "").split("|"))
        if "bool" in kinds:
            parser.add_argument(flag, action="store_true", help=meta["help"])
            continue
        kind = int if "int" in kinds or f.name == "hidden" else float if "float" in kinds else str
        parser.add_argument(flag, type=kind, nargs="+" if f.name == "hidden" else None,
                            default=meta.get("command_line_default", f.default), choices=meta.get("choices"),
                            metavar=meta.get("metavar"), help=meta["help"])


def _add_evaluate(subparsers, formatter_class) -> None:
    """Adds ``evaluate`` (``metrics.cmd_evaluate``): its parser lives here so that ``--help`` imports no JAX."""
    e = subparsers.add_parser(
        "evaluate", formatter_class=formatter_class,
        help="score samples: MNIST-FID, Inception-style score, class histogram, precision/recall (JSON)",
        description="Scores generated samples and prints JSON. Images: MNIST-FID, Inception-style score, class "
                    "histogram and digits covered, precision and recall, with the shipped MNIST classifier. "
                    "2-D points (--dataset ring|grid): modes covered, high-quality fraction, reverse KL. "
                    "The JSON keys are listed in gan_utils/metrics.py.")
    e.add_argument("--samples", required=True,
                   help="an .npz with 'samples' (from `sample`), a folder of 28x28 PNGs, "
                        "or a folder of MNIST IDX files")
    e.add_argument("--real", default=None,
                   help="real images scored the same way, for the floor: mnist-train, a folder of PNGs or IDX files")
    e.add_argument("--reference", default=None, help="the real set every FID is measured against (default: "
                                                    "mnist-test; images only)")
    e.add_argument("--dataset", choices=["mnist", "ring", "grid"], default=None,
                   help="what the samples are; needed for 2-D points (ring or grid)")
    e.add_argument("--n", type=int, default=None, help="score only the first n samples (FID depends on n)")
    e.add_argument("--pr-n", type=int, default=5000, help="images of each set used for precision and recall")
    e.add_argument("--seed", type=int, default=0, help="picks the real subset when --real has more images")
    e.add_argument("--compact", action="store_true", help="one-line JSON")
    e.set_defaults(func=_cmd_evaluate)


def _cmd_evaluate(args) -> None:
    from .metrics import cmd_evaluate   # here, not at the top: metrics imports JAX, which `--help` does not need
    cmd_evaluate(args)


def _os_error(e: OSError) -> str:
    """One line for a failed read or write: what failed, where, and the fix."""
    if e.errno is None:          # raised by gan_utils itself, with its own message
        return str(e)
    fix = {errno.ENOSPC: "free some disk space, or pass an --out on another disk",
           errno.EDQUOT: "free some of your disk quota, or pass an --out elsewhere",
           errno.EACCES: "pass a path you may write to", errno.EPERM: "pass a path you may write to",
           errno.EROFS: "the file system is read-only: pass an --out on a writable one",
           errno.EISDIR: "pass a file name, not a folder", errno.ENOTDIR: "a part of the path is a file, not a folder",
           errno.ENOENT: "check the path"}.get(e.errno, "check the path and the disk")
    where = f": {e.filename}" if e.filename else ""
    return f"{e.strerror or e}{where}. Fix: {fix} (files already written are intact)."


def _on_disk(out: Path) -> str:
    """What a `train` stopped before it saved anything of its own left in ``out``, said exactly (a learner who reads
    "nothing was saved" may delete the folder: it must not hold a run then)."""
    from . import checkpoint
    try:
        step = checkpoint._usable(out / checkpoint.RUN_SUBDIR) if out.is_dir() else None
        files = [*_run_outputs(out), *(["samples.png"] if (out / "samples.png").is_file() else [])] \
            if out.is_dir() else []
    except OSError:
        return f"nothing was trained yet; see what {out} holds before deleting anything"
    if step is not None:
        return (f"nothing was trained yet, so nothing new was saved: {out} holds the run as it was, its checkpoint "
                f"at step {step} (continue it with `train ... --resume`)")
    if files:
        what = ("the untrained generator's first grid" if checkpoint.RUN_SUBDIR not in files
                else "no checkpoint that loads")
        return (f"nothing was trained yet, so no checkpoint was saved: {out} holds only {', '.join(files)} ({what}); "
                "start again with `train ... --overwrite`")
    return "nothing was trained yet, so nothing was saved"


def _kept(error: BaseException, args) -> str:
    """What a training run that stopped on ``error`` kept: `` (the run is saved ...)`` when fit saved it first."""
    step = getattr(error, "saved_step", None)
    if step is None:
        return ""
    return (f" (the steps trained before it are saved: {args.out} at step {step}; continue with `train ... "
            "--resume`)")


def main(argv=None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    stopped_by = []

    def on_sigterm(signum, frame):   # `timeout`, a closing terminal, a cluster: stop as on Ctrl-C (fit saves first)
        from .train import STOP_REQUESTED
        stopped_by.append(signum)
        STOP_REQUESTED.set()         # in case the raise below lands where Python ignores it (train.STOP_REQUESTED)
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if in_main else None
    try:
        with warnings.catch_warnings():
            warnings.showwarning = lambda message, *a, **k: print(f"note: {message}", file=sys.stderr)
            args.func(args)
    except KeyboardInterrupt as e:
        saved = getattr(e, "saved_step", None)    # set by train.fit once it saved the run (and by train after it)
        if args.command != "train":
            what = "files written before are intact"
        elif saved is not None:
            what = f"the run is saved in {args.out} at step {saved} (continue it with `train ... --resume`)"
        else:
            what = _on_disk(Path(args.out))
        print(f"{'stopped (SIGTERM)' if stopped_by else 'interrupted'}; {what}.", file=sys.stderr)
        return 143 if stopped_by else 130
    except (CLIError, ValueError, TypeError) as e:
        print(f"error: {e}{_kept(e, args)}", file=sys.stderr)
        return 2
    except OSError as e:   # a full disk, a read-only folder, a missing file: nothing saved is lost (atomic writes)
        print(f"error: {_os_error(e)}{_kept(e, args)}", file=sys.stderr)
        return 2 if isinstance(e, FileNotFoundError) and e.errno is None else 1
    except Exception as e:  # a known failure of ours (data, checkpoint, divergence): one line, no traceback
        from .checkpoint import CheckpointError
        from .data import MnistDataError
        from .train import TrainingDiverged
        if isinstance(e, (CheckpointError, MnistDataError, TrainingDiverged)):
            print(f"error: {e}{_kept(e, args)}", file=sys.stderr)
            return 1
        if getattr(e, "saved_step", None) is not None:   # a traceback follows; say first that nothing is lost
            print(f"error during training{_kept(e, args)}", file=sys.stderr)
        raise
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        if stopped_by:
            from .train import STOP_REQUESTED
            STOP_REQUESTED.clear()
    return 0


def _exit(code: int) -> None:
    """Exits with ``code``; at once if an interrupted first step still compiles in the background (train.fit): the
    files are written, and waiting for XLA would make Ctrl-C take as long as the compilation."""
    train = sys.modules.get("gan_utils.train")
    if train is not None and any(t.name == train.COMPILING_THREAD for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    _exit(main())
