"""Checkers for the notebooks' exercises.

``check("02", answer_1=..., ...)`` grades every exercise of a notebook and prints one line per exercise:
``correct``, ``not yet`` (with a hint that does not give the answer away) or ``not answered``. One wrong answer
never hides the others: all are graded first, then, if any is wrong, ``ExerciseNotYet`` is raised naming them,
so a wrong answer fails the cell. The reference answers live here, not in the notebooks, so a reader who scrolls
does not see them; ``tests/test_exercises.py`` checks that every checker passes its reference answers and fails
wrong ones.

Code exercises pass a function (checked on inputs the reader did not choose). The answers to exercises in which
the reader changes a notebook's code and runs it are recomputed here from the same recipe when that is cheap, or
compared with the value the reference solution printed (``MEASURED``, with its tolerance and the command).

**Per-student numbers** (a teacher's graded release, scripts/grading.py). ``student("ab123")`` gives the exercises
whose answer is worked from the numbers in their text (``VARIANTS``: 26 of them) numbers of that student's own, drawn
from the id, so two students get different answers and the public worked solutions teach the method without giving
anyone's answer; ``show_numbers("05")`` prints them, and the checker grades against them. The default,
``student(None)``, is the text's numbers: the notebooks' exercises exactly.
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from typing import Any, Callable

import numpy as np

__all__ = ["check", "grade", "student", "numbers", "show_numbers", "answer_key", "ExerciseNotYet", "NOTEBOOKS",
           "MEASURED", "VARIANTS"]


class ExerciseNotYet(AssertionError):
    """Raised by ``check`` after grading every exercise, when at least one answer is wrong."""


_Result = tuple[str, str]  # (status, message); status is "correct", "not yet" or "not answered"


def _text(got: Any) -> str | None:
    """The hint for an answer typed as text where a number is asked ("0.5", or an array of strings), else None:
    float("0.5") would read it, but a string is not the number the notebook's code computes."""
    if isinstance(got, (str, bytes)) or getattr(getattr(got, "dtype", None), "kind", "") in ("U", "S"):
        return f"expected a number, got the string {repr(got)[:60]}: give a number, without quotes (0.5, not '0.5')"
    return None


def _number(got: Any, want: float | Callable[[], float], tol: float, hint: str) -> _Result:
    """Grade a number; ``want`` may be a function, called only when there is an answer (a reference that costs
    seconds to compute is not computed for an empty answer cell)."""
    if got is None:
        return "not answered", ""
    if isinstance(got, bool):      # float(True) is 1.0: a yes/no is not the number asked for
        return "not yet", f"expected a number, got {got!r}"
    if _text(got):
        return "not yet", _text(got)
    try:
        value = float(got)
    except (TypeError, ValueError):
        return "not yet", f"expected a number, got {type(got).__name__}"
    want = want() if callable(want) else want
    if _KEY is not None:          # answer_key is reading the references
        _KEY.append((float(want), tol))
    return ("correct", "") if abs(value - want) <= tol else ("not yet", hint)


def _function(fn: Callable | None, probe: Callable[[Callable], bool], hint: str) -> _Result:
    """Grade a function the reader wrote: ``probe(fn)`` is True when it behaves like the reference."""
    if fn is None:
        return "not answered", ""
    try:
        return ("correct", "") if probe(fn) else ("not yet", hint)
    except _Unanswered:
        return "not answered", ""
    except _Text as e:
        return "not yet", f"your function returned the string {e.args[0]}: return a number (or an array), not text"
    except Exception as e:  # the reader's code raised: say what, not the answer
        return "not yet", f"your function raised {type(e).__name__}: {e}"


def _missing(**arrays) -> _Result | None:
    """("not yet", which arrays to pass) when the notebook's data an exercise is graded against was not passed to
    the checker (a right answer graded against nothing is no grade), else None."""
    names = [k for k, v in arrays.items() if v is None]
    if not names:
        return None
    return "not yet", ("pass the notebook's data to the checker as well: " + ", ".join(f"{k}={k}" for k in names))


class _Unanswered(Exception):
    """A reader's function still returns the placeholder None."""


class _Text(Exception):
    """A reader's function returns a string (which float() would read) where a number is asked."""


def _call(fn: Callable, *args):
    out = fn(*args)
    if out is None:
        raise _Unanswered
    if _text(out):
        raise _Text(repr(out)[:60])
    return out


# ---------------------------------------------------------------------------------------------- per-student numbers
@dataclasses.dataclass(frozen=True)
class _Numbers:
    """An exercise's numbers: the text's (``default``), a student's (``draw(rng)``), and how they read (``say``,
    formatted with them). ``answer``, where different numbers can give the text's answer (the loss of D(x) = 0.8,
    D(G(z)) = 0.3 is the text's 0.7, 0.2): a student's numbers are drawn again until their answer differs."""
    default: dict
    draw: Callable[[np.random.Generator], dict]
    say: str
    answer: Callable[[dict], float] | None = None


def _pick(rng: np.random.Generator, values) -> Any:
    v = values[int(rng.integers(len(values)))]
    return v.item() if hasattr(v, "item") else v


def _grid(lo: float, hi: float, step: float) -> list[float]:
    return [round(float(v), 4) for v in np.arange(lo, hi + step / 2, step)]


def _but(values, *text) -> list:
    """``values`` without the text's (a student's numbers are never the text's)."""
    return [v for v in values if all(abs(v - t) > 1e-9 for t in text)]


def _kernel_padding(r: np.random.Generator) -> dict:
    k = _pick(r, [2, 3, 4, 5])
    return {"k": k, "p": _pick(r, list(range(0, min(2, k - 1) + 1)))}     # Flax's padding k - 1 - p >= 0


VARIANTS: dict[str, dict[int, _Numbers]] = {
    "00": {1: _Numbers({"x": 0.4}, lambda r: {"x": _pick(r, _but(_grid(0.05, 1.5, 0.05), 0.4))}, "x = {x}"),
           3: _Numbers({"m": 3}, lambda r: {"m": _pick(r, _but(range(2, 13), 3))}, "the draws have shape ({m},)"),
           4: _Numbers({"din": 3, "hidden": 16, "dout": 2},
                       lambda r: {"din": _pick(r, list(range(1, 9))),
                                  "hidden": _pick(r, [4, 6, 8, 10, 12, 20, 24, 32, 48, 64]),
                                  "dout": _pick(r, list(range(1, 6)))}, "MLP({din}, {hidden}, {dout})",
                       lambda n: (n["din"] + 1) * n["hidden"] + (n["hidden"] + 1) * (n["hidden"] + n["dout"]))},
    "01": {1: _Numbers({"mu1": 1.0, "s1": 1.0, "mu2": -1.0, "s2": 2.0},
                       lambda r: {"mu1": _pick(r, _grid(-2, 2, 0.5)), "s1": _pick(r, [0.5, 0.75, 1.25, 1.5, 2.0]),
                                  "mu2": _pick(r, _grid(-2, 2, 0.5)), "s2": _pick(r, [0.5, 1.5, 2.5, 3.0])},
                       "mu1 = {mu1}, sigma1 = {s1}, mu2 = {mu2}, sigma2 = {s2}",
                       lambda n: _kl_gauss(n["mu1"], n["s1"], n["mu2"], n["s2"]))},
    "02": {1: _Numbers({"m": 1.0}, lambda r: {"m": _pick(r, _but(_grid(0.25, 3, 0.25), 1))}, "q = N({m}, 1)"),
           2: _Numbers({"s": 0.5}, lambda r: {"s": _pick(r, _but(_grid(0.05, 0.95, 0.05), 0.5))},
                       "q = Uniform({s}, 1 + {s})"),
           3: _Numbers({"k": 3}, lambda r: {"k": _pick(r, _but(range(2, 13), 3))}, "k = {k} discriminator steps")},
    "03": {1: _Numbers({"n": 7, "k": 3, "s": 2, "p": 1},
                       lambda r: {"n": _pick(r, list(range(4, 13))), "s": _pick(r, [2, 3]), **_kernel_padding(r)},
                       "a {n}x{n} input, kernel k = {k}, stride s = {s}, padding p = {p}",
                       lambda n: (n["n"] - 1) * n["s"] + n["k"] - 2 * n["p"]),
           2: _Numbers({"cin": 64, "cout": 32}, lambda r: {"cin": _pick(r, [8, 16, 24, 32, 40, 48, 96, 128]),
                                                          "cout": _pick(r, [4, 8, 12, 16, 24, 48, 64])},
                       'models.Upsample({cin}, {cout}, mode="subpixel")',
                       lambda n: 36 * n["cin"] * n["cout"] + 4 * n["cout"])},
    "04": {2: _Numbers({"alpha": 0.1}, lambda r: {"alpha": _pick(r, _but(_grid(0.02, 0.4, 0.01), 0.1))},
                       "alpha = {alpha}"),
           3: _Numbers({"d": 0.001}, lambda r: {"d": _pick(r, [0.0005, 0.002, 0.003, 0.004, 0.005, 0.01, 0.02, 0.03,
                                                                0.05])}, "D(G(z)) = {d}"),
           4: _Numbers({"bad": 0.1, "good": 0.9},
                       lambda r: {"bad": _pick(r, _grid(0.02, 0.3, 0.01)), "good": _pick(r, _grid(0.6, 0.98, 0.02))},
                       "D(G(z)) = {bad} (the bad fake) and {good} (the good one)",
                       lambda n: n["good"] / n["bad"])},
    "05": {1: _Numbers({"real": 0.7, "fake": 0.2},
                       lambda r: {"real": _pick(r, _grid(0.55, 0.95, 0.05)), "fake": _pick(r, _grid(0.05, 0.45, 0.05))},
                       "D(x) = {real}, D(G(z)) = {fake}", lambda n: -math.log(n["real"]) - math.log(1 - n["fake"])),
           2: _Numbers({"d": 0.01}, lambda r: {"d": _pick(r, [0.002, 0.004, 0.005, 0.008, 0.02, 0.025, 0.03, 0.04,
                                                              0.05, 0.08, 0.1, 0.2])}, "D(G(z)) = {d}")},
    "07": {1: _Numbers({"theta": 0.25}, lambda r: {"theta": _pick(r, _but(_grid(0.05, 0.95, 0.05), 0.25))},
                       "theta = {theta}"),
           2: _Numbers({"theta": 0.25}, lambda r: {"theta": _pick(r, _but(_grid(0.05, 0.95, 0.05), 0.25))},
                       "theta = {theta}"),
           3: _Numbers({"a": 2, "b": -1, "lam": 10},
                       lambda r: {"a": _pick(r, [-3, -2, -1, 1, 2, 3]), "b": _pick(r, [-3, -2, -1, 0, 1, 2, 3]),
                                  "lam": _pick(r, [1, 2, 5, 20, 50, 100])},
                       "f(x) = {a} x1 + ({b}) x2, lambda = {lam}",
                       lambda n: n["lam"] * (math.hypot(n["a"], n["b"]) - 1) ** 2)},
    "08": {1: _Numbers({"t": 0.3, "d": 64},
                       lambda r: {"t": _pick(r, _grid(0.05, 0.95, 0.05)), "d": _pick(r, [16, 32, 50, 100, 128, 256])},
                       "t = {t}, z in N(0, I_{d})", lambda n: ((1 - n["t"]) ** 2 + n["t"] ** 2) * n["d"]),
           3: _Numbers({"psi": 1.0}, lambda r: {"psi": _pick(r, _but(_grid(0.25, 3, 0.25), 1))}, "psi = {psi}"),
           # not 32: section 1.1 prints the count at base 32
           4: _Numbers({"base": 48}, lambda r: {"base": _pick(r, [8, 12, 16, 20, 24, 28, 36, 40, 56, 64])},
                       "ConcatDiscriminator(base={base})")},
    "10": {1: _Numbers({"mu": 1.0, "sigma": 0.5},
                       lambda r: {"mu": _pick(r, _grid(-2, 2, 0.5)),
                                  "sigma": _pick(r, [0.25, 0.5, 0.75, 1.5, 2.0, 3.0])},
                       "KL(N({mu}, {sigma}^2) || N(0, 1))",
                       lambda n: 0.5 * (n["mu"] ** 2 + n["sigma"] ** 2 - 1 - math.log(n["sigma"] ** 2))),
           2: _Numbers({"nelbo": -2500}, lambda r: {"nelbo": _pick(r, _but(range(-3500, -1499, 100), -2500))},
                       "-ELBO = {nelbo} nats per image"),
           3: _Numbers({"c": 0.5}, lambda r: {"c": _pick(r, _but(_grid(0.1, 0.9, 0.05), 0.5))}, "below {c}")},
    # 11.2: a median of +-1 targets is +1 or -1, so a student's numbers differ only in sign from the text's: ink is
    # always the minority (the answer -1, the text's +1)
    "11": {2: _Numbers({"n": 5, "ink": 3}, lambda r: (lambda n: {"n": n, "ink": _pick(r, [i for i in range(1, n)
                                                                                          if 2 * i < n])})(
                           _pick(r, list(range(3, 16)))), "ink in {ink} of {n} plausible targets"),
           3: _Numbers({"n": 5, "ink": 3}, lambda r: (lambda n: {"n": n, "ink": _pick(r, [i for i in range(1, n)
                                                                                          if 2 * i != n])})(
                           _pick(r, list(range(4, 16)))), "ink in {ink} of {n} plausible targets",
                       lambda n: (2 * n["ink"] - n["n"]) / n["n"])},
    "12": {1: _Numbers({"d": 0.01}, lambda r: {"d": _pick(r, _grid(0.02, 0.5, 0.01))}, "D = {d} on every patch")},
}

_DEFAULT = object()
_STUDENT: str | None = None      # student(...) sets it; None: the text's numbers
_ACTIVE: list = [None]           # the id the exercise being graded uses (grade sets it for the call)


def student(student_id: str | int | None = None) -> None:
    """Give this session's exercises the numbers of ``student_id`` (a teacher's id: letters, digits, ``-`` or
    ``_``); ``None`` restores the text's numbers. ``show_numbers(notebook)`` prints them."""
    global _STUDENT
    _STUDENT = _student_id(student_id)


def _student_id(student_id) -> str | None:
    if student_id is None:
        return None
    if isinstance(student_id, bool) or not isinstance(student_id, (str, int, np.integer)):
        raise TypeError(f"a student id is text or a whole number, got {type(student_id).__name__}: "
                        "e.g. student('ab123')")
    sid = str(student_id).strip()
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", sid):
        raise ValueError(f"student id {student_id!r}: use the id your teacher gave, letters and digits "
                         "(with - _ . @), e.g. student('ab123')")
    return sid


def numbers(notebook: str, exercise: int, student_id: Any = _DEFAULT) -> dict:
    """The numbers of ``notebook``'s ``exercise`` for ``student_id`` (default: the one ``student`` set; None: the
    text's). An exercise without per-student numbers has none: ``{}``."""
    notebook = _nb_key(notebook)
    sid = _STUDENT if student_id is _DEFAULT else _student_id(student_id)
    spec = VARIANTS.get(notebook, {}).get(exercise)
    if spec is None:
        return {}
    if sid is None:
        return dict(spec.default)
    seed = int.from_bytes(hashlib.sha256(f"{sid}|{notebook}|{exercise}".encode()).digest()[:8], "little")
    rng = np.random.default_rng(seed)
    for _ in range(100):
        drawn = spec.draw(rng)
        if spec.answer is None or abs(spec.answer(drawn) - spec.answer(spec.default)) > 1e-2:
            return drawn
    raise RuntimeError(f"notebook {notebook}, exercise {exercise}: no numbers with an answer of their own")


def show_numbers(notebook: str, student_id: Any = _DEFAULT) -> None:
    """Print the numbers of ``notebook``'s exercises for ``student_id`` (default: the one ``student`` set), each
    beside the text's."""
    notebook = _nb_key(notebook)
    sid = _STUDENT if student_id is _DEFAULT else _student_id(student_id)
    specs = VARIANTS.get(notebook, {})
    if sid is None:
        print(f"notebook {notebook}: no student id set, so every exercise uses the numbers in its text.")
        if specs:
            print("If your teacher gave you an id, set STUDENT_ID to it (in a graded release: the cell after the "
                  "setup cell) and run the notebook again: your exercises then have numbers of their own.")
        return
    if not specs:
        print(f"notebook {notebook}, student {sid}: its exercises have no per-student numbers (use the text's)")
        return
    print(f"notebook {notebook}, student {sid}: use these numbers in place of the text's")
    for k, spec in sorted(specs.items()):
        print(f"  exercise {k}: {spec.say.format(**numbers(notebook, k, sid))}   "
              f"(the text: {spec.say.format(**spec.default)})")
    others = [k for k in sorted(NOTEBOOKS[notebook]()) if k not in specs]
    if others:
        print(f"  exercise{'s' if len(others) > 1 else ''} {', '.join(map(str, others))}: as in the text")


_KEY: list | None = None         # answer_key collects (reference, tolerance) here while it grades


def answer_key(notebook: str, student_id: Any = _DEFAULT) -> dict[int, tuple[float, float]]:
    """{exercise: (the right answer, its tolerance)} of ``notebook``'s exercises with per-student numbers, for
    ``student_id`` (default: the one ``student`` set; None: the text's): a teacher's key for partial credit."""
    global _KEY
    notebook = _nb_key(notebook)
    import inspect
    names = [p.name for p in inspect.signature(NOTEBOOKS[notebook]).parameters.values()
             if p.kind is p.POSITIONAL_OR_KEYWORD]
    out = {}
    for k in sorted(VARIANTS.get(notebook, {})):
        mine = {n: 0.0 for n in names if _exercise_of(n) == k}
        _KEY = []
        try:
            grade(notebook, student_id, **mine)
            if _KEY:              # the first reference read is the student's (a second: the text's, for the hint)
                out[k] = _KEY[0]
        finally:
            _KEY = None
    return out


def _v(notebook: str, exercise: int) -> dict:
    """The numbers of the exercise being graded (grade's student id)."""
    return numbers(notebook, exercise, _ACTIVE[0])


# ---------------------------------------------------------------------------------------------- notebook 00
def _nb00(answer_1=None, batched_norm=None, answer_3=None, answer_4=None) -> dict[int, _Result]:
    # g(x) = exp(-x^2) sin(3x): g'(x) = exp(-x^2) (3 cos 3x - 2x sin 3x), at x = 0.4 (the text's)
    x = _v("00", 1)["x"]
    dg = math.exp(-x * x) * (3 * math.cos(3 * x) - 2 * x * math.sin(3 * x))

    def probe(fn):
        rng = np.random.default_rng(0)
        for shape in ((5, 3), (1, 7), (4, 1), (64, 2)):   # shapes and values the reader did not choose
            v = rng.normal(0, 3, size=shape).astype(np.float32)
            got = np.asarray(_call(fn, v), np.float64)
            want = np.linalg.norm(v.astype(np.float64), axis=1)
            if got.shape != (shape[0],) or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
                return False
        return True
    # MLP(3, 16, 2): Linear(3, 16), Linear(16, 16), Linear(16, 2), each din * dout weights and dout biases
    a, h, b = (_v("00", 4)[k] for k in ("din", "hidden", "dout"))
    n_params = (a * h + h) + (h * h + h) + (h * b + b)
    return {
        1: _number(answer_1, dg, 1e-4, f"jax.grad(g) is a function: call it at {x} (not g itself); check it against "
                                       "(g(x + h) - g(x - h)) / 2h for a small h"),
        2: _function(batched_norm, probe, "write the norm of one vector (shape (d,) in, a scalar out), then jax.vmap "
                                          "it over axis 0: one norm per row, shape (n,)"),
        3: _number(answer_3, _v("00", 3)["m"], 0,
                   "a key fixes the numbers it gives: compare the ten rows (or run the loop and "
                                   "count with jnp.unique)"),
        4: _number(answer_4, n_params, 0,
                   f"three Linear layers, {a} -> {h} -> {h} -> {b}; each has din x dout weights plus "
                                          "dout biases"),
    }


# ---------------------------------------------------------------------------------------------- notebook 01
def _kl_gauss(mu1, s1, mu2, s2):
    return math.log(s2 / s1) + (s1 ** 2 + (mu1 - mu2) ** 2) / (2 * s2 ** 2) - 0.5


def _js_bernoulli(a, b):
    pa, pb = np.array([a, 1 - a]), np.array([b, 1 - b])
    m = (pa + pb) / 2
    kl = lambda u: np.sum([ui * math.log(ui / mi) for ui, mi in zip(u, m) if ui > 0])   # 0 log 0 = 0
    return 0.5 * kl(pa) + 0.5 * kl(pb)


def _mode_seeking_mean(weights=(0.3, 0.7), means=(-2.0, 2.0), std=0.5):
    """argmin over mu (grid 0.01, sigma free) of KL(N(mu, s^2) || p), p the weighted 1-D mixture, by integration."""
    x = np.linspace(-12, 12, 4801)
    log_p = np.logaddexp.reduce([math.log(w) - 0.5 * ((x - m) / std) ** 2 - math.log(std * math.sqrt(2 * math.pi))
                                 for w, m in zip(weights, means)], axis=0)
    best = (np.inf, None)
    for s in np.linspace(0.5, 2.0, 31):
        for mu in np.arange(-4, 4.001, 0.05):
            lq = -0.5 * ((x - mu) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))
            kl = np.trapezoid(np.exp(lq) * (lq - log_p), x)
            best = min(best, (kl, mu), key=lambda t: t[0])
    return best[1]


def _nb01(answer_1=None, js_bernoulli=None, answer_3=None) -> dict[int, _Result]:
    def probe(fn):
        pairs = ((0.3, 0.6), (0.5, 0.5), (0.0, 1.0), (0.9, 0.2), (1.0, 1.0))
        return all(abs(float(_call(fn, a, b)) - _js_bernoulli(a, b)) < 1e-6 for a, b in pairs)
    n1 = _v("01", 1)
    return {
        1: _number(answer_1, _kl_gauss(n1["mu1"], n1["s1"], n1["mu2"], n1["s2"]), 1e-3,
                   VARIANTS["01"][1].say.format(**n1).join(("the boxed formula with ", " (the second argument is the "
                                                                                       "q)"))),
        2: _function(js_bernoulli, probe, "average KL(P_a || M) and KL(P_b || M) with M the average of the two coins; "
                                          "treat 0 log 0 as 0 (try a = 0, b = 1: the answer must be log 2)"),
        3: _number(answer_3, _mode_seeking_mean, 0.1,
                   "search mu (and sigma) for the smallest KL(q || p) on the grid; "
                   "the mode-seeking KL sits on one mode"),
    }


# ---------------------------------------------------------------------------------------------- notebook 02
def _nb02(answer_1=None, answer_2=None, answer_3=None, answer_4=None) -> dict[int, _Result]:
    return {
        # D*(0) = sigmoid(log p(0) - log q(0)), log p(0) - log q(0) = m^2 / 2 for q = N(m, 1)
        1: _number(answer_1, 1 / (1 + math.exp(-_v("02", 1)["m"] ** 2 / 2)), 1e-3,
                   "D* = p / (p + q) = sigmoid(log p - log q)"),
        # p = U(0, 1), q = U(s, 1 + s): D* = 1/2 on the overlap of length 1 - s, 1 or 0 elsewhere (log 1 = 0)
        2: _number(answer_2, -2 * (1 - _v("02", 2)["s"]) * math.log(2), 1e-3,
                   "split the line into the pieces where only p, both, or only q have mass; "
                   "D* = p / (p + q) is constant on each; integrate p log D* + q log(1 - D*)"),
        3: _number(answer_3, 2 / math.sqrt(_v("02", 3)["k"]), 1e-3,
                   "the orbit stays bounded while |trace| < 2, with trace = 2 - k eta^2"),
        4: _number(answer_4, MEASURED["02"][4][0], MEASURED["02"][4][1],
                   "only the generator's update changes (optax.adam(0.02) in place of the plain step), the seeds and "
                   "everything else stay; report the step of the saturating run at which mu first exceeds 0"),
    }


# ---------------------------------------------------------------------------------------------- notebook 03
def _nb03(answer_1=None, answer_2=None, to_pixels=None) -> dict[int, _Result]:
    def subpixel_params():
        from flax import nnx
        from gan_utils import models
        n2 = _v("03", 2)
        return models.count_params(models.Upsample(n2["cin"], n2["cout"], mode="subpixel", rngs=nnx.Rngs(0)))

    def probe(fn):
        from gan_utils import data
        # off the half-integers, so any round-to-nearest passes and truncation fails; outside [-1, 1]: clipping
        k = np.arange(-40, 300)
        x = np.concatenate([(k + 0.3) / 127.5 - 1, (k - 0.3) / 127.5 - 1, [-1.0, 0.0, 1.0]]).astype(np.float32)
        got = np.asarray(_call(fn, x))
        return got.dtype == np.uint8 and got.shape == x.shape and np.array_equal(got, data.to_uint8(x))
    return {
        1: _number(answer_1, (lambda n, k, s, p: (n - 1) * s + k - 2 * p)(*(_v("03", 1)[c] for c in "nksp")), 0,
                   "output side = (input - 1) * stride + kernel - 2 * padding"),
        2: _number(answer_2, subpixel_params, 0,
                   "sub-pixel = a 3x3 convolution to 4x the output channels, then depth_to_space; "
                   "count weights + biases"),
        3: _function(to_pixels, probe, "the inverse of to_unit_range: scale [-1, 1] to [0, 255], round to the nearest "
                                       "integer, clip, and return uint8"),
    }


# ---------------------------------------------------------------------------------------------- notebook 04
def _nb04(neg_log_sigmoid=None, answer_2=None, answer_3=None, answer_4=None) -> dict[int, _Result]:
    import jax
    import jax.numpy as jnp

    def probe(fn):
        l = jnp.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 17.0, 30.0, 60.0, 1000.0], jnp.float32)
        got = jnp.asarray(_call(fn, l))     # atol 0: log(1 + exp(-l)) without log1p fails from l = 17 on
        return bool(jnp.all(jnp.isfinite(got))) and bool(jnp.allclose(got, jax.nn.softplus(-l), rtol=1e-5, atol=0))
    return {
        1: _function(neg_log_sigmoid, probe, "-log sigmoid(l) = softplus(-l); write softplus so that exp never "
                                             "overflows (split off max(-l, 0)) and test it at l = +-1000"),
        2: _number(answer_2, (1 - _v("04", 2)["alpha"]) / 2, 1e-6,
                   "the smoothed optimum is (1 - alpha) p / (p + q); set q = p"),
        3: _number(answer_3, _v("04", 3)["d"] / (1 - _v("04", 3)["d"]), 1e-6,
                   "saturating |dL/dl| = D, non-saturating |dL/dl| = 1 - D"),
        4: _number(answer_4, _v("04", 4)["good"] / _v("04", 4)["bad"], 1e-3,
                   "per sample, the saturating loss weighs a fake's gradient by D(G(z)) (section 4); divide the good "
                   "fake's weight by the bad fake's"),
    }


# ---------------------------------------------------------------------------------------------- notebook 05
def _toy_last_high_quality(x_ring, lr: float, b1: float, seed: int = 0, steps_: int = 2000) -> float:
    """Notebook 05's ``run_toy(lr, b1)`` on the reader's ring samples: the high-quality fraction of its last
    snapshot."""
    import jax
    from flax import nnx
    from gan_utils import data, metrics, models, steps, train
    ring = data.ring(std=0.05)
    rngs = nnx.Rngs(seed)
    toy = steps.GAN(models.MLPGenerator(2, 2, rngs=rngs), models.MLPDiscriminator(2, rngs=rngs), g_lr=lr, d_lr=lr,
                    b1=b1)
    train.fit(toy, data.BatchSampler(np.asarray(x_ring), 128, jax.random.key(seed + 1)), key=jax.random.key(seed + 2),
              steps=steps_, progress=False)
    fake = np.asarray(models.sample(toy.generator, jax.random.key(seed + 3), 1000))
    return metrics.toy_mode_metrics(fake, ring)["high_quality_fraction"]


def _nb05(answer_1=None, answer_2=None, answer_3=None, *, x_ring=None) -> dict[int, _Result]:
    out = {
        1: _number(answer_1, -math.log(_v("05", 1)["real"]) - math.log(1 - _v("05", 1)["fake"]), 1e-3,
                   "L_D = -log D(x) - log(1 - D(G(z))), averaged over the batch; every sample gives the same terms"),
        2: _number(answer_2, (1 - _v("05", 2)["d"]) / _v("05", 2)["d"], 0.1,
                   "non-saturating |dL/dl| = 1 - D, saturating |dL/dl| = D"),
    }
    if answer_3 is None or x_ring is None:
        out[3] = ("not answered", "") if answer_3 is None else _missing(x_ring=x_ring)
    else:
        out[3] = _number(answer_3, _toy_last_high_quality(x_ring, 5e-3, 0.5), 0.02,
                         "run_toy(5e-3, 0.5) returns snapshots (step, fake, modes, high_quality); take the last one's")
    return out


# ---------------------------------------------------------------------------------------------- notebook 06
def _nb06(ex1=None, ex2_real=None, ex2_blur=None, ex3=None, *, feat_test=None, feat_train=None, x_test=None,
          real_imgs=None, blurred=None, prob_test=None, generator=None) -> dict[int, _Result]:
    from gan_utils import metrics

    out = {1: (ex1 is not None and _missing(feat_test=feat_test, feat_train=feat_train)) or _number(
        ex1, lambda: metrics.fid_from_features(np.asarray(feat_test)[:2000], feat_train), 1e-6,
        "metrics.fid_from_features(first 2,000 test features, all training features in feat_train)")}
    if ex2_real is None or ex2_blur is None:
        out[2] = ("not answered", "")
    elif _missing(x_test=x_test, real_imgs=real_imgs, blurred=blurred):   # graded a right answer "not yet"
        out[2] = _missing(x_test=x_test, real_imgs=real_imgs, blurred=blurred)
    elif _text(ex2_real) or _text(ex2_blur):
        out[2] = ("not yet", _text(ex2_real) or _text(ex2_blur))
    else:
        want = [abs(float(np.mean(x_test, dtype=np.float64)) - float(np.mean(v, dtype=np.float64)))
                for v in (real_imgs, blurred)]
        try:
            got = [float(ex2_real), float(ex2_blur)]
        except (TypeError, ValueError):     # a list or an array for one of them: a hint, not a traceback
            got = None
        out[2] = (("not yet", f"expected two numbers, got {type(ex2_real).__name__} and {type(ex2_blur).__name__}")
                  if got is None else ("correct", "") if np.allclose(got, want, atol=1e-3) else
                  ("not yet", "the absolute difference of the mean pixel values (uint8 as floats, 0-255 units): "
                              "|mean(x_test) - mean(set)| for each set"))
    if ex3 is None:
        out[3] = ("not answered", "")
    elif generator is None:
        out[3] = ("not yet", "this exercise needs the shipped generator (GEN_DIR) loaded as in section 7")
    elif _missing(feat_test=feat_test, prob_test=prob_test):
        out[3] = _missing(feat_test=feat_test, prob_test=prob_test)
    else:
        out[3] = _number_pair(ex3, _truncated_precision_recall(generator, feat_test, prob_test), 1e-3,
                              "z = 0.5 * jax.random.normal(jax.random.key(0), (2000, latent_dim)), samples scored by "
                              "metrics.image_metrics(samples, (feat_test, prob_test), pr_n=2000)")
    return out


def _number_pair(got, want, tol, hint) -> _Result:
    if _text(got) or any(_text(v) for v in (got if isinstance(got, (tuple, list)) else ())):
        return "not yet", "expected a pair of numbers (precision, recall), not strings: give them without quotes"
    try:
        a, b = (float(v) for v in got)
    except (TypeError, ValueError):
        return "not yet", "expected a pair (precision, recall)"
    return ("correct", "") if abs(a - want[0]) <= tol and abs(b - want[1]) <= tol else ("not yet", hint)


def _truncated_precision_recall(generator, feat_test, prob_test) -> tuple[float, float]:
    import jax
    from gan_utils import data, metrics, models
    z = 0.5 * jax.random.normal(jax.random.key(0), (2000, generator.latent_dim))
    samples = data.to_uint8(models.sample(generator, None, 2000, z=z))
    m = metrics.image_metrics(samples, (feat_test, prob_test), pr_n=2000)
    return m["precision"], m["recall"]


# ---------------------------------------------------------------------------------------------- notebook 07
def _ring_verdicts(changes: dict, recipe: dict, seeds=(0, 1, 2), steps: int = 6000, anneal: int = 2000) -> list[str]:
    """The GAN doctor's verdict on each seed of notebook 07's section-2 protocol (the ring, ``recipe`` with
    ``changes``, ``steps`` of which the last ``anneal`` at a tenth of the rates), read from 2,500 final samples and
    the last losses, as section 2.1 reads the committed runs."""
    from . import data, doctor, playground
    config = playground.PlaygroundConfig(data="ring", seed=0, **{**recipe, **changes})
    ring = data.toy_dataset("ring")
    verdicts = []
    for r in playground.train_seeds(config, list(seeds), steps, anneal=anneal):
        history = {"step": [steps - 1], "d_loss": [r["d_loss"]], "g_loss": [r["g_loss"]]}
        verdicts.append(doctor.diagnose(history, doctor.toy_signals(r["samples"], ring)).verdict)
    return verdicts


def _collapse_change(changes, recipe) -> _Result:
    """Exercise 4 of notebook 07: a change to the recipe after which the doctor says mode collapse in every seed."""
    if changes is None:
        return "not answered", ""
    if not isinstance(changes, dict) or not changes:
        return "not yet", "expected a non-empty dict of PlaygroundConfig fields to change, e.g. {'loss': 'lsgan'}"
    if not recipe:
        return "not yet", "pass the notebook's recipe to the checker (recipe=RECIPE)"
    from . import playground
    try:
        before = playground.PlaygroundConfig(data="ring", seed=0, **recipe)
        after = before.replace(**changes)
        changed = {f.name for f in dataclasses.fields(before) if getattr(before, f.name) != getattr(after, f.name)}
    except (TypeError, ValueError) as e:
        return "not yet", f"that change is not a valid PlaygroundConfig: {e}"
    if not changed:
        return "not yet", "that dict changes nothing: every value is already the recipe's"
    if changed & {"data", "points", "seed"}:
        return "not yet", "keep the ring and the seeds (the checker trains seeds 0, 1, 2): change the recipe itself"
    if after.g_lr > before.g_lr:   # section 2 shows G's rate x 5 and x 10: the exercise asks for another change
        return "not yet", ("raising G's learning rate is section 2's worked example; find a change to another part of "
                           "the recipe that collapses it without that (D's size or rate, the loss, the batch, ...)")
    verdicts = _ring_verdicts(changes, recipe)
    if all(v == "mode_collapse" for v in verdicts):
        return "correct", ""
    hints = {"non_convergence": "some samples are off the data (non-convergence): collapse keeps every sample good "
                                "but drops modes",
             "healthy": "the ring was covered in some seed: the generator must move faster than D can follow",
             "diverged": "training diverged: too large a change", "discriminator_wins": "D won outright"}
    worst = next(v for v in verdicts if v != "mode_collapse")
    return "not yet", f"the doctor said {', '.join(verdicts)} for seeds 0, 1, 2; {hints.get(worst, worst)}"


def _nb07(ex1=None, ex2=None, ex3=None, ex4=None, ex5=None, *, table=None, recipe=None) -> dict[int, _Result]:
    out = {
        # U[0,1] against U[t, 1+t], 0 <= t < 1: where they overlap the densities are equal and add nothing; each keeps
        # mass t alone, where its density is twice the mixture's: JSD = 2 * (1/2) * t * log 2 = t log 2.
        1: _number(ex1, _v("07", 1)["theta"] * math.log(2), 1e-3,
                   "only the parts where one density is 0 contribute: there p = 2m (or q = 2m); add up mass x log 2"),
        2: _number(ex2, _v("07", 2)["theta"], 1e-3,
                   "W1 is the area between the two CDFs; every bit of mass moves by the same shift"),
        # f(x) = 2 x1 - x2: gradient (2, -1) everywhere, norm sqrt 5
        3: _number(ex3, _v("07", 3)["lam"] * (math.hypot(_v("07", 3)["a"], _v("07", 3)["b"]) - 1) ** 2, 1e-2,
                   "the gradient of a linear critic is the same at every x_hat; "
                   "the penalty is lambda (||grad|| - 1)^2"),
    }
    out[4] = _collapse_change(ex4, recipe)
    if ex5 is None:
        out[5] = ("not answered", "")
    elif not table:
        out[5] = ("not yet", "pass the notebook's per-seed ring reverse-KL column to the checker (table=ring_rkl)")
    elif _bad_table(table):
        out[5] = ("not yet", _bad_table(table))
    else:
        want = _told_apart(table)
        try:
            got = {str(n) for n in ex5} if not isinstance(ex5, str) else {ex5}
        except TypeError:
            got = None
        out[5] = ("correct", "") if got == want else (
            "not yet", "for each method: difference of means from the plain GAN's, against 2 x sqrt(se_a^2 + se_b^2), "
                       "se = std over seeds (ddof=1) / sqrt(seeds); a set of names, the plain GAN not included")
    return out


def _bad_table(table) -> str | None:
    """What is wrong with a table of per-seed values for ``_told_apart``, or None: it needs the plain GAN and at least
    one method, each with at least two values (one seed has no standard error: NaN compared as "not apart", and any
    answer passed), none NaN, the plain GAN's all finite; a method's +-inf (a reverse KL where a run had no
    high-quality sample, as notebook 07's table has) is allowed: ``_told_apart`` leaves that method out."""
    if not isinstance(table, dict) or len(table) < 2:
        return ("table must be a dict {method: per-seed values}, the plain GAN first and at least one method after it "
                "(table=ring_rkl)")
    for name, values in table.items():
        try:
            v = np.asarray(values, float)
        except (TypeError, ValueError):
            return f"table[{name!r}] must be a list of numbers (one per seed), got {values!r:.60}"
        finite = np.isfinite(v) if name == next(iter(table)) else ~np.isnan(v)
        if v.ndim != 1 or len(v) < 2 or not np.all(finite):
            return (f"table[{name!r}] must hold at least two finite values (one per seed): a standard error needs two "
                    f"seeds; got {values!r:.60}")
    return None


def _told_apart(table: dict) -> set:
    """The methods whose mean differs from the first entry's (the plain GAN's) by more than 2 standard errors; a
    method with an infinite value has no mean to compare and is left out."""
    names = list(table)
    base = np.asarray(table[names[0]], float)

    def se(a):
        return np.std(a, ddof=1) / math.sqrt(len(a))

    out = set()
    for name in names[1:]:
        a = np.asarray(table[name], float)
        if np.all(np.isfinite(a)) and abs(a.mean() - base.mean()) > 2 * math.hypot(se(a), se(base)):
            out.add(name)
    return out


# ---------------------------------------------------------------------------------------------- notebook 08
def _projection_probe(fn: Callable) -> bool:
    rng = np.random.default_rng(8)
    for n, f, k in ((5, 12, 10), (3, 7, 4)):   # two shapes the reader did not choose
        phi, w, b = rng.normal(size=(n, f)), rng.normal(size=f), float(rng.normal())
        v, y = rng.normal(size=(k, f)), rng.integers(0, k, n)
        want = phi @ w + b + np.sum(v[y] * phi, axis=1)
        got = _call(fn, phi, w, b, v, y)
        if np.shape(got) != (n,) or not np.allclose(np.asarray(got, np.float64), want, atol=1e-5):
            return False
    return True


def _clipped_precision_recall(feat_test) -> tuple[float, float]:
    """Notebook 08, exercise 5: section 3.4's scores for codes clipped to [-1, 1] instead of redrawn."""
    import jax
    import jax.numpy as jnp
    from gan_utils import checkpoint, metrics, models
    generator = checkpoint.load_pretrained(kind="conditional").generator
    z = jnp.clip(jax.random.normal(jax.random.key(5), (2000, generator.latent_dim)), -1.0, 1.0)
    features, _ = metrics.classifier_outputs(models.sample(generator, None, 2000, z=z,
                                                           labels=models.class_labels(2000, 10)))
    return tuple(float(v) for v in metrics.precision_recall(np.asarray(feat_test)[:2000], features))


def _nb08(ex1=None, projection_logit=None, ex3=None, ex4=None, ex5=None, *, feat_test=None) -> dict[int, _Result]:
    out = {
        # lerp(t) = (1 - t) z0 + t z1: E|.|^2 = ((1 - t)^2 + t^2) d (the cross term has mean 0); t = 0.3, d = 64
        1: _number(ex1, ((1 - _v("08", 1)["t"]) ** 2 + _v("08", 1)["t"] ** 2) * _v("08", 1)["d"], 1e-6,
                   "expand |(1 - t) z0 + t z1|^2; E|z|^2 = d and E[z0 . z1] = 0 for independent codes"),
        2: _function(projection_logit, _projection_probe,
                     "one unconditional score per row (phi @ w + b) plus the inner product of phi with its class's row "
                     "of V"),
        # P(|z| > 1) for z ~ N(0, 1) = 2 (1 - Phi(1)) = erfc(1 / sqrt 2)
        3: _number(ex3, math.erfc(_v("08", 3)["psi"] / math.sqrt(2)), 1e-3,
                   "the probability that a standard normal lands outside "
                   "one standard deviation, on either side"),
        # base b: conv1 4*4*11*b + b, conv2 4*4*b*2b + 2b, fc 7*7*2b + 1 = 32 b^2 + 277 b + 1; b = 48
        4: _number(ex4, 32 * _v("08", 4)["base"] ** 2 + 277 * _v("08", 4)["base"] + 1, 0.5,
                   "add up the two convolutions (kernel height x width x input channels x output channels, plus one "
                   f"bias per output channel) and the Linear layer, at base {_v('08', 4)['base']}"),
    }
    if ex5 is None:
        out[5] = ("not answered", "")
    elif feat_test is None:
        out[5] = ("not yet", "pass the notebook's test features to the checker (feat_test=feat_test)")
    else:
        out[5] = _number_pair(ex5, _clipped_precision_recall(feat_test), 1e-3,
                              "z = jnp.clip(jax.random.normal(jax.random.key(5), (2000, d)), -1, 1), labels "
                              "models.class_labels(2000, 10), scored by metrics.precision_recall(feat_test[:2000], f)")
    return out


# ---------------------------------------------------------------------------------------------- notebook 09
def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _acceptance_probe(fn: Callable) -> bool:
    rng = np.random.default_rng(9)
    for n, m in ((7, 0.0), (50, 1.3), (200, -2.0)):
        logits = rng.normal(0, 2, n)
        want = float(np.mean(np.minimum(1.0, np.exp(logits - m))))
        if abs(float(_call(fn, logits, m)) - want) > 1e-6:
            return False
    return True


def _purity_probe(fn: Callable) -> bool:
    rng = np.random.default_rng(10)
    for n, k, c in ((12, 3, 4), (500, 10, 7), (300, 10, 20)):
        labels, clusters = rng.integers(0, k, n), rng.integers(0, c, n)
        clusters[: n // 2] = labels[: n // 2] % c          # some structure, so purity is not near chance
        want = sum(np.bincount(labels[clusters == j]).max() for j in np.unique(clusters)) / n
        if abs(float(_call(fn, clusters, labels)) - want) > 1e-9:
            return False
    return True


def _nb09(ex1=None, ex2=None, acceptance=None, purity=None) -> dict[int, _Result]:
    # Phi^-1(0.3) = -0.5244: each class's band of width r/2 = 0.5 holds Phi(-0.0244) - 0.3 = 0.1903
    out = {1: _number(ex1, 2 * (_phi(-0.524400512708041 + 0.5) - 0.3), 1e-3,
                      "each class's band has width r/2 = 0.5; add Phi(Phi^-1(0.3) + 1/2) - 0.3 over the two classes")}
    # cluster 2 starts where Phi(z_1) passes the cumulative share of clusters 0 and 1, 0.5 + 0.3: z_1 = Phi^-1(0.8)
    out[2] = _number(ex2, 0.8416212335729143, 1e-3,
                     "cluster 2 takes the codes whose Phi(z_1) is past the shares of clusters 0 and 1 together; "
                     "invert Phi at that cumulative share")
    out[3] = _function(acceptance, _acceptance_probe, "each sample is kept with probability min(1, exp(logit - M)); "
                                                       "return the mean over the samples")
    out[4] = _function(purity, _purity_probe, "for each cluster count its most common label; sum over clusters, "
                                              "divide by N")
    return out


# ---------------------------------------------------------------------------------------------- notebook 10
def _nb10(ex1=None, ex2=None, ex3=None, x0_from_noise=None) -> dict[int, _Result]:
    from gan_utils import rivals
    ab = np.asarray(rivals.Schedule().alpha_bar, np.float64)
    out = {
        # KL(N(1, 0.5^2) || N(0, 1)) = (mu^2 + sigma^2 - 1 - log sigma^2) / 2
        1: _number(ex1, (lambda mu, s: 0.5 * (mu ** 2 + s ** 2 - 1 - math.log(s ** 2)))(
            _v("10", 1)["mu"], _v("10", 1)["sigma"]), 1e-3,
                   "KL = (mu^2 + sigma^2 - 1 - log sigma^2) / 2 for one coordinate"),
        # (-ELBO + d_x log 128) / (d_x log 2) with -ELBO = -2500 nats per image, d_x = 784 pixels
        2: _number(ex2, (_v("10", 2)["nelbo"] + 784 * math.log(128)) / (784 * math.log(2)), 1e-3,
                   "add d_x log 128 nats (each grey level's bin is 1/128 wide on the [-1, 1] scale), then divide by "
                   "d_x log 2"),
        # the first t (counting from 0) with sqrt(abar_t) < 1/2
        3: _number(ex3, float(np.argmax(np.sqrt(ab) < _v("10", 3)["c"])), 0.5,
                   "look for the first index of rivals.Schedule().alpha_bar whose square root is below "
                   f"{_v('10', 3)['c']}"),
        4: _function(x0_from_noise, _x0_probe, "invert x_t = sqrt(abar) x0 + sqrt(1 - abar) eps for x0"),
    }
    return out


def _x0_probe(fn: Callable) -> bool:
    rng = np.random.default_rng(10)
    for ab in (0.9, 0.3, 0.01):
        # x0 inside [-1, 1], as pixels are: an answer that also clips x0 there, as DDIM does, is right too
        x0, eps = rng.uniform(-1, 1, size=(3, 28, 28, 1)), rng.normal(size=(3, 28, 28, 1))
        xt = math.sqrt(ab) * x0 + math.sqrt(1 - ab) * eps
        if not np.allclose(np.asarray(_call(fn, xt, eps, ab)), x0, atol=1e-4):
            return False
    return True


# ---------------------------------------------------------------------------------------------- notebook 11
def _nb11(ex1=None, ex2=None, ex3=None, generator_objective=None) -> dict[int, _Result]:
    from gan_utils import models
    return {
        # a PatchGAN with 4 strided 4x4 convolutions, then two stride-1 4x4 ones (models.PatchDiscriminator)
        1: _number(ex1, lambda: models.receptive_field([4] * 6, [2] * 4 + [1] * 2), 0.5,
                   "each 4x4 layer widens the patch by 3 of its input's pixels, and an input pixel of layer l spans "
                   "the product of the strides before it; count the two stride-1 layers too"),
        # ink (+1) in 3 of 5 plausible targets, paper (-1) in 2: L1's best constant is their median, L2's their mean
        2: _number(ex2, 1.0 if 2 * _v("11", 2)["ink"] > _v("11", 2)["n"] else -1.0, 1e-6,
                   "the value that minimises a sum of |x - t_i| is a median of the t_i"),
        3: _number(ex3, (2 * _v("11", 3)["ink"] - _v("11", 3)["n"]) / _v("11", 3)["n"], 1e-6,
                   "the value that minimises a sum of (x - t_i)^2 is the mean of the t_i"),
        4: _function(generator_objective, _objective_probe,
                     "the mean over every patch of -log sigmoid(logit), plus lam times the mean of |fake - target|; "
                     "use jax.nn.log_sigmoid for a stable log"),
    }


def _objective_probe(fn: Callable) -> bool:
    import jax
    rng = np.random.default_rng(11)
    for lam in (0.0, 1.0, 100.0):
        logits = rng.normal(0, 3, size=(4, 6, 6)).astype(np.float32)
        fake, target = (rng.uniform(-1, 1, size=(4, 16, 16, 1)).astype(np.float32) for _ in range(2))
        want = float(-np.mean(jax.nn.log_sigmoid(logits)) + lam * np.mean(np.abs(fake - target)))
        if not abs(float(_call(fn, logits, fake, target, lam)) - want) <= 1e-4 * max(1.0, abs(want)):
            return False
    return True


# ---------------------------------------------------------------------------------------------- notebook 12
def _nb12(ex1=None, cycle_term=None, ex3=None, ex4=None, ex5=None) -> dict[int, _Result]:
    return {
        # copying translators: cycle and identity terms 0; each GAN term -log 0.01 averaged over patches
        1: _number(ex1, -2 * math.log(_v("12", 1)["d"]), 1e-3,
                   "the L1 terms vanish for copies; each of the two GAN terms is -log D = -log "
                   f"{_v('12', 1)['d']} on every patch"),
        2: _function(cycle_term, _cycle_probe,
                     "both directions: mean |f(g(x)) - x| plus mean |g(f(y)) - y|, each a mean absolute error"),
        3: _number(ex3, _rebuild_error, 1e-3,
                   "round G(x) with cycle.quantise(gx, 3), translate it back with the shipped F "
                   "(models.translate), and average |F(...) - x_test| over every pixel"),
        4: _number(ex4, _switch_point, 1e-6,
                   "for t = 0, 0.05, ..., 1 draw the held-out glyphs with the code (1 - t) kai + t smiley "
                   "(styles.path_codes('kai', 'smiley', 21)), take the judge's argmax (styles.font_probabilities) "
                   "and keep the first t where more than half are called 'smiley'"),
        5: _number(ex5, _fewest_shots, 0.5,
                   "for each k take the lowest 'passes' over the five seeds (the worst seed, not the mean) and keep "
                   "the first k where it reaches 0.9"),
    }


def _fewest_shots(share: float = 0.9, worst: bool = True) -> float:
    """Notebook 12, exercise 5: the smallest k of the shipped imitation table at which the hand judge calls at least
    ``share`` of the held-out glyphs the hand in every seed (``worst=False``: on the seeds' mean); inf if none."""
    from gan_utils import precomputed
    rows = precomputed.load("12_hand")[0]["rows"]
    for j, shot in enumerate(rows[0]["shots"]):
        p = [r["shots"][j]["passes"] for r in rows]
        if (min(p) if worst else float(np.mean(p))) >= share:
            return float(shot["k"])
    return math.inf


def _cycle_probe(fn: Callable) -> bool:
    rng = np.random.default_rng(12)
    a, b = rng.normal(size=(2, 16, 16)).astype(np.float32) / 4
    g = lambda v: np.tanh(v.reshape(len(v), -1) @ a).reshape(v.shape)     # noqa: E731  two unrelated maps
    f = lambda v: np.tanh(v.reshape(len(v), -1) @ b).reshape(v.shape)     # noqa: E731
    for n in (3, 5):
        x, y = (rng.uniform(-1, 1, size=(n, 4, 4, 1)).astype(np.float32) for _ in range(2))
        want = float(np.abs(f(g(x)) - x).mean() + np.abs(g(f(y)) - y).mean())
        if not abs(float(_call(fn, g, f, x, y)) - want) <= 1e-4 * max(1.0, want):
            return False
    return True


def _rebuild_error(levels: int = 3) -> float:
    """Notebook 12, exercise 3: the shipped F's mean absolute error rebuilding the held-out printed glyphs from the
    shipped G's translations rounded to ``levels`` grey levels."""
    from gan_utils import cycle, data, models
    g, f = cycle.load_pretrained()
    x = data.to_unit_range(data.load_glyphs("test", size=32).source)
    rebuilt = np.asarray(models.translate(f, cycle.quantise(np.asarray(models.translate(g, x)), levels)))
    return float(np.abs(rebuilt - x).mean())


def _switch_point(a: str = "kai", b: str = "smiley", points: int = 21) -> float:
    """Notebook 12, exercise 4: the first t of ``points`` evenly spaced on the path from font a to font b where the
    font judge calls more than half of the shipped style generator's held-out glyphs font b (2.0 if none)."""
    from gan_utils import data, styles
    g, test = styles.load_pretrained_styles(), data.load_glyph_styles("test")
    source = data.to_unit_range(test.source)
    for t, code in zip(np.linspace(0, 1, points), styles.path_codes(a, b, points)):
        called = styles.font_probabilities(styles.draw_in_style(g, source, code)).argmax(1)
        if (called == styles.FONT_STYLES.index(b)).mean() > 0.5:
            return float(round(t, 6))
    return 2.0


# ---------------------------------------------------------------------------------------------- notebook 13
def _nb13(ex1=None, mmd2=None, ex3=None) -> dict[int, _Result]:
    return {
        # D's relativistic loss for one pair: softplus(fake logit - real logit)
        1: _number(ex1, math.log1p(math.exp(-1.0 - 2.0)), 1e-4,
                   "D's paired loss reads only the difference: softplus(fake logit - real logit), with "
                   "softplus(t) = log(1 + e^t)"),
        2: _function(mmd2, _mmd2_probe,
                     "average the kernel (a . b / d + 1)^3 over pairs of different rows within a (leave the "
                     "diagonal out: divide by m (m - 1)), the same within b, and subtract twice its mean across"),
        3: _number(ex3, _dirac_first_step, 0.5,
                   "run dirac_path with one penalty at the exercise's rate, take np.hypot of each row (theta, w) "
                   "and keep the first index where it is below 0.01 (row 0 is the start, before any step)"),
    }


def _mmd2_probe(fn: Callable) -> bool:
    from gan_utils import metrics
    rng = np.random.default_rng(13)
    for m, n, d in ((7, 11, 3), (20, 5, 6)):
        a, b = rng.normal(size=(m, d)), rng.normal(size=(n, d)) + 0.3
        want = metrics._mmd2_unbiased(a, b)          # KID's estimate on one pair of sets, as the package computes it
        if not abs(float(_call(fn, a, b)) - want) <= 1e-6 * max(1.0, abs(want)):
            return False
    return True


def _dirac_first_step(lr: float = 0.05, n_penalties: int = 1, gamma: float = 1.0, steps: int = 1000,
                      below: float = 0.01) -> float:
    """Notebook 13, exercise 3: the first step of section 2's Dirac-GAN (alternating steps from (1, 1)) at which the
    distance to (0, 0) is below ``below``; inf if none within ``steps``."""
    theta, psi = 1.0, 1.0
    for i in range(1, steps + 1):
        psi -= lr * (theta / (1 + math.exp(-psi * theta)) + n_penalties * gamma * psi)
        theta -= lr * (-psi / (1 + math.exp(psi * theta)))
        if math.hypot(theta, psi) < below:
            return float(i)
    return math.inf


def _nb14(ex1=None, demodulate=None, ex3=None) -> dict[int, _Result]:
    return {
        # ADA's move after 4 steps of 64 images with mean signs 0.5, 0.6, 0.4, 0.5: r_t = 0.5 < 0.6, p falls
        1: _number(ex1, 0.3 - 4 * 64 / (20 * 1000), 1e-6,
                   "r_t is the mean of the four signs; p moves by sign(r_t - target) x images / (kimg x 1000), "
                   "with images = 4 x 64: down when r_t is below the target"),
        2: _function(demodulate, _demodulate_probe,
                     "multiply kernel[:, :, i, o] by s[i], then divide each output channel o by the square root of "
                     "the sum of its squares over the kernel's rows, columns and input channels, plus 1e-8"),
        3: _number(ex3, _little_data_gap, 1e-6,
                   "for each of the 5 runs with augment 'none', average train_real - held_real over the last 4 "
                   "points of its curve (as section 5's `gap`), then average the five"),
    }


def _demodulate_probe(fn: Callable) -> bool:
    rng = np.random.default_rng(14)
    for i, o in ((3, 4), (5, 2)):
        kernel, s = rng.normal(size=(3, 3, i, o)), rng.uniform(0.2, 2.0, size=i)
        k = kernel * s[None, None, :, None]
        want = k / np.sqrt(np.sum(k ** 2, axis=(0, 1, 2), keepdims=True) + 1e-8)
        got = np.asarray(_call(fn, kernel, s), np.float64)
        if got.shape != want.shape or not np.allclose(got, want, atol=1e-5):
            return False
    return True


def _little_data_gap() -> float:
    """Notebook 14, exercise 3: the mean over the shipped study's 5 runs without augmentation of D's gap (the share of
    training digits called real minus that of unseen digits, averaged over each run's last 4 probes)."""
    from gan_utils import precomputed
    study = precomputed.load("14_little_data")[0]["study"]
    gaps = [np.mean([p["train_real"] - p["held_real"] for p in r["curve"][-4:]]) for r in study
            if r["augment"] == "none"]
    return float(np.mean(gaps))


# Answers of "change the code and run it" exercises that are too slow to recompute in a checker: the value the
# reference solution printed (JAX 0.10.2, CPU), with a tolerance for other platforms' float rounding.
MEASURED: dict[str, dict[int, tuple[float, float]]] = {
    # notebook 02, exercise 4: the saturating run of section 4 with optax.adam(0.02) for the generator gets halfway
    # at step 87 (the non-saturating run with Adam: step 92; with the plain step: 1304 and 18). Measured 2026-11-22.
    "02": {4: (87, 3)},
}

NOTEBOOKS: dict[str, Callable[..., dict[int, _Result]]] = {
    "00": _nb00, "01": _nb01, "02": _nb02, "03": _nb03, "04": _nb04, "05": _nb05, "06": _nb06, "07": _nb07,
    "08": _nb08, "09": _nb09, "10": _nb10, "11": _nb11, "12": _nb12,
    "13": _nb13, "14": _nb14}


def _exercise_of(name: str) -> int | None:
    """The exercise an answer's name belongs to (answer_K, exK, exK_...), None for another name (data, a
    function)."""
    m = re.match(r"(?:answer_|ex)(\d+)(?:_|$)", name)
    return int(m.group(1)) if m else None


def _nb_key(notebook) -> str:
    if isinstance(notebook, (int, np.integer)) and not isinstance(notebook, bool):
        notebook = f"{int(notebook):02d}"     # 6 for "06"
    if notebook not in NOTEBOOKS:
        raise ValueError(f"no exercises for notebook {notebook!r}; expected one of {sorted(NOTEBOOKS)}")
    return notebook


def grade(notebook: str, student_id: Any = _DEFAULT, **answers) -> dict[int, tuple[str, str]]:
    """{exercise number: (status, hint)} for ``notebook``'s exercises; status is "correct", "not yet" or
    "not answered". Prints nothing and raises nothing on wrong answers (``check`` does). ``student_id``: whose
    numbers (default: the one ``student`` set; None: the text's)."""
    notebook = _nb_key(notebook)
    sid = _STUDENT if student_id is _DEFAULT else _student_id(student_id)
    _ACTIVE[0] = sid
    try:
        out = NOTEBOOKS[notebook](**answers)
        if sid is not None:        # an answer right for the text's numbers, not the student's: say so
            _ACTIVE[0] = None
            for k, (status, _) in list(out.items()):
                if status == "not yet" and k in VARIANTS.get(notebook, {}):
                    mine = {n: a for n, a in answers.items() if _exercise_of(n) in (k, None)}
                    if NOTEBOOKS[notebook](**mine).get(k, ("",))[0] == "correct":
                        out[k] = ("not yet", f"right for the text's numbers, but your numbers (student {sid}) are "
                                             f"others: exercises.show_numbers({notebook!r}) prints them")
        return out
    except TypeError as e:
        raise TypeError(f"check({notebook!r}, ...): {e}. Pass the answers by the names the exercise cell uses.") from e
    finally:
        _ACTIVE[0] = None


def check(notebook: str, student_id: Any = _DEFAULT, **answers) -> None:
    """Grade every exercise of ``notebook`` ("00" to "14"), print one line each, then raise if any is wrong.

    Args:
      notebook: the notebook's two-digit number.
      **answers: the reader's answers by the names the notebook's exercise cell uses (None = not answered), and
        for notebook 06 the arrays the exercises are about.
    Raises:
      ExerciseNotYet: after the full report, when at least one answer is wrong.
    """
    results = grade(notebook, student_id, **answers)
    for n, (status, msg) in sorted(results.items()):
        print(f"exercise {n}: {status}" + (f" - hint: {msg}" if msg and status == "not yet" else ""))
    wrong = [n for n, (status, _) in sorted(results.items()) if status == "not yet"]
    if wrong:
        raise ExerciseNotYet(f"notebook {notebook}: exercise(s) {', '.join(map(str, wrong))} not yet right "
                             "(hints above); every exercise was graded")
