import gzip
import shutil
import socket
import time

import jax
import numpy as np
import pytest

from gan_utils import data


def test_mnist_known_facts(mnist_dir):
    x, y = data.load_mnist("train")
    assert x.shape == (60000, 28, 28, 1) and x.dtype == np.uint8
    assert y.shape == (60000,)
    u = x.astype(np.float64) / 255
    assert abs(u.mean() - 0.1307) < 1e-4 and abs(u.std() - 0.3081) < 1e-4
    np.testing.assert_array_equal(np.bincount(y), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    xt, yt = data.load_mnist("test")
    assert xt.shape == (10000, 28, 28, 1) and yt.shape == (10000,)
    assert data.load_mnist("test", n=5)[0].shape == (5, 28, 28, 1)


def test_mnist_bad_arguments():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        data.load_mnist("validation")
    with pytest.raises(ValueError, match="n must be"):
        data.load_mnist("test", n=0)


def _copy_mnist(src, dst):
    dst.mkdir()
    for f in data.MNIST_FILES:
        shutil.copy(src / f, dst / f)


def test_corrupt_file_names_file_and_fix(mnist_dir, tmp_path, monkeypatch):
    d = tmp_path / "m"
    _copy_mnist(mnist_dir, d)
    p = d / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(p.read_bytes()))
    raw[100] ^= 0xFF                                     # one flipped byte: valid gzip, wrong checksum
    p.write_bytes(gzip.compress(bytes(raw)))
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(d))
    data._load_split.cache_clear()
    # the learner's own folder is never downloaded into: the advice is to replace the file (issue #24)
    with pytest.raises(data.MnistDataError, match=r"t10k-labels-idx1-ubyte\.gz.*SHA-256.*replace it with a good copy"):
        data.load_mnist("test")


def test_truncated_file_names_file_and_fix(mnist_dir, tmp_path, monkeypatch):
    d = tmp_path / "m"
    _copy_mnist(mnist_dir, d)
    p = d / "t10k-images-idx3-ubyte.gz"
    p.write_bytes(p.read_bytes()[:5000])
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(d))
    data._load_split.cache_clear()
    with pytest.raises(data.MnistDataError, match=r"t10k-images-idx3-ubyte\.gz.*corrupt or truncated"):
        data.load_mnist("test")


def test_missing_file_in_env_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(data.MNIST_ENV_VAR, str(tmp_path))
    data._load_split.cache_clear()
    with pytest.raises(data.MnistDataError, match="does not exist.*GAN_UTILS_MNIST_DIR"):
        data.load_mnist("test")


def test_offline_download_fails_fast_with_clear_error(tmp_path, monkeypatch):
    """No network: every mirror fails, and the error says how to work offline, within seconds."""
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def no_network(*a, **k):
        raise OSError("network unreachable (simulated)")
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    data._load_split.cache_clear()
    t = time.perf_counter()
    with pytest.raises(data.MnistDataError, match="(?s)every mirror failed.*GAN_UTILS_MNIST_DIR"):
        data.load_mnist("test")
    assert time.perf_counter() - t < 10
    assert not list((tmp_path / "gan_utils" / "mnist").glob("*.gz")), "nothing half-written may be left"


def test_download_verifies_and_writes_atomically(mnist_dir, tmp_path, monkeypatch):
    """A bad first mirror is skipped; the good copy is verified and moved into the cache."""
    import urllib.request
    monkeypatch.delenv(data.MNIST_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []

    class Resp:
        def __init__(self, b): self.b = b
        def read(self): return self.b
        def __enter__(self): return self
        def __exit__(self, *a): return False

    def fake_urlopen(url, timeout):
        calls.append(url)
        assert timeout <= 30
        name = url.rsplit("/", 1)[1]
        if url.startswith(data.MNIST_MIRRORS[0]):
            return Resp(b"<html>not a gzip</html>")          # a broken mirror
        return Resp((mnist_dir / name).read_bytes())
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    data._load_split.cache_clear()
    x, y = data.load_mnist("test")
    assert x.shape == (10000, 28, 28, 1)
    cache = tmp_path / "gan_utils" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert any(c.startswith(data.MNIST_MIRRORS[1]) for c in calls)
    data._load_split.cache_clear()


def test_scaling_roundtrip_and_errors():
    x = np.array([[0, 127, 128, 255]], np.uint8)
    u = data.to_unit_range(x)
    assert u.dtype == np.float32 and u.min() == -1.0 and u.max() == 1.0
    np.testing.assert_array_equal(data.to_uint8(u), x)
    with pytest.raises(TypeError, match="uint8"):
        data.to_unit_range(u)
    with pytest.raises(ValueError, match="NaN"):
        data.to_uint8(np.array([np.nan]))


def test_batch_sampler_is_a_function_of_the_step():
    x = np.arange(100)
    s1 = data.BatchSampler(x, 32, jax.random.key(0))
    s2 = data.BatchSampler(x, 32, jax.random.key(0))
    seq = [s1.batch(i) for i in range(7)]
    assert all(len(b) == 32 for b in seq)
    first_epoch = np.concatenate(seq[:3])
    assert len(set(first_epoch.tolist())) == 96                  # no repeats within an epoch
    np.testing.assert_array_equal(s2.batch(5), seq[5])          # random access gives the same batch
    assert not np.array_equal(seq[0], seq[3])                    # a new epoch has a new order
    assert not np.array_equal(data.BatchSampler(x, 32, jax.random.key(1)).batch(0), seq[0])
    with pytest.raises(ValueError, match="batch_size"):
        data.BatchSampler(x, 0, jax.random.key(0))


def test_mixture_density_integrates_to_one_and_matches_samples():
    p = data.mixture_1d((-2.0, 1.0), (0.5, 1.0), (0.3, 0.7))
    xs = np.linspace(-10, 10, 20001)
    assert abs(np.trapezoid(np.asarray(p.pdf(xs)), xs) - 1) < 1e-6
    s = np.asarray(p.sample(jax.random.key(0), 200_000))
    assert abs(s.mean() - (0.3 * -2 + 0.7 * 1)) < 0.01
    assert abs(float(p.cdf(np.array([1.0]))[0]) - np.mean(s < 1.0)) < 0.005
    np.testing.assert_allclose(np.asarray(p.sample(jax.random.key(3), 5)), np.asarray(p.sample(jax.random.key(3), 5)))


def test_ring_and_grid_defaults_follow_the_literature():
    r = data.ring()
    assert r.means.shape == (8, 2) and np.allclose(np.linalg.norm(r.means, axis=1), 1.0) and r.stds[0] == 0.01
    g = data.grid()
    assert g.means.shape == (25, 2) and sorted(set(g.means[:, 0])) == [-4, -2, 0, 2, 4] and g.stds[0] == 0.05
    assert data.grid(std=0.2).stds[0] == 0.2
    s = np.asarray(r.sample(jax.random.key(0), 4000))
    d = np.min(np.linalg.norm(s[:, None] - r.means[None], axis=-1), axis=1)
    assert np.mean(d < 3 * 0.01) > 0.98                           # 3-sigma of a 2-D Gaussian holds ~98.9%
    xx = np.linspace(-6, 6, 601)
    X, Y = np.meshgrid(xx, xx)
    dens = np.asarray(data.grid(std=0.3).pdf(np.stack([X.ravel(), Y.ravel()], 1))).reshape(X.shape)
    assert abs(dens.sum() * (xx[1] - xx[0]) ** 2 - 1) < 1e-3


def test_toy_bad_input():
    with pytest.raises(ValueError, match="unknown toy dataset 'moons'"):
        data.toy_dataset("moons")
    with pytest.raises(ValueError, match="std must be a positive"):
        data.ring(std=0)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        data.ring().pdf(np.zeros((3, 3)))


def test_batches_stacks_the_same_batches_as_batch_across_epochs():
    """fit takes a fused call's batches from batches(step, n): they must be batch(step), ..., batch(step + n - 1),
    also across an epoch's end and for tuple data."""
    x = np.arange(1000 * 2, dtype=np.float32).reshape(1000, 2)
    for d in (x, (x, np.arange(1000))):
        b = data.BatchSampler(d, 64, jax.random.key(3))          # 15 steps per epoch
        for start, n in ((0, 50), (14, 3), (10, 20), (0, 1)):
            got = b.batches(start, n)
            ref = [b.batch(s) for s in range(start, start + n)]
            if isinstance(d, tuple):
                assert all(np.array_equal(got[i], np.stack([r[i] for r in ref])) for i in range(2))
            else:
                assert got.shape == (n, 64, 2) and np.array_equal(got, np.stack(ref))
    with pytest.raises(ValueError, match="n"):
        b.batches(0, 0)


def test_to_uint8_and_to_unit_range_decide_by_dtype():
    """uint8 passes through, bool is black and white, float pixel values and other integers are refused: none of
    them saturates silently (issue 50: [0, 128, 255] came back as [128, 255, 255])."""
    px = np.array([0, 128, 255], np.uint8)
    np.testing.assert_array_equal(data.to_uint8(px), px)
    np.testing.assert_array_equal(data.to_uint8(np.array([True, False])), [255, 0])
    np.testing.assert_array_equal(data.to_unit_range(np.array([True, False])), [1.0, -1.0])
    np.testing.assert_array_equal(data.to_uint8([-1.0, 0.0, 1.0]), [0, 128, 255])                 # a list
    np.testing.assert_array_equal(data.to_uint8(jax.numpy.asarray([-1.0, 0.0, 1.0])), [0, 128, 255])   # JAX
    np.testing.assert_array_equal(data.to_uint8(np.array([-1.5, 1.3, 0.5])), [0, 255, 191])      # still clipped
    np.testing.assert_array_equal(data.to_uint8(np.array([0.0, 1.0])), [128, 255])                # [-1, 1] is valid
    with pytest.raises(ValueError, match="pixel values"):
        data.to_uint8(np.array([0.0, 128.0, 255.0]))
    for f in (data.to_uint8, data.to_unit_range):
        with pytest.raises(TypeError, match=r"np.asarray\(x, np.uint8\)"):
            f(np.array([0, 128, 255]))
        with pytest.raises(TypeError, match="uint8"):
            f(np.array(["a"]))
    with pytest.raises(TypeError, match=r"np.asarray\(x, np.uint8\)"):
        data.to_unit_range([0, 255])


def test_batch_sampler_refuses_a_negative_or_fractional_step_and_takes_lists():
    b = data.BatchSampler(np.arange(10.0), 3, jax.random.key(0))
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="step must be an integer >= 0"):
            b.batch(bad)
    with pytest.raises(ValueError, match="step must be an integer >= 0"):
        b.batches(-2, 2)
    np.testing.assert_array_equal(b.batch(np.int64(4)), b.batch(4))
    np.testing.assert_array_equal(b.batch(jax.numpy.asarray(4)), b.batch(4))
    np.testing.assert_array_equal(data.BatchSampler(list(range(10)), 3, jax.random.key(0)).batch(0), b.batch(0))
    with pytest.raises(ValueError, match="no examples"):
        data.BatchSampler(np.zeros((0, 2)), 1, jax.random.key(0))


def test_center_digit_and_sample_refuse_bad_input():
    digit = np.zeros((28, 28), np.float32)
    digit[8:20, 12:16] = 1.0
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match="NaN or Inf"):
            data.center_digit(np.where(digit > 0, bad, 0.0))
    with pytest.raises(ValueError, match="divide pixel values by 255"):
        data.center_digit(digit * 255)
    with pytest.raises(ValueError, match=r"\(x \+ 1\) / 2"):
        data.center_digit(digit * 2 - 1)
    np.testing.assert_array_equal(data.center_digit(digit > 0), data.center_digit(digit))     # bool ink
    for box in (0, 40, 2.5):
        with pytest.raises(ValueError, match="box"):
            data.center_digit(digit, box=box)
    for n in (-1, 2.5):
        with pytest.raises(ValueError, match="n must be an integer >= 0"):
            data.ring().sample(jax.random.key(0), n)
