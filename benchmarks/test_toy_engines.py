"""The toy-engine harness runs each engine and reports what it says it measures (the figures live in RESULTS.md)."""
import toy_engines


def test_each_engine_runs_the_steps_it_reports():
    rows = toy_engines.main(["--steps", "120", "--repeats", "1"])
    assert [r["engine"] for r in rows] == ["fit", "step", "toygan"]
    assert [r["steps"] for r in rows] == [120, 100, 120]          # the fused step runs whole calls of 50
    assert all(r["train_s"] > 0 for r in rows)
