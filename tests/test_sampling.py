import numpy as np
import pytest

from chargen import sampling

P = np.array([0.0, 0.1, 0.2, 0.7])


@pytest.mark.parametrize("t", [0.05, 0.3, 1.0, 1.8, 50.0])
def test_temperature_law(t):
    expected = P ** (1 / t) / (P ** (1 / t)).sum()
    np.testing.assert_allclose(sampling.apply_temperature(P, t), expected, atol=1e-12)


def test_temperature_one_is_identity_and_extremes_behave():
    np.testing.assert_allclose(sampling.apply_temperature(P, 1.0), P)
    assert sampling.apply_temperature(P, 1e-4).argmax() == 3
    assert sampling.apply_temperature(P, 1e-4)[3] == pytest.approx(1.0)
    np.testing.assert_allclose(sampling.apply_temperature(P, 1e9)[1:], 1 / 3, atol=1e-6)
    assert sampling.apply_temperature(P, 1e9)[0] == 0.0  # a masked id stays masked


def test_per_row_temperatures():
    rows = sampling.apply_temperature(np.stack([P, P]), np.array([0.5, 2.0]))
    np.testing.assert_allclose(rows[0], sampling.apply_temperature(P, 0.5))
    np.testing.assert_allclose(rows[1], sampling.apply_temperature(P, 2.0))


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperatures(bad):
    with pytest.raises(ValueError):
        sampling.apply_temperature(P, bad)


def test_entropy_bits():
    assert sampling.entropy_bits(np.array([0.5, 0.5])) == pytest.approx(1.0)
    assert sampling.entropy_bits(np.array([0.0, 1.0])) == 0.0
    assert sampling.entropy_bits(np.full(8, 1 / 8)) == pytest.approx(3.0)


def test_softmax_and_ban_bias():
    logits = np.log(np.array([1.0, 2.0, 3.0, 4.0])) + sampling.ban_bias(4, [0])
    np.testing.assert_allclose(sampling.softmax(logits), [0, 2 / 9, 3 / 9, 4 / 9])


def test_gumbel_choice_draws_from_the_tempered_distribution():
    rng = np.random.default_rng(0)
    logits = np.log(P[1:])
    for t in (0.5, 1.0, 2.0):
        noise = sampling.gumbel_noise(rng, 40_000, 3)
        counts = np.bincount(sampling.gumbel_choice(logits, t * noise), minlength=3) / 40_000
        np.testing.assert_allclose(counts, sampling.apply_temperature(P[1:], t), atol=0.01)


def test_gumbel_choice_at_zero_temperature_is_greedy():
    noise = sampling.gumbel_noise(np.random.default_rng(1), 5, 3)
    assert (sampling.gumbel_choice(np.log(P[1:]), 0.0 * noise) == 2).all()


def test_gumbel_noise_prefix_property():
    short = sampling.gumbel_noise(np.random.default_rng(3), 4, 5)
    long = sampling.gumbel_noise(np.random.default_rng(3), 9, 5)
    np.testing.assert_array_equal(short, long[:4])


def test_top_k_and_rank():
    probs = np.array([[0.1, 0.5, 0.15, 0.25]])
    np.testing.assert_array_equal(sampling.top_k(probs, 3), [[1, 3, 2]])
    np.testing.assert_array_equal(sampling.top_k(probs, 10), [[1, 3, 2, 0]])
    np.testing.assert_array_equal(sampling.rank(probs, np.array([2])), [3])
