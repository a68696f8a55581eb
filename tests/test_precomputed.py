"""Precomputed experiments: run once and written with their record, loaded the same, and a clear error when missing."""
import json

import numpy as np
import pytest

from gan_utils import precomputed


def test_a_rerun_writes_what_a_load_returns(tmp_path, capsys):
    calls = []

    def run():
        calls.append(1)
        return {"ring/GAN": {"modes": [8, 7], "hq": [0.97, np.float32(0.5)], "samples": np.ones((3, 2), np.float32),
                             "note": None, "inf": float("inf")}, "n": np.int64(3)}

    got = precomputed.run_or_load("exp", run, rerun=True, command="do it", folder=tmp_path)
    assert calls == [1] and "Ran the experiment here" in capsys.readouterr().out
    again = precomputed.run_or_load("exp", run, rerun=False, command="do it", folder=tmp_path)
    assert calls == [1], "a load must not run the experiment"
    assert "Precomputed results (exp)" in capsys.readouterr().out
    for r in (got, again):
        assert r["ring/GAN"]["modes"] == [8, 7] and r["n"] == 3 and r["ring/GAN"]["inf"] == float("inf")
        np.testing.assert_array_equal(r["ring/GAN"]["samples"], np.ones((3, 2)))
        assert r["record"]["command"] == "do it" and r["record"]["seconds"] >= 0 and r["record"]["jax"]
    body = json.loads((tmp_path / "exp.json").read_text())       # readable: arrays are in the .npz, not the .json
    assert body["results"]["ring/GAN"]["samples"] == {"__array__": "/ring/GAN/samples"}
    assert (tmp_path / "exp.npz").exists()


def test_a_missing_result_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="RUN_EXPERIMENTS = True"):
        precomputed.run_or_load("nothing", dict, rerun=False, command="x", folder=tmp_path)


@pytest.mark.parametrize("bad, match", [({1: 2}, "keys must be strings"), ({"a": object()}, "cannot store object"),
                                         ({"record": 1}, "may not use the key 'record'")])
def test_bad_results_are_refused_and_nothing_is_written(tmp_path, bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        precomputed.run_or_load("bad", lambda: bad, rerun=True, command="x", folder=tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_failed_rerun_keeps_the_committed_result(tmp_path):
    precomputed.run_or_load("exp", lambda: {"a": 1}, rerun=True, command="x", folder=tmp_path, verbose=False)

    def broken():
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        precomputed.run_or_load("exp", broken, rerun=True, command="x", folder=tmp_path)
    assert precomputed.load("exp", folder=tmp_path)[0] == {"a": 1}


def test_names_are_plain_file_stems(tmp_path):
    with pytest.raises(ValueError, match="plain file stem"):
        precomputed.load("../etc/passwd", folder=tmp_path)


def test_the_switch_reads_the_environment(monkeypatch):
    monkeypatch.delenv(precomputed.ENV_RERUN, raising=False)
    assert precomputed.rerun_requested(False) is False and precomputed.rerun_requested(True) is True
    monkeypatch.setenv(precomputed.ENV_RERUN, "1")
    assert precomputed.rerun_requested(False) is True


def test_the_committed_results_load_with_their_record():
    """Every result shipped in the package loads and says where, when and how it was made."""
    shipped = sorted(precomputed.RESULTS_DIR.glob("*.json"))
    assert shipped, f"no precomputed results in {precomputed.RESULTS_DIR}"
    for js in shipped:
        results, record = precomputed.load(js.stem)
        assert results and {"command", "date", "machine", "jax", "seconds"} <= set(record), js.name
        assert "took" not in precomputed.describe(record) and f"{record['seconds'] / 60:.1f} minutes" in \
            precomputed.describe(record)


def test_same_platform_needs_the_same_processor_features_and_versions():
    here = precomputed.machine_record()
    assert precomputed.same_platform(here)
    for key, other in (("jax", "0.0.1"), ("cpu_features", "another"), ("processor", "another CPU")):
        assert not precomputed.same_platform({**here, key: other}), key
    assert not precomputed.same_platform({k: v for k, v in here.items() if k != "cpu_features"})   # an older record


def test_a_seed_shifted_run_is_not_the_same_platform(monkeypatch):
    """`./course.sh verify` shifts every seed: its re-runs are new draws, never compared with the committed numbers."""
    import jax
    here = precomputed.machine_record()
    key = jax.random.key
    monkeypatch.setattr(jax.random, "key", lambda seed, *a, **k: key(seed + 1, *a, **k))
    assert not precomputed.same_platform(here)
