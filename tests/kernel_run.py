"""Execute a notebook in a separate Python process, with a deadline that fails loudly and names the cell it waited on.

Why a process of its own: a pytest worker that has run a browser test holds Playwright's event loop, marked as
running, on its main thread. nbclient (through jupyter_core's run_sync) then drives the kernel from a helper thread,
and there a kernel's reply can sit unread in the client's socket while nothing wakes the loop: found in a CI run of
2026-11-27 (notebook 01 on Colab's versions: the cell's idle status arrived, its execute_reply sat in the shell
socket, 20 minutes, nbclient's own 900 s timeout never fired). A fresh process has no such loop.

Used by tests/test_colab_start.py and tests/test_verify_normal_mode.py:

    nb = kernel_run.execute(nb, kernel_name="colab", cwd=work, env={...}, cell_timeout=240, deadline=420)

As a script (what the tests start): ``python tests/kernel_run.py PLAN.json KERNEL CELL_TIMEOUT ALLOW_ERRORS``; it
prints ``notebook J, cell N started`` / ``... done in S s`` to stderr as it goes, so a run cut at its deadline says
which cell it was in.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class NotebookStalled(AssertionError):
    """The notebook passed its deadline: the message names the cell it was in and what the kernel printed."""


def execute(nb, kernel_name: str, cwd: Path, env: dict | None = None, cell_timeout: int = 300,
            deadline: int = 600, allow_errors: bool = False):
    """Run nbformat notebook ``nb`` in kernel ``kernel_name`` from folder ``cwd`` in a child process whose
    environment is this one's plus ``env``; return the executed notebook. Raises NotebookStalled after ``deadline``
    seconds (with the cell it was in), and AssertionError with nbclient's message when a cell fails (unless
    ``allow_errors``) or the kernel dies."""
    return execute_many([(nb, cwd)], kernel_name, env, cell_timeout, deadline, allow_errors)[0]


def execute_many(jobs, kernel_name: str, env: dict | None = None, cell_timeout: int = 300, deadline: int = 600,
                 allow_errors: bool = False) -> list:
    """``execute`` for several (notebook, cwd) pairs, one after the other in one child process (each on a fresh
    kernel): the process and nbclient start once. ``deadline`` is for them all."""
    import nbformat
    with tempfile.TemporaryDirectory(prefix="kernel-run-") as tmp:
        plan = []
        for i, (nb, cwd) in enumerate(jobs):
            src, out = Path(tmp) / f"in{i}.ipynb", Path(tmp) / f"out{i}.ipynb"
            nbformat.write(nb, str(src))
            plan.append({"in": str(src), "out": str(out), "cwd": str(cwd)})
        (Path(tmp) / "plan.json").write_text(json.dumps(plan))
        argv = [sys.executable, __file__, str(Path(tmp) / "plan.json"), kernel_name, str(cell_timeout),
                "1" if allow_errors else "0"]
        t0 = time.monotonic()
        try:
            done = subprocess.run(argv, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                                  timeout=deadline)
        except subprocess.TimeoutExpired as stalled:
            log = stalled.stderr.decode(errors="replace") if isinstance(stalled.stderr, bytes) \
                else (stalled.stderr or "")
            started = [line for line in log.splitlines() if line.startswith("notebook ")]
            raise NotebookStalled(f"passed its {deadline} s deadline; last progress line: "
                                  f"{started[-1] if started else 'none (no kernel started a cell)'}; "
                                  f"stderr tail:\n{log[-3000:]}") from None
        if done.returncode != 0:
            raise AssertionError(f"the notebook failed after {time.monotonic() - t0:.0f} s "
                                 f"(exit {done.returncode}):\n{done.stderr[-6000:]}")
        return [nbformat.read(p["out"], as_version=4) for p in plan]


def _main(plan: str, kernel_name: str, cell_timeout: str, allow_errors: str) -> int:
    import nbformat
    from nbclient import NotebookClient

    class Client(NotebookClient):
        """Says on stderr which cell runs and how long it took, as it goes."""
        job = 0

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            where = f"notebook {self.job}, cell {cell_index}"
            if cell.cell_type == "code":
                print(f"{where} started", file=sys.stderr, flush=True)
            t0 = time.monotonic()
            try:
                return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
            finally:
                if cell.cell_type == "code":
                    print(f"{where} done in {time.monotonic() - t0:.1f} s", file=sys.stderr, flush=True)

    for i, job in enumerate(json.loads(Path(plan).read_text())):
        nb = nbformat.read(job["in"], as_version=4)
        client = Client(nb, timeout=int(cell_timeout), kernel_name=kernel_name, allow_errors=allow_errors == "1",
                        resources={"metadata": {"path": job["cwd"]}})
        client.job = i
        try:
            client.execute()
        finally:
            nbformat.write(nb, job["out"])      # what ran, also when a cell failed
    return 0


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:5]))
