"""Every write of the command line and the scripts goes through one guard (issue #68): it never deletes what the course
did not write, never writes into a run or a catalogue it could not read, and says exactly what was saved.

The guard is ``checkpoint.check_target``: no write inside a checkpoint folder, none over a training run's own files
(its grids, frames.npz, metrics.json) but by that run's `train`. Records (a sweep's JSON lines, its pictures, a
translation catalogue) are read whole or refused in one line naming the file and the line, with nothing written.
"""
import errno
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from gan_utils import checkpoint, plots, precomputed
from gan_utils.__main__ import main

REPO = Path(__file__).resolve().parents[1]


def one_line(capsys, rc):
    err = capsys.readouterr().err
    assert rc not in (0, None) and "Traceback" not in err and err.startswith("error: "), err
    assert err.strip().count("\n") == 0, err
    return err


def script(path: str):
    """A module of scripts/ or benchmarks/, imported from its file (its folder on sys.path, as when it runs)."""
    file = REPO / path
    sys.path.insert(0, str(file.parent))
    spec = importlib.util.spec_from_file_location(f"_guarded_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module                                   # (its dataclasses look themselves up there)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run(ring20, tmp_path):
    shutil.copytree(ring20, tmp_path / "run")
    return tmp_path / "run"


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- deletes only what the course wrote -----------------------------------------------------------------------------

def test_overwrite_deletes_the_grids_its_record_lists_and_nothing_of_the_learners(run, capsys):
    np.savez(run / checkpoint.FRAMES_FILE, step=np.array([500]))     # the record of the grids the run wrote
    (run / "samples_000500.png").write_bytes(b"train's grid")
    (run / "samples_mine.png").write_bytes(b"my figure")              # the learner's, in the same folder
    (run / ".checkpoint.backup-1").mkdir()                           # a copy of the learner's, named like a leftover
    (run / ".checkpoint.backup-1" / "notes.txt").write_text("mine")
    args = ["train", "--dataset", "ring", "--steps", "5", "--out", str(run), "--quiet", "--overwrite"]
    assert main(args) == 0
    assert not (run / "samples_000500.png").exists() and checkpoint.load_meta(run)["step"] == 5
    assert (run / "samples_mine.png").read_bytes() == b"my figure"
    assert (run / ".checkpoint.backup-1" / "notes.txt").read_text() == "mine"
    # a grid of train's name that no record lists: the new run would replace it, so --overwrite refuses
    (run / "samples_000700.png").write_bytes(b"not in any record")
    err = one_line(capsys, main(args))
    assert "samples_000700.png" in err and "move it away" in err
    assert (run / "samples_000700.png").read_bytes() == b"not in any record"


def test_overwrite_knows_the_grids_of_a_record_set_aside(run, capsys):
    """A resume sets an unreadable frames.npz aside and starts a new record: the grids up to the run's checkpoint
    are still train's, and --overwrite replaces them; one past the checkpoint is no run's, and is refused."""
    step = checkpoint.load_meta(run / checkpoint.RUN_SUBDIR)["step"]
    (run / (checkpoint.FRAMES_FILE + ".unreadable")).write_bytes(b"truncated by a kill")
    if (run / checkpoint.FRAMES_FILE).exists():
        (run / checkpoint.FRAMES_FILE).unlink()
    (run / "samples_000000.png").write_bytes(b"train's first grid")
    (run / f"samples_{step + 900:06d}.png").write_bytes(b"no run's")
    args = ["train", "--dataset", "ring", "--steps", "5", "--out", str(run), "--quiet", "--overwrite"]
    err = one_line(capsys, main(args))
    assert f"samples_{step + 900:06d}.png" in err and "samples_000000.png" not in err
    (run / f"samples_{step + 900:06d}.png").unlink()
    assert main(args) == 0
    grid = run / "samples_000000.png"                                  # replaced, or deleted (a toy run draws none)
    assert not grid.exists() or grid.read_bytes() != b"train's first grid"


def test_a_stale_temporary_is_deleted_only_if_its_writer_made_it(tmp_path):
    target = tmp_path / "grid.png"
    mine = tmp_path / ".grid.png.tmp-notes.png"                        # the learner's, no writer's pid in its name
    mine.write_text("mine")
    folder = tmp_path / ".ck.old-99999999-x"                           # a dead writer's pid, but not a checkpoint's
    folder.mkdir()
    (folder / "thesis.tex").write_text("mine")
    stale = tmp_path / ".grid.png.tmp-99999999-abc.png"                # a killed writer's: deleted
    stale.write_text("half")
    with checkpoint.atomic_file(target) as tmp:
        tmp.write_text("new")
    checkpoint.save_module(tmp_path / "ck", tiny_module())              # cleans the leftovers of a save to "ck"
    assert mine.read_text() == "mine" and (folder / "thesis.tex").read_text() == "mine" and not stale.exists()
    assert target.read_text() == "new" and checkpoint.load_meta(tmp_path / "ck")["module"] == "Linear"


def tiny_module():
    from flax import nnx
    return nnx.Linear(1, 1, rngs=nnx.Rngs(0))


# --- never writes into a run ----------------------------------------------------------------------------------------

def test_no_command_or_helper_writes_over_a_runs_own_files(run, capsys):
    np.savez(run / checkpoint.FRAMES_FILE, step=np.array([0]))
    before = snapshot(run)
    for args in (["sample", "--checkpoint", str(run), "--n", "3", "--out", str(run / "frames.npz")],
                 ["export", "--checkpoint", str(run), "--out", str(run / "samples_000100.png")]):
        err = one_line(capsys, main(args))
        assert f"training run {run.resolve()}" in err and "Choose another name" in err
    for path in (run / "samples.png", run / "checkpoint" / "grid.png"):   # a learner's grid, saved by the helper
        with pytest.raises(checkpoint.CheckpointError):
            plots.save_image_grid(path, np.zeros((4, 28, 28)))
    assert snapshot(run) == before
    # beside them, under another name, it writes; and the run's own `train` still writes its files
    assert main(["sample", "--checkpoint", str(run), "--n", "3", "--out", str(run / "mine.npz")]) == 0
    plots.save_image_grid(run / "grid.png", np.zeros((4, 28, 28)))
    assert main(["train", "--dataset", "ring", "--steps", "25", "--out", str(run), "--quiet", "--resume"]) == 0
    assert json.loads((run / "metrics.json").read_text())["summary"]["step"] == 25


def test_scripts_and_benchmarks_refuse_an_output_inside_a_run_before_their_work(run, monkeypatch, capsys):
    inside = run / "checkpoint"
    bench = script("benchmarks/bench.py")
    monkeypatch.setattr(bench, "cmd_bench", lambda args: pytest.fail("measured before refusing"))
    with pytest.raises(SystemExit) as e:
        bench.main(["--quick", "--out", str(inside / "table.md")])
    assert e.value.code == 2 and "inside the checkpoint folder" in capsys.readouterr().err

    verify = script("scripts/verify_notebook.py")
    monkeypatch.setattr(verify, "verify", lambda *a, **k: pytest.fail("ran the notebook before refusing"))
    with pytest.raises(SystemExit) as e:
        verify.main([str(REPO / "notebooks" / "02_minimax_objective.py"), "--record", str(inside / "v.jsonl")])
    assert e.value.code == 2 and "inside the checkpoint folder" in capsys.readouterr().err

    slides = script("scripts/slides.py")
    monkeypatch.setattr(slides, "build", lambda *a, **k: pytest.fail("wrote a deck inside the checkpoint"))
    with pytest.raises(SystemExit) as e:
        slides.main([str(REPO / "notebooks" / "02_minimax_objective.ipynb"), "-o", str(inside)])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "inside the checkpoint folder" in err and err.strip().count("\n") == 0
    assert {p.name for p in inside.iterdir()} <= checkpoint.CHECKPOINT_FILES      # nothing written inside


# --- never writes into a record it could not read -------------------------------------------------------------------

def test_a_sweeps_record_with_a_broken_line_is_refused_naming_the_line(tmp_path):
    log = tmp_path / "sweep.jsonl"
    log.write_text('{"seed": 0, "fid": 3.1}\n{"seed": 1, "fi')          # a kill mid-write leaves half a line
    with pytest.raises(ValueError, match=r"sweep.jsonl line 2 .*fix or delete that line"):
        precomputed.read_rows(log, lambda r: r["seed"])
    log.write_text('{"seed": 0, "fid": 3.1}')                          # a last line without its newline
    precomputed.append_row(log, {"seed": 1, "fid": 2.9})
    assert sorted(precomputed.read_rows(log, lambda r: r["seed"])) == [0, 1]
    checkpoint.save_module(tmp_path / "ck", tiny_module())
    with pytest.raises(checkpoint.CheckpointError):                   # the guard: never inside a checkpoint
        precomputed.append_row(tmp_path / "ck" / "rows.jsonl", {"seed": 0})
    assert not (tmp_path / "ck" / "rows.jsonl").exists()
    bad = tmp_path / "pictures.npz"
    bad.write_bytes(b"PK\x03\x04 half a zip")
    with pytest.raises(ValueError, match="pictures.npz is unreadable.*move it away"):
        precomputed.read_arrays(bad)


def test_a_benchmark_refuses_a_broken_record_and_writes_nothing(tmp_path, monkeypatch, capsys):
    table = script("benchmarks/translation_table.py")
    monkeypatch.setattr(table.data, "load_glyphs", lambda *a, **k: pytest.fail("ran before reading its record"))
    out = tmp_path / "table.jsonl"
    out.write_text('{"objective": "L1", "seed": 0, "steps": 600, "size": 32, "batch": 32}\n{"objective": "L1", "se\n')
    before = out.read_bytes()
    with pytest.raises(SystemExit) as e:
        table.main(["--out", str(out)])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "table.jsonl line 2" in err and err.strip().count("\n") == 0
    assert out.read_bytes() == before
    out.write_text("")
    (tmp_path / "table.npz").write_bytes(b"half an npz")             # its pictures, unreadable: never rewritten
    with pytest.raises(SystemExit):
        table.main(["--out", str(out)])
    assert (tmp_path / "table.npz").read_bytes() == b"half an npz"


def test_a_frames_file_set_aside_never_replaces_one_set_aside_before(tmp_path):
    from gan_utils.__main__ import _read_frames
    frames = tmp_path / checkpoint.FRAMES_FILE
    for text in (b"first broken", b"second broken"):
        frames.write_bytes(text)
        assert _read_frames(frames, (4, 28, 28)) is None
    kept = sorted(p.read_bytes() for p in tmp_path.glob("frames.npz.unreadable*"))
    assert kept == [b"first broken", b"second broken"]


def test_a_catalogue_with_a_broken_line_is_refused_and_kept_as_it_is(tmp_path, monkeypatch, capsys):
    from babel.messages.catalog import Catalog
    i18n = script("scripts/i18n.py")
    locale, zh = tmp_path / "locale", tmp_path / "zh"
    locale.mkdir()
    zh.mkdir()
    template = Catalog(locale=None)
    template.add("The generator maps noise to samples.")
    template.add("The discriminator tells real from fake.")
    monkeypatch.setattr(i18n, "LOCALE", locale)
    monkeypatch.setattr(i18n, "ZH_NOTEBOOKS", zh)
    monkeypatch.setattr(i18n, "RELEASED", tmp_path / "released.txt")
    monkeypatch.setattr(i18n, "extract", lambda outdir: {"p": template})
    cat = i18n.merged("p", template, None, {})
    cat["The generator maps noise to samples."].string = "生成器把噪声映射为样本。"
    cat["The discriminator tells real from fake."].string = "判别器分辨真假。"
    text = i18n.dump(cat).decode()
    broken = text.replace('msgstr "生成器把噪声映射为样本。"', 'msgstr "生成器把噪声映射为样本。')   # a lost quote
    assert broken != text
    (locale / "p.po").write_text(broken, encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=r"p.po line \d+.*fix line"):
        i18n.refresh(check=False)
    assert i18n.main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.strip().count("\n") == 0 and "p.po line" in err
    assert (locale / "p.po").read_text(encoding="utf-8") == broken

    # a refresh deletes the Chinese notebooks it generated for no released page, never a learner's notebook there
    (locale / "p.po").write_text(text, encoding="utf-8")
    (zh / "01_copy.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}))
    (zh / "02_old.ipynb").write_text(json.dumps({"cells": [], "metadata": {"gan_course": {"by": i18n.GENERATED_BY}}}))
    assert i18n.refresh(check=False) == []
    assert (zh / "01_copy.ipynb").exists() and not (zh / "02_old.ipynb").exists()


# --- says exactly what was saved ------------------------------------------------------------------------------------

def test_a_stop_after_the_training_says_the_run_is_saved(tmp_path, capsys, monkeypatch):
    import gan_utils.__main__ as cli
    out = tmp_path / "run"

    def stopped(path, content):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_write_json", stopped)                   # Ctrl-C while metrics.json is written
    assert main(["train", "--dataset", "ring", "--steps", "20", "--out", str(out), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert checkpoint.load_meta(out)["step"] == 20
    assert f"the run is saved in {out} at step 20" in err and "nothing was saved" not in err

    def full(path, content):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(cli, "_write_json", full)                      # a full disk at the same place
    err = one_line(capsys, main(["train", "--dataset", "ring", "--steps", "25", "--out", str(out), "--quiet",
                                 "--resume"]))
    assert f"saved: {out} at step 25" in err and checkpoint.load_meta(out)["step"] == 25


def test_a_stop_before_the_training_names_the_run_left_as_it_was(run, capsys, monkeypatch):
    import gan_utils.__main__ as cli

    def interrupted(config):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_training_data", interrupted)
    assert main(["train", "--dataset", "ring", "--steps", "30", "--out", str(run), "--quiet", "--resume"]) == 130
    err = capsys.readouterr().err
    assert f"{run} holds the run as it was, its checkpoint at step 20" in err
    assert checkpoint.load_meta(run)["step"] == 20
