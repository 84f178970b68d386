"""benchmarks/bench.py on tiny random bundles and titles: the structure of the results
and sane positive numbers (never speed: that is what the benchmark itself reports)."""
import importlib.util
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import chargen
from tests.conftest import TITLES, make_bundle

spec = importlib.util.spec_from_file_location("bench", Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
crowd = bench.crowd

TINY = {**bench.SIZES["quick"], "lesson_chars": 3, "inner": 2, "compare_rounds": 1, "lesson_lengths": (2, 4),
        "train_titles": 16, "precision_titles": 8}


@pytest.fixture(scope="module")
def lesson_preset_gen(tmp_path_factory):
    """A bundle of exactly the lesson preset, so the lesson's loop runs the lesson's own graph."""
    return chargen.load(make_bundle(tmp_path_factory.mktemp("lesson") / "bundle", units=128))


def test_interleaved_gives_a_median_per_function(monkeypatch):
    calls = []
    seconds = bench.interleaved({"a": (lambda: calls.append("a"), 2), "b": (lambda: calls.append("b"), 1)}, rounds=2)
    assert calls == ["a", "b", "a", "a", "b", "a", "a", "b"]  # warm-up, then rounds in turn
    assert set(seconds) == {"a", "b"} and all(s >= 0 for s in seconds.values())
    calls.clear()
    bench.interleaved({"a": (lambda: calls.append("a"), 1)}, rounds=5, budget_s=0, warm_up=False)
    assert calls == ["a"]  # the budget is spent after the first round
    calls.clear()
    clock = [0.0]  # a call takes 10 ms of this clock, however busy the machine is
    monkeypatch.setattr(bench.time, "perf_counter", lambda: clock[0])
    bench.interleaved({"a": (lambda: calls.append(clock.__setitem__(0, clock[0] + 0.01)), 1)}, rounds=50,
                      budget_s=0.05, warm_up=False)
    assert 5 <= len(calls) <= 6  # the budget counts from the first round, not from the last call


def test_loop_model_is_the_lessons_graph_for_the_lesson_preset(gen, lesson_preset_gen):
    assert bench.loop_model(gen) is gen.model
    model = bench.loop_model(lesson_preset_gen)
    assert model.name == "lesson" and len(model.inputs[0].shape) == 3


@pytest.mark.parametrize("which", ["tiny", "lesson_preset"])
def test_decoding_and_compare(which, gen, lesson_preset_gen):
    g = gen if which == "tiny" else lesson_preset_gen
    d = bench.bench_decoding(g, TINY)
    assert d["lesson_chars"] == 3 and d["lesson_chars_per_s"] > 0 and d["ours_chars_per_s"] > 0 and d["ratio"] > 0
    c = bench.bench_compare(g, TINY)
    assert set(c) == {"to_end", "fixed_100", "model_step"} and c["fixed_100"]["steps"] == [100] * 5
    assert all(c[v]["batched_ms"] > 0 and c[v]["sequential_ms"] > 0 and c[v]["ratio"] > 0 for v in ("to_end", "fixed_100"))
    step = c["model_step"]
    assert step["five_rows_us"] > 0 and step["one_row_x5_us"] > 0 and step["ratio"] > 0


def test_scaling_fits_and_extrapolates(gen):
    s = bench.bench_scaling(gen, TINY, lengths=(2, 4, 8, 16))
    assert set(s["ours_seconds"]) == {2, 4, 8, 16} and set(s["lesson_seconds_measured"]) == {2, 4}
    assert set(s["lesson_seconds_extrapolated"]) == {8, 16}
    assert all(v > 0 for v in s["ours_seconds"].values()) and set(s["growth_exponent"]) == {"ours", "lesson"}


def test_training_rates():
    t = bench.bench_training(TITLES * 2, TINY)
    assert t["titles"] == 16 and t["characters"] == sum(map(len, TITLES)) * 2
    assert t["lesson_chars_per_s"] > 0 and t["ours_chars_per_s"] > 0 and t["ratio"] > 0


def test_precision_rates_for_each_setting():
    p = bench.bench_precision(TITLES * 2, TINY)
    assert p["titles"] == 8 and set(p["chars_per_s"]) == {f"{precision}, batch {batch}" for precision in
                                                          ("float32", "mixed_bfloat16") for batch in (64, 256)}
    assert all(rate > 0 for rate in p["chars_per_s"].values()) and p["ratio_to_float32_64"]["float32, batch 64"] == 1


def test_app_is_skipped_without_app_py(tmp_path):
    assert bench.bench_app(tmp_path, TINY) == {"skipped": "no app.py"}


def test_words(tmp_path):
    words = chargen.load(make_bundle(tmp_path / "words", level="word"))
    w = bench.bench_words(words, TINY)
    assert w["words"] == TINY["word_length"] and w["words_per_s"] > 0 and w["chars_per_s"] > 0


def test_reports(gen, tmp_path):
    results = {
        "date": "2026-01-01T00:00:00+00:00", "mode": "quick", "machine": bench.machine(), "load_average_at_end": 1.0,
        "weights": "weights",
        "decoding": {"lesson": bench.bench_decoding(gen, TINY), "default": {"skipped": "no default bundle in weights"}},
        "compare": {"lesson": bench.bench_compare(gen, TINY), "default": {"skipped": "no default bundle in weights"}},
        "scaling": bench.bench_scaling(gen, TINY, lengths=(2, 4, 8)),
        "training": {"titles": 1, "characters": 10, "lesson_chars_per_s": 1, "ours_chars_per_s": 4, "ratio": 4.0},
        "precision": {"titles": 1, "characters": 10, "chars_per_s": {"float32, batch 64": 5, "mixed_bfloat16, batch 256": 20},
                      "ratio_to_float32_64": {"float32, batch 64": 1.0, "mixed_bfloat16, batch 256": 4.0}},
        "app": {"skipped": "no app.py"}, "words": {"skipped": "no words bundle in weights"},
        "decoder_change": {"lesson": bench.bench_decoder_change(gen, TINY), "default": {"skipped": "no default bundle"}},
        "redraw_and_score": {"default": bench.bench_redraw_and_score(gen, TINY), "words": {"skipped": "no words bundle"}},
    }
    bench.write_reports(results, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"results.json", "results.md", "scaling.svg"}
    text = (tmp_path / "results.md").read_text()
    assert "| Measure | Lesson's way | chargen | Ratio | Target |" in text and "(extrapolated)" in text
    assert "skipped: no default bundle in weights" in text and "Skipped: no app.py." in text
    assert "float32 batch 64 vs mixed_bfloat16, batch 256 | 5 | 20 | 4.0x" in text
    assert "| Redraw step 100 of a 100-step generation" in text and "(today: commit a4a5645)" in text
    assert ElementTree.parse(tmp_path / "scaling.svg").getroot().tag.endswith("svg")

    readme = tmp_path / "README.md"
    readme.write_text("# Project\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\n## After\n")
    bench.write_readme(results, readme)
    written = readme.read_text()
    assert "old table" not in written and written.startswith("# Project\n") and written.endswith("## After\n")
    assert "| Measure | Lesson's way | chargen | Ratio | Target |" in written and "# chargen benchmarks" not in written
    assert "2026-01-01" in written and "](benchmarks/results/scaling.svg)" in written


def test_step_clock_times_every_step_of_the_lessons_loop(gen):
    steps = bench.lesson_step_seconds(gen.model, gen.vocab, 6, rounds=3)
    assert steps.shape == (6,) and (steps > 0).all()


def test_growth_exponent():
    assert bench.growth_exponent({10: 1.0, 100: 10.0}) == pytest.approx(1.0)
    assert bench.growth_exponent({10: 1.0, 50: 7.0, 100: 100.0}) == pytest.approx(2.0)


def test_today_s_decoder_is_read_from_git_and_gives_today_s_text(gen):
    today = bench.baseline_generator(gen)
    assert type(today).__module__ == f"chargen_{bench.BASELINE}.decode"
    # the same model under both decoders: greedy decoding (no noise) writes the same text
    assert today.generate("Oil ", length=30, greedy=True).text == gen.generate("Oil ", length=30, greedy=True).text
    d = bench.bench_decoder_change(gen, TINY)
    assert d["today_chars_per_s"] > 0 and d["new_chars_per_s"] > 0 and d["ratio"] > 0 and d["ratio_t08"] > 0


def test_redraw_and_score(gen):
    r = bench.bench_redraw_and_score(gen, TINY)
    assert r["steps"] == 100 and r["redraw_ms"] > 0 and r["sample_1000_ms"] > 0 and r["score_ms"] > 0
    assert r["headline_chars"] == len(bench.HEADLINE)


APP = {  # bench_app's results, as a run on a busy machine might give them
    "cold_start_s": 7.5, "generate_round_trip": {"calls": 20, "p50_ms": 60.0, "p95_ms": 250.0},
    "load": {"users": 30, "calls_per_user": 3, "rounds": 3, "p50_ms": 800.0, "p95_ms": 1200.0,
             "p95_ms_per_round": [1300, 1100, 1150], "errors": 0, "cross_talk": 0},
    "class": {"students": 100, "generates_each": 3, "page_open_events": 1, "generates_served": 299, "refused": 1,
              "failed": 0, "open_events_refused": 0, "open_events_failed": 0, "generate": {"p50_ms": 1500.0, "p95_ms": 2900.0},
              "opened": {"p50_ms": 900.0, "p95_ms": 2100.0}, "first_result": {"p50_ms": 2000.0, "p95_ms": 4400.0},
              "wall_s": 20.0, "server_cpu_s": 12.0, "cpu_ms_per_open": 25.0, "cpu_ms_per_generate": 95.0},
    "peak_memory_mb": 990,
    "memory": {"calls": 5000, "warm_up_calls": 500, "unfetched_every": 10, "failures": 0,
               "rss_mb_curve": [(0, 900.0), (2500, 910.0), (5000, 905.0)], "rss_mb_start": 900.0, "rss_mb_end": 905.0,
               "rss_mb_max": 910.0, "growth_percent": 1.1, "seconds": 240},
}


def test_serving_report_and_its_readme_section(tmp_path):
    results = {"date": "2026-01-01T00:00:00+00:00", "mode": "full", "machine": bench.machine(), "weights": "weights",
               "load_average_at_end": 1.0, "app": APP}
    text = bench.serving_markdown(results)
    assert "| 100 x 3 | 299 | 1 | 0 | 1,500 | 2,900 | 2,100 | 2,000 | 4,400 | 95.0 | 25.0 |" in text
    assert "900 MB at the start, 905 MB at the end, at most 1.1% above the start" in text
    assert "MB every 2,500 calls: 900, 910, 905." in text
    readme = tmp_path / "README.md"
    readme.write_text("<!-- bench:start -->\nbench\n<!-- bench:end -->\n<!-- serving:start -->\nstale table\n<!-- serving:end -->\n")
    bench.write_readme(results, readme, section="serving")
    written = readme.read_text()
    assert "stale table" not in written and "bench\n" in written and "| 100 x 3 | 299 |" in written
    assert "# chargen serving benchmark" not in written


def test_a_class_reads_the_pages_events_as_a_browser_does():
    """crowd.Page on the real page's config: the one event fired on opening, and Generate's chain."""
    import app

    config = app.demo.get_config_file()
    page = crowd.Page(config)
    names = {d["id"]: d["api_name"] for d in config["dependencies"]}
    assert [names[fn] for fn, _, _ in page.on_open] == ["generation_opening"]
    assert [names[fn] for fn, _, _ in page.generate] == ["generate_page"]  # the text, then with it all the rest
    fn, trigger, inputs = page.generate[0]
    data = page.data(inputs, {page.prompt: "Oil ", page.seed: 7})
    assert data[:1] == ["Oil "] and 7 in data and app.DEFAULT_MODEL in data


def test_percentiles():
    assert crowd.percentiles([]) == {"p50_ms": None, "p95_ms": None}
    assert crowd.percentiles([0.1] * 19 + [2.0]) == {"p50_ms": 100.0, "p95_ms": 195.0}
