"""The bit-for-bit check itself: its digest sees a one-bit change, its comparison reports it, and its program hash
ignores only names."""
import json

import jax
import numpy as np

import pin_behaviour as pin


def test_digest_sees_one_bit_and_keys():
    a = {"w": np.float32([1.0, 2.0]), "key": jax.random.key(3)}
    b = {"w": np.float32([1.0, np.nextafter(np.float32(2.0), np.float32(3.0))]), "key": jax.random.key(3)}
    assert pin.digest(a) == pin.digest({"w": np.float32([1.0, 2.0]), "key": jax.random.key(3)})
    assert pin.digest(a) != pin.digest(b) and pin.digest(a) != pin.digest({**a, "key": jax.random.key(4)})


def test_compare_reports_a_difference(tmp_path, capsys):
    before, after = tmp_path / "a.json", tmp_path / "b.json"
    before.write_text(json.dumps({"step: x": "1", "fit: x": "2"}))
    after.write_text(json.dumps({"step: x": "1", "fit: x": "3"}))
    assert pin.main(["--compare", str(before), str(after)]) == 1
    assert "DIFFERS fit: x" in capsys.readouterr().out
    assert pin.main(["--compare", str(before), str(before)]) == 0


def test_program_hash_ignores_names_not_instructions():
    def hlo(name, op):
        return (f'HloModule m\n%{name}.3 (p.1: f32[]) -> f32[] {{\n  %a.2 = f32[] {op}(%p.1, %p.1), '
                f'metadata={{op_name="jit({name})" stack_frame_id=7}}\n}}\n')
    assert pin._normalised_hlo(hlo("_one_step", "add")) == pin._normalised_hlo(hlo("train_step", "add"))
    assert pin._normalised_hlo(hlo("train_step", "add")) != pin._normalised_hlo(hlo("train_step", "multiply"))
