"""How fast the GAN playground trains and redraws: frames per second, training steps per second, step-button latency.

Two measurements, both printed as JSON lines (figures dated in benchmarks/RESULTS.md):

* ``kernel``: the kernel's share of a frame, without a browser: the widget handles the messages the browser sends
  (``{"cmd": "run", "steps": 25}`` while running, ``{"cmd": "step", "which": "g"}`` for the step-G button) and
  builds each frame message (training, D's map, G's manifold, arrows, mode metrics, serialisation). This bounds
  what any front end can show.
* ``--browser``: end to end, in JupyterLab in headless Chromium (Debian's ``chromium``, driven by Playwright, as in
  tests/test_playground_browser.py): press run, count the frames the canvas drew and the generator updates they
  showed over ``--seconds``; click "step G" and time until the canvas shows the new step.

Usage: python benchmarks/playground_speed.py [--seconds 10] [--steps-per-frame 25] [--browser]
The issue's target (#13, #27): at least 20 frames/s with at least 500 steps/s between them, step button under 100 ms.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def kernel_speed(seconds: float = 10.0, steps_per_frame: int = 32, **config) -> dict:
    from gan_utils import playground
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench import machine_info

    pg = playground.Playground(steps_per_frame=steps_per_frame, **config)
    sent = {"messages": 0, "bytes": 0}

    def send(content, buffers=None):          # count what would go to the browser
        sent["messages"] += 1
        sent["bytes"] += len(json.dumps(content)) + sum(len(b) for b in (buffers or []))

    pg.send = send
    run = {"cmd": "run", "steps": steps_per_frame}
    for _ in range(3):                        # compile the chunk, the frame and the single steps
        pg._on_msg(pg, run, [])
        pg._on_msg(pg, {"cmd": "step", "which": "g"}, [])
    pg.timings.clear()
    frames, t0 = 0, time.perf_counter()
    n_g0 = pg.gan.step[1]
    bytes0 = sent["bytes"]
    while time.perf_counter() - t0 < seconds:
        pg._on_msg(pg, run, [])
        frames += 1
    dt = time.perf_counter() - t0
    steps = pg.gan.step[1] - n_g0
    per_frame = np.array(pg.timings)
    latencies = []
    for _ in range(20):
        t = time.perf_counter()
        pg._on_msg(pg, {"cmd": "step", "which": "g"}, [])
        latencies.append(time.perf_counter() - t)
    return {"mode": "kernel", "config": config or "defaults", "steps_per_frame": steps_per_frame,
            "frames_per_s": round(frames / dt, 1), "steps_per_s": round(steps / dt, 1),
            "train_ms_per_frame": round(1e3 * float(np.median(per_frame[:, 0])), 2),
            "draw_data_ms_per_frame": round(1e3 * float(np.median(per_frame[:, 1])), 2),
            "kb_per_frame": round((sent["bytes"] - bytes0) / max(frames, 1) / 1024, 1),
            "step_button_ms_median": round(1e3 * float(np.median(latencies)), 2),
            "step_button_ms_max": round(1e3 * float(np.max(latencies)), 2),
            "machine": machine_info()}


def browser_speed(seconds: float = 10.0, steps_per_frame: int = 32) -> dict:
    sys.path.insert(0, str(REPO / "tests"))
    import nbformat
    import browser   # the tests' harness: JupyterLab on 127.0.0.1 + Playwright + Debian's chromium

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        f"from gan_utils.playground import Playground\npg = Playground(steps_per_frame={steps_per_frame})\npg")]
    with browser.jupyter_server() as server, browser.launch_chromium() as chromium:
        name = server.add(nb, "playground_speed.ipynb")
        with browser.open_notebook(chromium, server, name, "lab") as page:
            browser.run_all_cells(page)
            browser.wait_kernel_idle(page, timeout=180)
            browser.wait_widget(page, 'canvas[data-role="field"]', timeout=120)
            root = page.locator(".gan-playground")
            get = lambda name: float(root.get_attribute(f"data-{name}") or 0)
            until = lambda cond: page.wait_for_function(
                f"(() => {{ const e = document.querySelector('.gan-playground'); return e && {cond}; }})",
                timeout=120_000, polling=5)
            # warm-up: compile the training call and the single steps
            page.click("button[data-action=run]")
            until("Number(e.dataset.nG) >= 100")
            page.click("button[data-action=run]")
            time.sleep(0.5)
            page.click("button[data-action=step-g]")
            time.sleep(1.0)
            read = lambda: {k: get(k) for k in ("frames", "n-g", "draw-ms", "round-trips", "round-trip-ms")}
            a, t0 = read(), time.perf_counter()
            page.click("button[data-action=run]")
            time.sleep(seconds)
            b, t1 = read(), time.perf_counter()
            page.click("button[data-action=run]")
            time.sleep(0.5)
            latencies = []
            for _ in range(10):
                before = get("n-g")
                t = time.perf_counter()
                page.click("button[data-action=step-g]")
                until(f"Number(e.dataset.nG) > {before}")
                latencies.append(time.perf_counter() - t)
                time.sleep(0.2)
    return {"mode": "browser (JupyterLab 4, headless Chromium, software rendering)", "steps_per_frame": steps_per_frame,
            "frames_per_s": round((b["frames"] - a["frames"]) / (t1 - t0), 1),
            "steps_per_s": round((b["n-g"] - a["n-g"]) / (t1 - t0), 1),
            # where a frame's time goes, measured in the page: from asking for a frame to receiving it (the kernel's
            # training and frame building, plus the message's way through the Jupyter server and JupyterLab), and
            # the widget's own drawing on the canvases
            "round_trip_ms_per_frame": round((b["round-trip-ms"] - a["round-trip-ms"])
                                             / max(1, b["round-trips"] - a["round-trips"]), 2),
            "draw_ms_per_frame": round((b["draw-ms"] - a["draw-ms"]) / max(1, b["frames"] - a["frames"]), 2),
            "step_button_ms_median": round(1e3 * float(np.median(latencies)), 1),
            "step_button_ms_max": round(1e3 * float(np.max(latencies)), 1)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="how long to run (per measurement)")
    ap.add_argument("--steps-per-frame", type=int, default=32, help="training steps between two frames")
    ap.add_argument("--browser", action="store_true", help="also measure end to end in JupyterLab + Chromium")
    args = ap.parse_args(argv)
    k = kernel_speed(args.seconds, args.steps_per_frame)
    print(json.dumps(k), flush=True)
    if args.browser:
        b = browser_speed(args.seconds, args.steps_per_frame)
        print(json.dumps(b), flush=True)
        print(json.dumps(frame_budget(k, b)), flush=True)


def frame_budget(k: dict, b: dict, in_flight: int = 2) -> dict:
    """Where an end-to-end frame's time goes. While running, the widget keeps ``in_flight`` requests for frames on
    their way (playground.js), so a frame arrives about every round trip / in_flight; of that period the kernel,
    measured alone, needs its training and frame building, and the rest is the message's way through the Jupyter
    server, the websocket and the page, and the kernel slowed by sharing the cores with them."""
    period = 1e3 / max(b["frames_per_s"], 1e-9)
    kernel = k["train_ms_per_frame"] + k["draw_data_ms_per_frame"]     # measured alone, without the browser's load
    parts = {"the kernel (training and building the frame, measured alone)": kernel,
             "the rest (messaging through the Jupyter server and the page, the kernel slowed by sharing the cores)":
                 period - kernel - b["draw_ms_per_frame"],
             "the widget's drawing": b["draw_ms_per_frame"]}
    return {"mode": "frame budget", "frame_ms": round(period, 1), "target_frame_ms": 50.0,
            "requests_in_flight": in_flight, "round_trip_ms": b["round_trip_ms_per_frame"],
            **{name: round(ms, 1) for name, ms in parts.items()},
            "largest": max(parts, key=parts.get)}


if __name__ == "__main__":
    main()
