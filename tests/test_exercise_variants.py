"""Per-student numbers (gan_utils.exercises.student): two ids get different numbers, each student's answer, worked
here independently of the checker (by JAX, by the package's models, by numerical integration), is graded right for
that student, and the text's answer is graded wrong for a student whose numbers differ; no id keeps the text's."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gan_utils import exercises

IDS = ["ab123", "s2026-17", "zhang.wei"]


def _integrate(f, lo=-30.0, hi=30.0, n=600_001):
    x = np.linspace(lo, hi, n)
    return np.trapezoid(f(x), x)


def _log_normal(x, mu, s):
    return -0.5 * ((x - mu) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))


def _g_prime(n):                              # 00.1: jax.grad at the student's x
    import jax
    import jax.numpy as jnp
    return float(jax.grad(lambda x: jnp.exp(-x ** 2) * jnp.sin(3 * x))(n["x"]))


def _distinct(n):                             # 00.3: the loop itself, counted
    import jax
    import jax.numpy as jnp
    k = jax.random.key(0)
    return int(jnp.unique(jnp.stack([jax.random.normal(k, (n["m"],)) for _ in range(10)])).size)


def _mlp_params(n):                           # 00.4: notebook 00's MLP (three Linear layers), counted
    from flax import nnx

    from gan_utils import models
    rngs = nnx.Rngs(0)
    layers = nnx.List([nnx.Linear(n["din"], n["hidden"], rngs=rngs), nnx.Linear(n["hidden"], n["hidden"], rngs=rngs),
                       nnx.Linear(n["hidden"], n["dout"], rngs=rngs)])
    return models.count_params(layers)


def _kl_integral(n):                          # 01.1: KL(N(mu1, s1^2) || N(mu2, s2^2)) by integration
    lp = lambda x: _log_normal(x, n["mu1"], n["s1"])    # noqa: E731
    return _integrate(lambda x: np.exp(lp(x)) * (lp(x) - _log_normal(x, n["mu2"], n["s2"])))


def _d_star(n):                               # 02.1: p / (p + q) at 0 from the densities
    p, q = math.exp(_log_normal(0.0, 0.0, 1.0)), math.exp(_log_normal(0.0, n["m"], 1.0))
    return p / (p + q)


def _c_of_g(n):                               # 02.2: E_p log D* + E_q log(1 - D*) on a grid
    x = np.linspace(-1, 3, 4_000_001)
    p = ((x >= 0) & (x < 1)).astype(float)
    q = ((x >= n["s"]) & (x < 1 + n["s"])).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(p + q > 0, p / (p + q), 0.5)
        f = np.where(p > 0, p * np.log(d), 0) + np.where(q > 0, q * np.log(1 - d), 0)
    return float(np.trapezoid(f, x))


def _conv_side(n):                            # 03.1: Flax's ConvTranspose with the PyTorch-equivalent padding
    import jax.numpy as jnp
    from flax import nnx
    k, s, p = n["k"], n["s"], n["p"]
    conv = nnx.ConvTranspose(1, 1, (k, k), strides=(s, s), padding=((k - 1 - p, k - 1 - p),) * 2,
                             rngs=nnx.Rngs(0))
    return conv(jnp.zeros((1, n["n"], n["n"], 1))).shape[1]


def _concat_params(n):                        # 08.4: notebook 08's layers, counted (the checker uses a closed form)
    from flax import nnx

    from gan_utils import models
    b, rngs = n["base"], nnx.Rngs(0)
    return models.count_params(nnx.List([nnx.Conv(11, b, (4, 4), strides=(2, 2), rngs=rngs),
                                         nnx.Conv(b, 2 * b, (4, 4), strides=(2, 2), rngs=rngs),
                                         nnx.Linear(7 * 7 * 2 * b, 1, rngs=rngs)]))


def _best_constant(n, power):                 # 11.2 / 11.3: the constant that minimises the error
    targets = np.array([1.0] * n["ink"] + [-1.0] * (n["n"] - n["ink"]))
    c = np.linspace(-1, 1, 20001)
    cost = (np.abs(c[:, None] - targets[None]) ** power).sum(1)
    if power == 2:                            # a parabola in c: its vertex, exactly
        a, b, _ = np.polyfit(c, cost, 2)
        return float(-b / (2 * a))
    return float(c[np.argmin(cost)])


def _lerp_coordinate_square(t):              # 08.1: E[((1 - t) a + t b)^2], a, b ~ N(0, 1), by Gauss-Hermite
    x, w = np.polynomial.hermite_e.hermegauss(20)
    w = w / w.sum()
    return float(np.sum(w[:, None] * w[None] * ((1 - t) * x[:, None] + t * x[None]) ** 2))


def _kl_std_normal(n):                        # 10.1: by integration
    lp = lambda x: _log_normal(x, n["mu"], n["sigma"])    # noqa: E731
    return _integrate(lambda x: np.exp(lp(x)) * (lp(x) - _log_normal(x, 0.0, 1.0)))


def _fade_step(n):                            # 10.3: from the schedule itself
    from gan_utils import rivals
    ab = np.asarray(rivals.Schedule().alpha_bar)
    return int(next(t for t, a in enumerate(ab) if math.sqrt(a) < n["c"]))


# (notebook, exercise) -> (the answer's name, its value worked independently from the numbers)
WORKED = {
    ("00", 1): ("answer_1", _g_prime), ("00", 3): ("answer_3", _distinct), ("00", 4): ("answer_4", _mlp_params),
    ("01", 1): ("answer_1", _kl_integral),
    ("02", 1): ("answer_1", _d_star), ("02", 2): ("answer_2", _c_of_g),
    ("03", 1): ("answer_1", _conv_side),
    # a 3x3 convolution from cin to 4 cout channels (then depth_to_space, no weights): by hand, against count_params
    ("03", 2): ("answer_2", lambda n: 9 * n["cin"] * 4 * n["cout"] + 4 * n["cout"]),
    ("04", 2): ("answer_2", lambda n: (1 - n["alpha"]) * 1 / (1 + 1)),
    ("04", 3): ("answer_3", lambda n: n["d"] / (1 - n["d"])),
    ("04", 4): ("answer_4", lambda n: n["good"] / n["bad"]),
    ("05", 1): ("answer_1", lambda n: -math.log(n["real"]) - math.log(1 - n["fake"])),
    ("05", 2): ("answer_2", lambda n: (1 - n["d"]) / n["d"]),
    ("07", 1): ("ex1", lambda n: _integrate(
        lambda x: np.where((x >= 0) & (x < 1) & ~((x >= n["theta"]) & (x < 1 + n["theta"])), math.log(2) / 2, 0)
        + np.where((x >= n["theta"]) & (x < 1 + n["theta"]) & ~((x >= 0) & (x < 1)), math.log(2) / 2, 0),
        -1, 3, 4_000_001)),
    ("07", 2): ("ex2", lambda n: _integrate(
        lambda x: np.abs(np.clip(x, 0, 1) - np.clip(x - n["theta"], 0, 1)), -1, 3, 4_000_001)),
    ("07", 3): ("ex3", lambda n: n["lam"] * (np.linalg.norm([n["a"], n["b"]]) - 1) ** 2),
    ("08", 1): ("ex1", lambda n: n["d"] * _lerp_coordinate_square(n["t"])),
    ("08", 3): ("ex3", lambda n: 2 * (1 - 0.5 * (1 + math.erf(n["psi"] / math.sqrt(2))))),
    ("08", 4): ("ex4", _concat_params),
    ("10", 1): ("ex1", _kl_std_normal),
    ("10", 2): ("ex2", lambda n: (n["nelbo"] + 784 * math.log(128)) / (784 * math.log(2))),
    ("10", 3): ("ex3", _fade_step),
    ("11", 2): ("ex2", lambda n: _best_constant(n, 1)),
    ("11", 3): ("ex3", lambda n: _best_constant(n, 2)),
    ("12", 1): ("ex1", lambda n: 2 * -math.log(n["d"])),
}
TOLERANCE: dict = {}


def test_the_default_is_the_text_and_every_variant_has_a_worked_check():
    assert exercises._STUDENT is None
    for nb, specs in exercises.VARIANTS.items():
        for k, spec in specs.items():
            assert exercises.numbers(nb, k) == spec.default == exercises.numbers(nb, k, None)
            assert spec.say.format(**spec.default)
    # every varied exercise is worked independently below, except 02.3 (a bound read from the trace, Appendix H)
    assert {(nb, k) for nb, s in exercises.VARIANTS.items() for k in s} - set(WORKED) == {("02", 3)}


def test_two_students_get_different_numbers_and_the_same_student_the_same():
    varied = [(nb, k) for nb, s in exercises.VARIANTS.items() for k in s]
    a = {e: exercises.numbers(*e, "ab123") for e in varied}
    b = {e: exercises.numbers(*e, "cd456") for e in varied}
    assert a == {e: exercises.numbers(*e, "ab123") for e in varied}
    differ = sum(a[e] != b[e] for e in varied)
    assert differ >= 0.75 * len(varied), f"only {differ} of {len(varied)} exercises differ"
    # a student's numbers are never the text's all at once
    for sid in IDS:
        assert sum(exercises.numbers(*e, sid) != exercises.VARIANTS[e[0]][e[1]].default for e in varied) >= len(
            varied) // 2


@pytest.mark.parametrize("nb,k", sorted(WORKED))
def test_each_students_answer_is_right_for_them_and_the_texts_answer_is_not(nb, k):
    name, work = WORKED[(nb, k)]
    default = work(exercises.VARIANTS[nb][k].default)
    assert exercises.grade(nb, student_id=None, **{name: default})[k][0] == "correct", (nb, k, default)
    for sid in IDS:
        n = exercises.numbers(nb, k, sid)
        answer = work(n)
        status, hint = exercises.grade(nb, student_id=sid, **{name: answer})[k]
        assert status == "correct", (nb, k, sid, n, answer, hint)
        if abs(answer - default) > max(1e-2, 3 * TOLERANCE.get((nb, k), 0)):
            assert exercises.grade(nb, student_id=sid, **{name: default})[k][0] == "not yet", (nb, k, sid)


def test_student_sets_the_numbers_for_check_and_show_numbers_says_them(capsys):
    try:
        exercises.student("ab123")
        n = exercises.numbers("05", 2)
        assert n == exercises.numbers("05", 2, "ab123") != exercises.VARIANTS["05"][2].default
        exercises.check("05", answer_2=(1 - n["d"]) / n["d"])
        exercises.show_numbers("05")
        out = capsys.readouterr().out
        assert "student ab123" in out and f"exercise 2: D(G(z)) = {n['d']}   (the text: D(G(z)) = 0.01)" in out
        with pytest.raises(exercises.ExerciseNotYet):
            exercises.check("05", answer_2=0.99 / 0.01)
    finally:
        exercises.student(None)
    exercises.show_numbers("05")
    assert "no student id set" in capsys.readouterr().out
    for bad, err in (("", ValueError), ("a b", ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(err, match="student"):
            exercises.student(bad)
    assert exercises._STUDENT is None


@pytest.mark.parametrize("nb,k", sorted(WORKED))
def test_no_student_can_hand_in_the_texts_answer(nb, k):
    """Numbers of a student's own can give the text's answer (D(x) = 0.8, D(G(z)) = 0.3 has the loss of 0.7, 0.2):
    such draws are drawn again, so the public worked answer is wrong for every id."""
    name, work = WORKED[(nb, k)]
    text = work(exercises.VARIANTS[nb][k].default)
    graded = {sid: exercises.grade(nb, student_id=sid, **{name: text})[k] for sid in (f"s{i:03d}" for i in range(60))}
    right = [sid for sid, (status, _) in graded.items() if status == "correct"]
    assert not right, f"notebook {nb}, exercise {k}: the text's answer is right for {right}"
    # and the hint says what happened, not the formula the student already used
    assert all("right for the text's numbers" in hint for _, hint in graded.values()), graded


def test_the_answer_key_gives_each_students_right_answer():
    for sid in [None] + IDS:
        for nb in exercises.VARIANTS:
            key = exercises.answer_key(nb, sid)
            for (n, k), (name, work) in WORKED.items():
                if n == nb:
                    want, tol = key[k]
                    assert abs(want - work(exercises.numbers(nb, k, sid))) <= max(tol, 1e-9), (nb, k, sid)
    assert exercises._KEY is None and exercises.answer_key("06", "ab123") == {}


def test_a_class_of_60_rarely_shares_a_notebooks_numbers():
    """In every notebook with two or more varied exercises, at most 5 of 60 students share all their numbers with a
    classmate (docs/grading.md says so); notebook 12 varies one exercise over 49 values."""
    from collections import Counter
    ids = [f"st{i:03d}" for i in range(60)]
    for nb, specs in exercises.VARIANTS.items():
        sets = [tuple(str(exercises.numbers(nb, k, sid)) for k in sorted(specs)) for sid in ids]
        count = Counter(sets)
        shared = sum(count[s] > 1 for s in sets)
        assert len(specs) < 2 or shared <= 5, (nb, shared)
        assert len(count) >= 20, (nb, len(count))
