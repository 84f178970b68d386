import dataclasses
import multiprocessing
import threading

import numpy as np
import pytest

import chargen
from chargen import ChargenError, sampling


def test_generate_shape_of_a_result(gen):
    out = gen.generate("Oil ", length=30, temperature=0.8, seed=0, top_k=3)
    assert out.prompt == "Oil " and out.seed == 0 and out.temperature == 0.8 and not out.greedy
    assert 1 <= len(out.steps) <= 30
    assert out.text == "".join(s.text for s in out.steps)
    for s in out.steps:
        assert s.char == s.token and 0 < s.prob <= 1 and 0 < s.prob_t1 <= 1 and s.rank >= 1
        assert len(s.top) == 3 and s.top[0][1] >= s.top[1][1] >= s.top[2][1]
        assert s.entropy >= 0
        if s.rank <= 3:
            assert s.top[s.rank - 1][0] == s.token
    if out.ended:
        assert out.steps[-1].end and out.steps[-1].token == "<eos>" and not any(s.end for s in out.steps[:-1])
    assert [s.as_dict() for s in out.steps] == [dataclasses.asdict(s) for s in out.steps]


def test_step_probabilities_follow_the_temperature_law(gen):
    out = gen.generate("Oil ", length=20, temperature=0.5, seed=2, top_k=50, stop_at_end=False)
    for s in out.steps:
        p1 = np.array([p for _, p, _ in s.top])
        pt = np.array([p for _, _, p in s.top])
        np.testing.assert_allclose(pt, sampling.apply_temperature(p1, 0.5), rtol=1e-6)


def test_same_seed_same_text_and_different_seed_differs(gen):
    a = gen.generate("Stocks ", length=60, temperature=1.5, seed=7, stop_at_end=False)
    b = gen.generate("Stocks ", length=60, temperature=1.5, seed=7, stop_at_end=False)
    c = gen.generate("Stocks ", length=60, temperature=1.5, seed=8, stop_at_end=False)
    assert a.text == b.text and a.text != c.text
    assert [s.prob for s in a.steps] == [s.prob for s in b.steps]


def test_a_longer_generation_extends_a_shorter_one(gen):
    short = gen.generate("Oil ", length=20, seed=4, stop_at_end=False)
    long = gen.generate("Oil ", length=300, seed=4, stop_at_end=False)  # crosses a trace chunk
    assert long.text.startswith(short.text) and len(long.steps) == 300


def _text_in_subprocess(bundle_dir, queue):
    queue.put(chargen.load(bundle_dir).generate("Oil ", length=40, seed=11, stop_at_end=False).text)


def test_same_seed_same_text_in_another_process_and_under_concurrency(gen, char_bundle):
    alone = gen.generate("Oil ", length=40, seed=11, stop_at_end=False).text
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_text_in_subprocess, args=(str(char_bundle), queue))
    process.start()
    assert queue.get(timeout=120) == alone
    process.join()
    results = {}

    def worker(seed):
        results[seed] = gen.generate("Oil ", length=40, seed=seed, stop_at_end=False).text

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(11, 19)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[11] == alone
    assert all(results[s] == gen.generate("Oil ", length=40, seed=s, stop_at_end=False).text for s in results)


def test_compare_rows_equal_single_generations(gen):
    temperatures = [None, 0.3, 0.8, 1.0, 1.3, 1.8]
    rows = gen.compare("Oil ", temperatures, length=50, seed=3)
    assert [r.temperature for r in rows] == temperatures
    for t, row in zip(temperatures, rows):
        alone = gen.generate("Oil ", length=50, temperature=t or 1.0, greedy=t is None, seed=3)
        assert row.text == alone.text and row.ended == alone.ended
        np.testing.assert_allclose([s.prob for s in row.steps], [s.prob for s in alone.steps], rtol=1e-5)


def test_greedy_takes_the_most_probable_token(gen):
    out = gen.generate("Oil ", length=30, greedy=True, seed=None)
    assert out.greedy and out.temperature is None
    assert all(s.rank == 1 and s.token == s.top[0][0] for s in out.steps)
    assert out.text == gen.generate("Oil ", length=30, greedy=True, seed=123).text


@pytest.mark.parametrize("temperature", [50.0, 1e9])
def test_reserved_ids_are_never_emitted(gen, temperature):
    reserved = set(gen.vocab.reserved_ids) - {gen.vocab.eos}
    for seed in range(20):
        out = gen.generate("", length=200, temperature=temperature, seed=seed, stop_at_end=False, top_k=200)
        assert not {s.id for s in out.steps} & (reserved | {gen.vocab.eos})
        assert all(tok not in chargen.vocab.RESERVED for s in out.steps for tok, _, _ in s.top)
    for seed in range(20):
        out = gen.generate("", length=200, temperature=temperature, seed=seed)
        assert not {s.id for s in out.steps} & reserved


@pytest.fixture
def calls(gen, monkeypatch):
    """The batch size of every step the model runs (the prompt's steps included)."""
    sizes = []
    original = gen.fast.logits

    def counting(ids, state, out_bias=None):
        sizes.append(len(ids))
        return original(ids, state, out_bias)

    monkeypatch.setattr(gen.fast, "logits", counting)
    return sizes


def test_rows_that_end_leave_the_batch(gen, calls):
    temperatures = [None, 0.02, 0.1, 1.0, 10.0]  # this random model's rows end at 300 (never), 123, 44, 30, 30
    rows = gen.compare("Oil ", temperatures, length=300, seed=3)
    lengths = [len(r.steps) for r in rows]
    assert len(set(lengths)) > 2  # the rows end at different steps
    step_calls = calls[1 + len("Oil ") :]  # after <bos> and the prompt
    assert step_calls == sorted(step_calls, reverse=True) and sum(step_calls) == sum(n - 1 for n in lengths)
    for t, row in zip(temperatures, rows):
        assert row.text == gen.generate("Oil ", length=300, temperature=t or 1.0, greedy=t is None, seed=3).text


def test_the_prompt_is_read_once_and_each_step_feeds_one_token(gen, calls):
    out = gen.generate("Oil prices", length=40, seed=0, stop_at_end=False)
    # <bos> + 10 prompt characters, then one call per generated character but the last
    assert len(calls) == 1 + len("Oil prices") + len(out.steps) - 1


def test_unknown_prompt_characters_are_reported_not_fatal(gen):
    out = gen.generate("Oil ☃🙂 ", length=10, seed=0)
    assert out.unknown == ["☃", "🙂"]
    only_unknown = gen.generate("☃☃", length=10, seed=0)
    assert only_unknown.unknown == ["☃", "☃"] and len(only_unknown.steps) >= 1


def test_empty_prompt_generates_from_the_start_of_a_title(gen):
    assert len(gen.generate("", length=10, seed=0).steps) >= 1


@pytest.mark.parametrize("kwargs, message", [
    (dict(temperature=0), "temperature"),
    (dict(temperature=-1), "temperature"),
    (dict(temperature=float("nan")), "temperature"),
    (dict(temperature=float("inf")), "temperature"),
    (dict(temperature="hot"), "temperature"),
    (dict(length=-1), "length"),
    (dict(length=10**9), "length"),
    (dict(length="ten"), "length"),
    (dict(length=2.5), "length"),
    (dict(top_k=-1), "top_k"),
    (dict(seed=-5), "seed"),
    (dict(seed="x"), "seed"),
])
def test_bad_arguments_get_a_clear_error(gen, kwargs, message):
    with pytest.raises(ChargenError, match=message):
        gen.generate("Oil ", **kwargs)


def test_bad_prompts(gen):
    with pytest.raises(ChargenError, match="prompt"):
        gen.generate(None)
    with pytest.raises(ChargenError, match="limit"):
        gen.generate("a" * 100_000)
    assert gen.generate("\x00\x07\n\t", length=5, seed=0).unknown  # control characters: reported


def test_length_zero_and_large_top_k(gen):
    assert gen.generate("Oil", length=0).steps == []
    out = gen.generate("Oil", length=3, top_k=10_000, seed=0)
    assert len(out.steps[0].top) == len(gen.vocab) - len(gen.vocab.reserved_ids) + 1  # every emittable token + <eos>
