"""The training step's options: one record (gan_utils.options.StepOptions), validated once, read by every user."""
import dataclasses
import subprocess
import sys

import pytest

from gan_utils import losses
from gan_utils.__main__ import make_parser
from gan_utils.config import GANConfig, command_line_defaults
from gan_utils.options import DISCRIMINATOR_LOSS_NAMES, GENERATOR_LOSS_NAMES, PENALTIES, StepOptions


def test_the_names_are_the_losses_and_the_options_module_imports_no_jax():
    assert tuple(losses.GENERATOR_LOSSES) == GENERATOR_LOSS_NAMES
    assert tuple(losses.DISCRIMINATOR_LOSSES) == DISCRIMINATOR_LOSS_NAMES
    assert losses.PENALTIES is PENALTIES
    # ... nor does the command line's parser: `python -m gan_utils --help` answers at once
    code = ("import sys, gan_utils.options, gan_utils.config; from gan_utils.__main__ import make_parser; "
            "make_parser(); print('jax' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_defaults_are_notebook_05s_step_and_the_penalty_resolves_once():
    o = StepOptions()
    assert (o.k_disc, o.generator_loss, o.discriminator_loss, o.applied_penalty, o.applied_weight) == (
        1, "non_saturating", "bce", "none", 0.0)
    assert StepOptions(penalty="gp").applied_weight == 10.0 and StepOptions(penalty="clip").applied_weight == 0.01
    assert StepOptions(penalty="r2", penalty_weight=3).applied_weight == 3.0
    old = StepOptions(r1=2.0)                 # the older spelling: R1, reported under its old name
    assert (old.applied_penalty, old.applied_weight, old.penalty_metric) == ("r1", 2.0, "r1_penalty")
    assert StepOptions(penalty="r1").penalty_metric == "penalty"
    assert dict(**StepOptions(k_disc=3)) == {f.name: getattr(StepOptions(k_disc=3), f.name)
                                             for f in dataclasses.fields(StepOptions)}
    assert StepOptions(k_disc=3).replace(k_disc=1) == StepOptions()


@pytest.mark.parametrize("bad, match", [
    (dict(k_disc=0), "k_disc"), (dict(k_disc=True), "k_disc"), (dict(generator_loss="relu"), "unknown generator_loss"),
    (dict(discriminator_loss="x"), "unknown discriminator_loss"),
    (dict(discriminator_loss="hinge", label_smoothing=0.1), "label_smoothing=0"),
    (dict(label_smoothing=1.0), "below 1"), (dict(penalty="l2"), "unknown penalty"),
    (dict(r1=1.0, penalty="gp"), "older spelling"), (dict(penalty_weight=1.0), "needs a penalty"),
    (dict(penalty="gp", penalty_weight=-1.0), "positive.*None takes the default, 10.0"),
    (dict(penalty="gp", penalty_weight=0.0), "positive"), (dict(r1=float("nan")), "finite"),
    (dict(l1_weight=-1.0), "l1_weight"), (dict(generator_loss="none"), "nothing to learn from"),
])
def test_bad_options_name_the_fix(bad, match):
    with pytest.raises(ValueError, match=match):
        StepOptions(**bad)


def _train_flags() -> dict:
    sub = next(a for a in make_parser()._actions if a.dest == "command")
    return {a.dest: a for a in sub.choices["train"]._actions}


def test_every_config_field_is_a_train_flag_with_the_fields_default_and_help():
    flags = _train_flags()
    for f in dataclasses.fields(GANConfig):
        flag = flags[f.name]
        assert flag.help == f.metadata["help"] and flag.option_strings == ["--" + f.name.replace("_", "-")]
        want = f.metadata.get("command_line_default", f.default)
        assert flag.default == want, f.name
    # the two the command line derives, and nothing else differs from GANConfig's
    assert {f.name for f in dataclasses.fields(GANConfig) if "command_line_default" in f.metadata} == {
        "self_condition", "lr_anneal"}


def test_the_command_lines_own_defaults():
    mnist = command_line_defaults({"dataset": "mnist", "self_condition": None, "lr_anneal": None}, steps=500)
    assert (mnist["self_condition"], mnist["lr_anneal"]) == (40, 0)
    ring = command_line_defaults({"dataset": "ring", "self_condition": None, "lr_anneal": None}, steps=500)
    assert (ring["self_condition"], ring["lr_anneal"]) == (0, 500)
    assert command_line_defaults({"dataset": "mnist", "conditional": True, "self_condition": None},
                                 None)["self_condition"] == 0
    assert command_line_defaults({"dataset": "ring", "lr_decay": 100, "lr_anneal": None}, 100)["lr_anneal"] == 0
    given = {"dataset": "mnist", "self_condition": 0, "lr_anneal": 7}   # set by hand: kept
    assert command_line_defaults(given, 10) == given
