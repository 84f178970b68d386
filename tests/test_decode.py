import dataclasses
import json
import multiprocessing
import threading

import numpy as np
import pytest

import chargen
from chargen import ChargenError, Limits, decode, sampling


def test_generate_shape_of_a_result(gen):
    out = gen.generate("Oil ", length=30, temperature=0.8, seed=0, alternatives=3)
    assert out.prompt == "Oil " and out.seed == 0 and out.temperature == 0.8 and not out.greedy
    assert 1 <= len(out.steps) <= 30
    assert out.text == "".join(s.text for s in out.steps)
    for s in out.steps:
        assert s.char == s.token and 0 < s.prob <= 1 and 0 < s.prob_t1 <= 1 and s.rank >= 1
        assert len(s.top) == 3 and s.top[0].p_t1 >= s.top[1].p_t1 >= s.top[2].p_t1
        assert all(isinstance(a, chargen.Alternative) and gen.vocab.tokens[a.id] == a.token for a in s.top)
        assert s.entropy >= 0
        if s.rank <= 3:
            assert s.top[s.rank - 1].token == s.token
    if out.ended:
        assert out.steps[-1].end and out.steps[-1].token == "<eos>" and not any(s.end for s in out.steps[:-1])
    as_dicts = [s.as_dict() for s in out.steps]
    assert [{**d, "top": [tuple(a) for a in d["top"]]} for d in as_dicts] == [dataclasses.asdict(s) for s in out.steps]
    assert json.loads(json.dumps(as_dicts)) == as_dicts  # flat: plain values and lists
    assert as_dicts[0]["top"][0] == [out.steps[0].top[0].token, out.steps[0].top[0].id, out.steps[0].top[0].p_t1,
                                     out.steps[0].top[0].p, False]


def test_step_probabilities_follow_the_temperature_law(gen):
    out = gen.generate("Oil ", length=20, temperature=0.5, seed=2, alternatives=50, stop_at_end=False)
    for s in out.steps:
        p1 = np.array([a.p_t1 for a in s.top])
        pt = np.array([a.p for a in s.top])
        np.testing.assert_allclose(pt, sampling.apply_temperature(p1, 0.5), rtol=1e-6)


@pytest.mark.parametrize("settings", [dict(temperature=0.7, top_k=3), dict(temperature=1.0, top_p=0.6),
                                      dict(temperature=1.4, min_p=0.9), dict(temperature=0.9, top_k=6, top_p=0.8, min_p=0.1)])
def test_each_step_records_the_distribution_drawn_from(gen, settings):
    out = gen.generate("Oil ", length=40, seed=5, alternatives=100, stop_at_end=False, **settings)
    assert (out.temperature, out.top_k, out.top_p, out.min_p) == tuple(settings.get(k) for k in
                                                                       ("temperature", "top_k", "top_p", "min_p"))
    removed_somewhere = False
    for i, s in enumerate(out.steps):
        d = out.distribution(i)  # the generation's own settings
        with np.errstate(divide="ignore"):  # log 0 = -inf: the masked ids
            expected = sampling.distribution(np.log(d.p_t1), **settings)
        np.testing.assert_allclose(d.p, expected, atol=1e-6)
        assert s.prob == pytest.approx(d.p[s.id], rel=1e-5) and s.prob > 0  # drawn from, so never removed
        assert s.prob_t1 == pytest.approx(d.p_t1[s.id], rel=1e-5)
        assert s.entropy == pytest.approx(sampling.entropy_bits(d.p), abs=1e-5)
        assert s.entropy_t1 == pytest.approx(sampling.entropy_bits(d.p_t1), abs=1e-5)
        assert s.rank == 1 + (d.p_t1 > d.p_t1[s.id] * (1 + 1e-6)).sum()
        for a in s.top:
            assert a.removed == (d.p[a.id] == 0) and a.p == pytest.approx(d.p[a.id], abs=1e-9)
            removed_somewhere |= a.removed
        if "top_k" in settings:
            assert (d.p > 0).sum() <= settings["top_k"]
    assert removed_somewhere


def test_a_distribution_under_other_settings_and_its_draws(gen):
    out = gen.generate("Oil ", length=100, temperature=0.8, top_p=0.9, seed=1, stop_at_end=False)
    d = out.distribution(99)
    assert (d.temperature, d.top_p) == (0.8, 0.9) and list(d.tokens) == gen.vocab.tokens
    hot = out.distribution(99, temperature=2.0, top_p=None)
    np.testing.assert_allclose(hot.p, sampling.apply_temperature(d.p_t1, 2.0), atol=1e-9)
    np.testing.assert_allclose(out.distribution(99, temperature=None).p, d.p_t1)  # greedy: the model's own
    tv = []
    for n in (100, 1_000, 100_000):
        draws = hot.sample(n, seed=3)
        assert draws.counts.sum() == n and (draws.counts[hot.p == 0] == 0).all()
        assert draws.tv == pytest.approx(0.5 * np.abs(draws.counts / n - hot.p).sum())
        tv.append(draws.tv)
    assert tv[0] > tv[1] > tv[2] and tv[2] < 0.02  # the counts close in on the probabilities
    assert (hot.sample(500, seed=3).counts == hot.sample(500, seed=3).counts).all()
    for bad in (0, 100_001, 2.5, "many"):
        with pytest.raises(ChargenError, match="n must"):
            hot.sample(bad)
    for bad in (-1, 100, "x"):
        with pytest.raises(ChargenError, match="step"):
            out.distribution(bad)
    with pytest.raises(ChargenError, match="top_p"):
        out.distribution(0, top_p=2)


def test_the_stepper_sees_the_same_distribution(gen):
    s = gen.start("Oil ")
    out = gen.generate("Oil ", length=1, temperature=0.7, top_k=4, seed=0)
    d = s.distribution(0.7, top_k=4)
    np.testing.assert_allclose(d.p, out.distribution(0).p, atol=1e-6)
    assert (d.p > 0).sum() == 4 and d.sample(1000, seed=0).counts.sum() == 1000
    proposals = s.proposals(0.7, k=6, top_k=4)
    assert [p.removed for p in proposals] == [False] * 4 + [True] * 2
    assert proposals[0].p == pytest.approx(d.p[proposals[0].id])


def test_generation_says_how_it_was_made(gen):
    out = gen.generate("Oil ☃", length=5, temperature=0.8, top_p=0.9, seed=1234)
    assert (out.model, out.level, out.prompt_tokens, out.stop_at_end) == (gen.name, "char", list("Oil "), True)
    assert out.label == f"{gen.name} · T = 0.8 · top-p 0.9 · seed 1234"
    assert out.label_for("nl") == f"{gen.name} · T = 0,8 · top-p 0,9 · seed 1234"
    out = gen.generate("Oil ", length=5, temperature=1.25, top_k=40, min_p=0.05, seed=7)
    assert out.label == f"{gen.name} · T = 1.25 · top-k 40 · min-p 0.05 · seed 7"
    assert out.label_for("nl") == f"{gen.name} · T = 1,25 · top-k 40 · min-p 0,05 · seed 7"
    greedy = gen.generate("Oil ", length=5, greedy=True, top_p=0.5)
    assert greedy.label == f"{gen.name} · greedy" and greedy.label_for("nl") == f"{gen.name} · gulzig"
    assert greedy.top_p is None and greedy.decoding == "greedy" and out.decoding == "T=1.25"
    with pytest.raises(ChargenError, match="language"):
        out.label_for("de")


def test_the_noise_depends_on_the_prompt_as_read(gen):
    # At a high temperature the noise decides: with one stream per seed, every prompt wrote the same text.
    texts = {p: gen.generate(p, length=40, temperature=50.0, seed=0, stop_at_end=False).text
             for p in ("Oil ", "Stocks ", "Team ")}
    assert len(set(texts.values())) == 3
    assert gen.generate("Oil ☃", length=40, temperature=50.0, seed=0, stop_at_end=False).text == texts["Oil "]
    ids = [gen.vocab.bos, *gen.vocab.encode("Oil ")]
    a = sampling.gumbel_noise(decode.random_stream(0, ids), 2, 5)
    np.testing.assert_array_equal(a, sampling.gumbel_noise(np.random.default_rng(np.random.SeedSequence(
        0, spawn_key=tuple(ids))), 2, 5))  # the documented rule
    assert not np.array_equal(a, sampling.gumbel_noise(decode.random_stream(0, ids[:-1]), 2, 5))
    assert not np.array_equal(a, sampling.gumbel_noise(decode.random_stream(1, ids), 2, 5))


def test_sampling_step_by_step_writes_generate_s_text(gen):
    for settings in (dict(temperature=1.3), dict(temperature=0.9, top_p=0.8, min_p=0.05)):
        out = gen.generate("Oil ", length=30, seed=9, **settings)
        s = gen.start("Oil ")
        for _ in out.steps:
            s.sample(seed=9, **settings)
        assert s.text == out.text and [st.prob for st in s.steps] == pytest.approx([st.prob for st in out.steps])
    s.undo()
    s.sample(seed=9, **settings)  # after an undo the same step draws the same token
    assert s.text == out.text


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


@pytest.mark.parametrize("truncation", [{}, dict(top_k=5, top_p=0.9, min_p=0.05)])
def test_compare_rows_share_their_noise_and_equal_single_generations(gen, truncation):
    temperatures = [None, *chargen.LESSON_TEMPERATURES]
    rows = gen.compare("Oil ", temperatures, length=50, seed=3, **truncation)
    assert [r.temperature for r in rows] == temperatures
    for t, row in zip(temperatures, rows):
        alone = gen.generate("Oil ", length=50, temperature=t or 1.0, greedy=t is None, seed=3, **truncation)
        assert row.text == alone.text and row.ended == alone.ended and row.label == alone.label
        np.testing.assert_allclose([s.prob for s in row.steps], [s.prob for s in alone.steps], rtol=1e-5)
    # one stream for every row: two rows with the same settings are the same text
    twins = gen.compare("Oil ", [1.3, 1.3], length=50, seed=3, **truncation)
    assert twins[0].text == twins[1].text == rows[4].text


def test_greedy_takes_the_most_probable_token(gen):
    out = gen.generate("Oil ", length=30, greedy=True, seed=None)
    assert out.greedy and out.temperature is None
    assert all(s.rank == 1 and s.token == s.top[0].token for s in out.steps)
    assert out.text == gen.generate("Oil ", length=30, greedy=True, seed=123).text
    ignored = gen.generate("Oil ", length=30, greedy=True, top_k=2, top_p=0.1, min_p=0.9)  # greedy ignores truncation
    assert ignored.text == out.text and not any(a.removed for s in ignored.steps for a in s.top)
    assert [s.prob for s in ignored.steps] == [s.prob_t1 for s in ignored.steps]


def test_compare_takes_a_list_or_one_number_and_refuses_the_rest(gen):
    (one,) = gen.compare("Oil ", 1.3, length=20, seed=2)
    assert one.text == gen.generate("Oil ", length=20, temperature=1.3, seed=2).text
    assert [r.greedy for r in gen.compare("Oil ", [None, 0.5], length=5)] == [True, False]
    for bad, message in (("11", "list of numbers"), ({"t": 1}, "list of numbers"), ([], "at least one"),
                         ([0.5, "hot"], "temperature must be a number"), ([0.5, 0], "positive"),
                         ([1.0] * 33, "33 temperatures; the limit is 32"), (True, "list of numbers")):
        with pytest.raises(ChargenError, match=message):
            gen.compare("Oil ", bad, length=5)
    with pytest.raises(ChargenError, match="3 temperatures; the limit is 2"):
        gen.compare("Oil ", [0.5, 1.0, 1.5], length=5, limits=Limits(max_rows=2))
    with pytest.raises(ChargenError, match="length must be between 0 and 500"):
        gen.compare("Oil ", [0.5], length=501, limits=Limits(length=(0, 500)))
    with pytest.raises(ChargenError, match="length must be between 0 and 500"):
        gen.generate("Oil ", length=501, limits=Limits(length=(0, 500)))
    with pytest.raises(ChargenError, match="prompt is 10 characters; the limit is 9"):
        gen.generate("Oil prices", limits=Limits(max_prompt_chars=9))


# A caller's own limits, as the app's: (call, what is refused, the error's key and fields).
TIGHT = Limits(length=(1, 500), alternatives=(1, 10), temperature=(0.1, 3.0), max_seed=2**32 - 1, prompt_needed=True,
               max_rows=12, max_tokens=6_000)
REFUSED = [
    (dict(length=501), "range", dict(name="length", low=1, high=500, value=501)),
    (dict(length=0), "range", dict(name="length", low=1, high=500, value=0)),
    (dict(length=2.5), "whole", dict(name="length", low=1, high=500, value=2.5)),
    (dict(alternatives=11), "range", dict(name="alternatives", low=1, high=10, value=11)),
    (dict(temperature=0.05), "range", dict(name="temperature", low=0.1, high=3.0, value=0.05)),
    (dict(temperature="hot"), "range", dict(name="temperature", low=0.1, high=3.0, value="hot")),
    (dict(seed=2**32), "range", dict(name="seed", low=0, high=2**32 - 1, value=2**32)),
    (dict(prompt="   "), "empty", {}),
    (dict(prompt="x" * 2_001), "long", dict(n=2_001, limit=2_000)),
    (dict(prompt="éé"), "unknown", dict(level="char")),
    (dict(stop_at_end="no"), "stop", dict(value="no")),
    (dict(top_p=2), "top_p", dict(value=2)),
]


@pytest.mark.parametrize("bad, key, fields", REFUSED)
def test_a_callers_limits_are_checked_in_the_core_and_refused_with_a_key_and_fields(gen, bad, key, fields):
    with pytest.raises(ChargenError) as refused:
        gen.generate(**{"prompt": "Oil ", "length": 5, **bad}, limits=TIGHT)
    assert (refused.value.key, refused.value.fields) == (key, fields)
    assert "\n" not in str(refused.value)  # one line, in English, for the CLI and the log
    gen.generate("Oil ", length=500, alternatives=10, temperature=3.0, seed=2**32 - 1, limits=TIGHT)  # the edges: served


def test_compare_caps_rows_times_length_before_decoding(gen):
    with pytest.raises(ChargenError) as refused:
        gen.compare("Oil ", [1.0] * 12, length=501, limits=TIGHT)
    assert refused.value.key == "range"
    with pytest.raises(ChargenError, match="12 rows of 500 tokens is more than one call may take") as refused:
        gen.compare("Oil ", [1.0] * 12, length=500, limits=Limits(max_tokens=5_999))
    assert (refused.value.key, refused.value.fields) == ("work", dict(rows=12, length=500, limit=5_999))
    with pytest.raises(ChargenError) as refused:
        gen.compare("Oil ", [1.0] * 13, length=5, limits=TIGHT)
    assert (refused.value.key, refused.value.fields) == ("rows", dict(n=13, limit=12))


def test_a_stepper_keeps_its_callers_limits(gen):
    stepper = gen.start("Oil ", alternatives=10, limits=TIGHT)
    for refuse in (lambda: stepper.proposals(3.5), lambda: stepper.proposals(1.0, k=11),
                   lambda: stepper.sample(1.0, seed=-1), lambda: stepper.choose(5, temperature=0.0)):
        with pytest.raises(ChargenError) as refused:
            refuse()
        assert refused.value.key == "range"
    with pytest.raises(ChargenError) as refused:
        gen.start(" ", limits=TIGHT)
    assert refused.value.key == "empty"


def test_limits_only_tighten_the_python_apis():
    for wider in (dict(length=(0, 5_001)), dict(alternatives=(-1, 5)), dict(max_seed=2**64), dict(temperature=(0, 1))):
        with pytest.raises(ChargenError, match="limits"):
            Limits(**wider)


@pytest.mark.parametrize("temperature", [50.0, 1e9])
def test_reserved_ids_are_never_emitted(gen, temperature):
    reserved = set(gen.vocab.reserved_ids) - {gen.vocab.eos}
    for seed in range(20):
        out = gen.generate("", length=200, temperature=temperature, seed=seed, stop_at_end=False, alternatives=200)
        assert not {s.id for s in out.steps} & (reserved | {gen.vocab.eos})
        assert all(a.token not in chargen.vocab.RESERVED for s in out.steps for a in s.top)
    for seed in range(20):
        for truncation in ({}, dict(top_k=1_000), dict(top_p=1.0), dict(min_p=0.0)):
            out = gen.generate("", length=50, temperature=temperature, seed=seed, **truncation)
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
    (dict(top_k=0), "top_k"),
    (dict(top_p=0), "top_p"),
    (dict(min_p=1), "min_p"),
    (dict(alternatives=-1), "alternatives"),
    (dict(stop_at_end="no"), "stop_at_end"),
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


def test_length_zero_and_many_alternatives(gen):
    assert gen.generate("Oil", length=0).steps == []
    out = gen.generate("Oil", length=3, alternatives=10_000, seed=0)
    assert len(out.steps[0].top) == len(gen.vocab) - len(gen.vocab.reserved_ids) + 1  # every emittable token + <eos>


def test_a_distribution_from_kept_logits_or_kept_state_is_the_step_s(gen, tmp_path):
    from tests.conftest import make_bundle

    wide = chargen.load(make_bundle(tmp_path / "wide", units=64))  # wider than its vocabulary: the logits are kept
    assert len(wide.vocab) <= wide.fast.units and len(gen.vocab) > gen.fast.units  # gen keeps the state instead
    for g in (wide, gen):
        rows = g.compare("Oil ", [0.5, None, 2.0], length=60, seed=1, top_k=7, stop_at_end=True)
        for row in rows:
            for i, s in enumerate(row.steps):
                d = row.distribution(i)
                assert d.p[s.id] == pytest.approx(s.prob, rel=1e-5) and d.p_t1[s.id] == pytest.approx(s.prob_t1, rel=1e-5)


def test_numeric_text_is_read_alike_in_every_numeric_input(gen):
    """One rule (chargen.errors.read_number): text holding a number, as JSON writes it, is that number."""
    as_numbers = gen.generate("Oil ", length=30, temperature=1.3, seed=3, alternatives=2, top_k=5, top_p=0.9, min_p=0.01)
    as_text = gen.generate("Oil ", length="30", temperature=" 1.3", seed="3", alternatives="2", top_k="5", top_p="0.9",
                           min_p="1e-2")
    assert as_text.text == as_numbers.text and as_text.seed == 3 and as_text.top_k == 5
    assert [r.text for r in gen.compare("Oil ", ["0.8", None], length="30", seed="3")] == [
        r.text for r in gen.compare("Oil ", [0.8, None], length=30, seed=3)]
    for bad in (dict(temperature="0,8"), dict(length="3O"), dict(seed="1_000"), dict(top_p="0,9"), dict(length="")):
        with pytest.raises(chargen.ChargenError, match=next(iter(bad)) + " must be"):
            gen.generate("Oil ", **{"length": 30, **bad})
