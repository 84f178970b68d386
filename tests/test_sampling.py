import numpy as np
import pytest

from chargen import ChargenError, sampling

P = np.array([0.0, 0.1, 0.2, 0.7])
Q = np.array([0.05, 0.4, 0.1, 0.25, 0.2])  # unsorted, no ties: hand-checkable truncations


def kept(scores):
    """The distribution a truncated score vector stands for."""
    return sampling.softmax(scores)


@pytest.mark.parametrize("t", [0.05, 0.3, 1.0, 1.8, 50.0])
def test_temperature_law(t):
    expected = P ** (1 / t) / (P ** (1 / t)).sum()
    np.testing.assert_allclose(sampling.apply_temperature(P, t), expected, atol=1e-12)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(kept(sampling.with_temperature(np.log(P), t)), expected, atol=1e-12)


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


@pytest.mark.parametrize("k, expected", [
    (1, [0, 1, 0, 0, 0]),
    (2, [0, 0.4 / 0.65, 0, 0.25 / 0.65, 0]),
    (3, [0, 0.4 / 0.85, 0, 0.25 / 0.85, 0.2 / 0.85]),
    (5, Q),
    (50, Q),
])
def test_top_k_alone(k, expected):
    np.testing.assert_allclose(kept(sampling.with_top_k(np.log(Q), k)), expected, atol=1e-12)


@pytest.mark.parametrize("top_p, expected", [
    (0.3, [0, 1, 0, 0, 0]),  # 0.4 alone reaches 0.3
    (0.4, [0, 1, 0, 0, 0]),  # ... and 0.4 exactly
    (0.5, [0, 0.4 / 0.65, 0, 0.25 / 0.65, 0]),
    (0.65, [0, 0.4 / 0.65, 0, 0.25 / 0.65, 0]),
    (0.8, [0, 0.4 / 0.85, 0, 0.25 / 0.85, 0.2 / 0.85]),
    (0.9, [0, 0.4 / 0.95, 0.1 / 0.95, 0.25 / 0.95, 0.2 / 0.95]),
    (1.0, Q),
])
def test_top_p_alone(top_p, expected):
    np.testing.assert_allclose(kept(sampling.with_top_p(np.log(Q), top_p)), expected, atol=1e-12)


@pytest.mark.parametrize("min_p, expected", [
    (0.0, Q),
    (0.2, [0, 0.4 / 0.95, 0.1 / 0.95, 0.25 / 0.95, 0.2 / 0.95]),  # floor 0.08: only 0.05 goes
    (0.3, [0, 0.4 / 0.85, 0, 0.25 / 0.85, 0.2 / 0.85]),  # floor 0.12: 0.05 and 0.1 go
    (0.6, [0, 0.4 / 0.65, 0, 0.25 / 0.65, 0]),  # floor 0.24
    (0.99, [0, 1, 0, 0, 0]),
])
def test_min_p_alone(min_p, expected):
    np.testing.assert_allclose(kept(sampling.with_min_p(np.log(Q), min_p)), expected, atol=1e-12)


def test_the_pipeline_in_its_order_against_a_hand_computed_distribution():
    # T = 0.5 squares the probabilities: 0.0025, 0.16, 0.01, 0.0625, 0.04 (sum 0.275)
    squared = Q**2 / (Q**2).sum()
    np.testing.assert_allclose(sampling.distribution(np.log(Q), 0.5), squared, atol=1e-12)
    # top_k 4 drops 0.0025; top_p 0.8 keeps 0.16 + 0.0625 (0.2225 of 0.2725 = 0.817 >= 0.8); min_p is then moot
    expected = np.array([0, 0.16, 0, 0.0625, 0]) / 0.2225
    np.testing.assert_allclose(sampling.distribution(np.log(Q), 0.5, top_k=4, top_p=0.8, min_p=0.1), expected, atol=1e-12)
    # min_p 0.3 after top_k 3: floor 0.3 x 0.16 = 0.048 keeps 0.16 and 0.0625 of 0.16, 0.0625, 0.04
    np.testing.assert_allclose(sampling.distribution(np.log(Q), 0.5, top_k=3, min_p=0.3), expected, atol=1e-12)
    # the order matters: top_p first would keep 0.16, 0.0625 (and top_k 1 after it keeps 0.16 alone)
    np.testing.assert_allclose(sampling.distribution(np.log(Q), 0.5, top_k=1, top_p=0.8), [0, 1, 0, 0, 0], atol=1e-12)


def test_truncation_is_vectorized_over_rows_and_keeps_masked_ids_masked():
    logits = np.log(np.stack([Q, Q[::-1]]))
    logits[:, 0] = -np.inf
    out = kept(sampling.truncate(logits, top_k=2, top_p=0.99))
    assert (out[:, 0] == 0).all() and ((out > 0).sum(axis=1) == 2).all()
    np.testing.assert_allclose(out[1], kept(sampling.with_top_k(logits[1], 2)))


@pytest.mark.parametrize("settings, message", [
    (dict(top_k=0), "top_k"), (dict(top_k=1.5), "top_k"), (dict(top_k="5.5"), "top_k"), (dict(top_k=True), "top_k"),
    (dict(top_k=float("inf")), "top_k"), (dict(top_k="1e999"), "top_k"),
    (dict(top_p=0), "top_p"), (dict(top_p=1.01), "top_p"), (dict(top_p="0,9"), "top_p"), (dict(top_p="nan"), "top_p"), (dict(top_p=float("nan")), "top_p"),
    (dict(min_p=1), "min_p"), (dict(min_p=-0.1), "min_p"), (dict(min_p=[0.1]), "min_p"),
])
def test_bad_truncation_settings(settings, message):
    with pytest.raises(ChargenError, match=message):
        sampling.check_truncation(**settings)


def test_good_truncation_settings_pass_through():
    assert sampling.check_truncation() == (None, None, None)
    assert sampling.check_truncation(top_k=5.0, top_p=1, min_p=0) == (5, 1.0, 0.0)
    assert sampling.check_truncation(top_k="5", top_p=" 0.9 ", min_p="5e-2") == (5, 0.9, 0.05)  # numeric text


def test_entropy_bits():
    assert sampling.entropy_bits(np.array([0.5, 0.5])) == pytest.approx(1.0)
    assert sampling.entropy_bits(np.array([0.0, 1.0])) == 0.0
    assert sampling.entropy_bits(np.full(8, 1 / 8)) == pytest.approx(3.0)


def test_softmax_and_ban_bias():
    logits = np.log(np.array([1.0, 2.0, 3.0, 4.0])) + sampling.ban_bias(4, [0])
    np.testing.assert_allclose(sampling.softmax(logits), [0, 2 / 9, 3 / 9, 4 / 9])


def test_gumbel_choice_draws_from_the_processed_distribution():
    rng = np.random.default_rng(0)
    logits = np.log(Q)
    for settings in (dict(temperature=0.5), dict(temperature=1.0), dict(temperature=2.0, top_k=3),
                     dict(temperature=1.0, top_p=0.8), dict(temperature=1.5, min_p=0.3)):
        t = settings.pop("temperature")
        scores = sampling.truncate(sampling.with_temperature(logits, t), **settings)
        noise = sampling.gumbel_noise(rng, 40_000, 5)
        counts = np.bincount(sampling.gumbel_choice(scores, noise), minlength=5) / 40_000
        np.testing.assert_allclose(counts, sampling.distribution(logits, t, **settings), atol=0.01)


def test_gumbel_noise_prefix_property():
    short = sampling.gumbel_noise(np.random.default_rng(3), 4, 5)
    long = sampling.gumbel_noise(np.random.default_rng(3), 9, 5)
    np.testing.assert_array_equal(short, long[:4])


def test_most_probable_rank_and_total_variation():
    probs = np.array([[0.1, 0.5, 0.15, 0.25]])
    np.testing.assert_array_equal(sampling.most_probable(probs, 3), [[1, 3, 2]])
    np.testing.assert_array_equal(sampling.most_probable(probs, 10), [[1, 3, 2, 0]])
    np.testing.assert_array_equal(sampling.rank(probs, np.array([2])), [3])
    assert sampling.total_variation(np.array([1, 5, 2, 2]), probs[0]) == pytest.approx(0.5 * (0 + 0 + 0.05 + 0.05))
