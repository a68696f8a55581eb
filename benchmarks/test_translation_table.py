"""Notebook 11's table, run ahead: a tiny run goes end to end, resumes without re-running,
and saves the notebook's file."""
import json

import numpy as np

import translation_table
from gan_utils import precomputed


def test_a_tiny_table_resumes_and_saves(tmp_path, monkeypatch, capsys):
    out = tmp_path / "t.jsonl"
    args = ["--seeds", "0", "--objectives", "L1 only", "--steps", "2", "--size", "32", "--batch", "4", "--out",
            str(out)]
    translation_table.main(args)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["objective"] == "L1 only" and rows[0]["steps"] == 2
    assert 0 <= rows[0]["content"] <= 1 and rows[0]["l1"] > 0
    assert np.load(out.with_suffix(".npz"))["L1 only|0|2|32|4"].shape == (16, 32, 32, 1)
    capsys.readouterr()
    monkeypatch.setattr(precomputed, "RESULTS_DIR", tmp_path)
    translation_table.main(args + ["--results", "tiny"])     # nothing re-run: the line is there
    assert capsys.readouterr().out == "" and len(out.read_text().splitlines()) == 1
    results, record = precomputed.load("tiny", folder=tmp_path)
    assert results["rows"] == rows and results["images"]["L1 only/0"].shape == (16, 32, 32, 1)
    assert record["command"].startswith("python benchmarks/translation_table.py")
