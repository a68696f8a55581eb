"""The playground's speed harness runs and reports what it says it measures (the figures live in RESULTS.md).

The browser half (`--browser`) is exercised by tests/test_playground_browser.py's harness; here the kernel half runs
for a second and its numbers must be consistent with each other."""
import playground_speed


def test_kernel_speed_reports_consistent_numbers():
    r = playground_speed.kernel_speed(seconds=1.0, steps_per_frame=10)
    assert r["frames_per_s"] > 0 and r["steps_per_s"] > 0
    # every frame trains steps_per_frame generator steps: the two rates agree
    assert abs(r["steps_per_s"] - 10 * r["frames_per_s"]) <= 0.1 * r["steps_per_s"] + 1
    assert r["kb_per_frame"] > 10          # real, fake, the D map, the manifold and arrows travel every frame
    assert 0 < r["step_button_ms_median"] <= r["step_button_ms_max"]
    assert r["train_ms_per_frame"] > 0 and r["draw_data_ms_per_frame"] > 0


def test_frame_budget_splits_a_frame():
    k = {"train_ms_per_frame": 15.0, "draw_data_ms_per_frame": 5.0}
    b = {"frames_per_s": 16.0, "round_trip_ms_per_frame": 110.0, "draw_ms_per_frame": 8.0}
    r = playground_speed.frame_budget(k, b)
    assert r["frame_ms"] == 62.5 and r["target_frame_ms"] == 50.0 and r["requests_in_flight"] == 2
    parts = [v for key, v in r.items() if key.startswith("the ")]
    # the period (62.5 ms) = the kernel alone (20) + the widget's drawing (8) + the rest (34.5)
    assert sorted(parts) == [8.0, 20.0, 34.5] and r["largest"].startswith("the rest")
