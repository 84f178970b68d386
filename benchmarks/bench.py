"""Benchmarks: chargen against the lesson's way, measured side by side in one run.

    python benchmarks/bench.py [--quick] [--out benchmarks/results] [--weights weights]

Writes results.json, results.md (a table with the date and machine) and
scaling.svg (decoding time against length). Every comparison is a ratio of two
measurements taken in this one process, interleaved round by round, medians
kept, so that load from other work on the machine falls on both sides alike.

- decoding: the lesson's loop (the whole prefix re-run every step,
  chargen.lesson.lesson_generate) against chargen's stateful decoder;
- five temperatures: one batched ``compare`` against five ``generate`` calls, and
  the model's step alone, 5 rows at once against 5 one-row steps (batching's ceiling);
- cost against length: linear (ours) against quadratic (the lesson's loop,
  measured on short lengths, then fitted and extrapolated);
- training: chargen's tf.data pipeline against the lesson's, same titles; and the default
  preset's model in float32 against mixed_bfloat16, at batch 64 and 256;
- the sampling pipeline (issue 15): today's decoder (``chargen/`` at commit ``BASELINE``, read
  with ``git show`` into a temporary package, so no copy of it lives in the tree) against the
  current one, same model, same length and trace; redrawing a step's distribution
  (``Generation.distribution``) and scoring a headline (``gen.score``);
- the app (when app.py exists) and the word model (when weights/words exists).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import math
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads, as chargen and app.py set it

import numpy as np  # noqa: E402

import chargen  # noqa: E402
from chargen import bundle  # noqa: E402
from chargen.data import field_texts, make_dataset, read_source, to_sequences  # noqa: E402
from chargen import LESSON_TEMPERATURES  # noqa: E402
from chargen.lesson import ARCHITECTURE as LESSON_ARCHITECTURE  # noqa: E402
from chargen.lesson import lesson_dataset, lesson_generate, lesson_model  # noqa: E402
from chargen.model import build_model  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import crowd  # noqa: E402  (benchmarks/crowd.py: a class of students, and memory over many API calls)
import live  # noqa: E402  (benchmarks/live.py: live temperature through the page, and 1,000 draws)
import browser_page  # noqa: E402  (benchmarks/browser_page.py: the browser edition's page in Chromium)
import web  # noqa: E402  (benchmarks/web.py: the browser decoder beside NumPy's, in Node and Chromium)

TRAIN_DATA = ROOT.parent / "shared" / "data" / "ag_news" / "train_subset.csv.gz"
PROMPT = "Today "  # the lesson's
BASELINE = "a4a5645"  # the last commit before the sampling pipeline of issue 15: "today's decoder"
HEADLINE = "Oil prices rise as OPEC ministers meet in Vienna to discuss output"  # what gen.score is timed on
SCALING_LENGTHS = (50, 100, 200, 500, 1000, 2000)

# How much of each measurement a run does: the full run fits in 10 minutes on 2
# busy cores, the quick one in about a minute; budget_s bounds each measurement.
# Both decoders write the 100 characters (the lesson's loop takes 25-60 s for them).
SIZES = {
    "full": dict(budget_s=60, lesson_chars=100, rounds=3, inner=7, compare_rounds=9,
                 lesson_lengths=(25, 50, 100),
                 train_titles=2_400, train_rounds=3, precision_titles=1_200, precision_rounds=2, app_calls=20, app_users=30,
                 app_user_calls=3, app_rounds=3, app_seconds=180, class_students=100, class_generates=3, memory_calls=5_000,
                 memory_warm_up=500, word_length=50),
    "quick": dict(budget_s=10, lesson_chars=8, rounds=1, inner=3, compare_rounds=3, lesson_lengths=(5, 10, 20),
                  train_titles=240, train_rounds=1, precision_titles=120, precision_rounds=1, app_calls=3, app_users=5,
                  app_user_calls=1, app_rounds=1, app_seconds=60, class_students=10, class_generates=1, memory_calls=200,
                  memory_warm_up=50, word_length=20),
}


def interleaved(calls: dict, rounds: int, budget_s=math.inf, warm_up=True) -> dict:
    """Median seconds per call of each ``name: (function, calls per round)``.

    Each function runs once untimed first (tracing, caches) unless ``warm_up`` is
    false; then every round runs each in turn, so slow spells on a shared machine
    fall on all of them alike. No round starts after ``budget_s`` (one always runs).
    """
    for function, _ in calls.values() if warm_up else ():
        function()
    seconds = {name: [] for name in calls}
    started = time.perf_counter()
    for round_ in range(rounds):
        if round_ and time.perf_counter() - started > budget_s:
            break
        for name, (function, count) in calls.items():
            for _ in range(count):
                call_started = time.perf_counter()
                function()
                seconds[name].append(time.perf_counter() - call_started)
    return {name: statistics.median(s) for name, s in seconds.items()}


def loop_model(gen):
    """The model the lesson's loop runs: for the lesson preset, the lesson's own graph
    (one-hot in, Masking, LSTM, Dense) holding the bundle's weights; otherwise the
    bundle's Keras model, fed ids."""
    if gen.card.architecture.to_dict() == LESSON_ARCHITECTURE:
        model = lesson_model(len(gen.vocab))
        model.set_weights(gen.model.get_weights())
        return model
    return gen.model


def bench_decoding(gen, size) -> dict:
    """Characters per second, one stream: the lesson's loop on its first
    ``lesson_chars`` characters against ``generate(length=100, top_k=5)``."""
    model = loop_model(gen)
    n = size["lesson_chars"]
    lesson_generate(model, gen.vocab, PROMPT, 2)  # warm-up; a full one would cost as much as a round
    gen.generate(PROMPT, length=100)
    seconds = interleaved({
        "lesson": (lambda: lesson_generate(model, gen.vocab, PROMPT, n, stop_at_end=False), 1),
        "ours": (lambda: gen.generate(PROMPT, length=100, alternatives=5, stop_at_end=False), size["inner"]),
    }, size["rounds"], size["budget_s"], warm_up=False)
    lesson, ours = n / seconds["lesson"], 100 / seconds["ours"]
    return {"lesson_chars": n, "ours_chars": 100, "lesson_chars_per_s": round(lesson, 2),
            "ours_chars_per_s": round(ours), "ratio": round(ours / lesson)}


def bench_compare(gen, size) -> dict:
    """The lesson's five temperatures: one batched ``compare`` against five ``generate``
    calls (same seed, so the same five texts), 100 characters at most. Twice: stopping
    at the end of each title (as the app does; a row that ends leaves the batch) and
    100 characters each."""
    result = {}
    for name, stop_at_end in (("to_end", True), ("fixed_100", False)):
        decoding = dict(length=100, seed=0, stop_at_end=stop_at_end)
        batched = gen.compare(PROMPT, LESSON_TEMPERATURES, **decoding)
        assert [o.text for o in batched] == [gen.generate(PROMPT, temperature=t, **decoding).text
                                             for t in LESSON_TEMPERATURES], "compare must equal generate row by row"
        seconds = interleaved({
            "batched": (lambda: gen.compare(PROMPT, LESSON_TEMPERATURES, **decoding), 1),
            "sequential": (lambda: [gen.generate(PROMPT, temperature=t, **decoding) for t in LESSON_TEMPERATURES], 1),
        }, size["compare_rounds"], size["budget_s"])
        result[name] = {"steps": [len(o.steps) for o in batched], "batched_ms": round(seconds["batched"] * 1e3, 2),
                        "sequential_ms": round(seconds["sequential"] * 1e3, 2),
                        "ratio": round(seconds["sequential"] / seconds["batched"], 2)}
    result["model_step"] = bench_model_step(gen.fast, size)
    return result


def bench_model_step(fast, size) -> dict:
    """The model's step alone (NumPy), one 5-row step against five 1-row steps: the most
    that batching five rows can save, whatever the decoder around it does."""
    ids, one = np.ones(5, np.int64), np.ones(1, np.int64)
    states = fast.initial_state(5), fast.initial_state(1)
    seconds = interleaved({
        "five_rows": (lambda: fast.logits(ids, states[0]), 200),
        "one_row_x5": (lambda: [fast.logits(one, states[1]) for _ in range(5)], 200),
    }, size["compare_rounds"], size["budget_s"])
    return {"five_rows_us": round(seconds["five_rows"] * 1e6, 1), "one_row_x5_us": round(seconds["one_row_x5"] * 1e6, 1),
            "ratio": round(seconds["one_row_x5"] / seconds["five_rows"], 2)}


class StepClock:
    """Stands in for a model in the lesson's loop and notes when each call starts: the
    loop calls the model once a step, so one run gives the time of every step."""

    def __init__(self, model):
        self.model, self.inputs, self.starts = model, model.inputs, []

    def __call__(self, x):
        self.starts.append(time.perf_counter())
        return self.model(x)


def lesson_step_seconds(model, vocab, n, rounds, budget_s=math.inf) -> np.ndarray:
    """Seconds of each of ``n`` steps of the lesson's loop, median over ``rounds`` runs
    (a slow spell spoils single steps, not the run; no run starts after ``budget_s``).
    Step k re-runs the whole prefix: the prompt and the k characters generated so far."""
    runs, started = [], time.perf_counter()
    for _ in range(rounds):
        if runs and time.perf_counter() - started > budget_s:
            break
        clock = StepClock(model)
        lesson_generate(clock, vocab, PROMPT, n, stop_at_end=False)
        runs.append(np.diff([*clock.starts, time.perf_counter()]))
    return np.median(runs, axis=0)


def bench_scaling(gen, size, lengths=SCALING_LENGTHS) -> dict:
    """Seconds to generate n characters. Ours at every length; the lesson's loop up to
    the longest of ``lesson_lengths`` (sums of its step times), then extrapolated from
    a straight-line fit of a step's time against its prefix length. Run after
    :func:`bench_decoding`, which warmed our decoder up."""
    model = loop_model(gen)
    lesson_generate(model, gen.vocab, PROMPT, 2)  # warm-up of this model
    ours = interleaved({n: (lambda n=n: gen.generate(PROMPT, length=n, alternatives=5, stop_at_end=False), 1)
                        for n in lengths}, size["inner"], size["budget_s"], warm_up=False)  # the lengths in turn, round after round
    steps = lesson_step_seconds(model, gen.vocab, max(size["lesson_lengths"]), size["rounds"], size["budget_s"])
    elapsed = np.cumsum(steps)
    lesson = {n: float(elapsed[n - 1]) for n in size["lesson_lengths"]}
    prompt = len(gen.vocab.encode(PROMPT))
    per_char, constant = np.polyfit(prompt + np.arange(len(steps)), steps, 1)  # a step: constant + per_char * prefix

    def extrapolated(n):  # the sum of n steps' fitted times, prefixes prompt .. prompt + n - 1
        return n * constant + per_char * (n * prompt + n * (n - 1) / 2)

    return {
        "ours_seconds": {n: round(s, 5) for n, s in ours.items()},
        "lesson_seconds_measured": {n: round(s, 3) for n, s in lesson.items()},
        "growth_exponent": {"ours": round(growth_exponent(ours), 2), "lesson": round(growth_exponent(lesson), 2)},
        "lesson_step_fit": {"constant_s": float(constant), "per_prefix_char_s": float(per_char)},
        "lesson_seconds_extrapolated": {n: round(extrapolated(n), 1) for n in lengths if n > max(lesson)},
    }


def growth_exponent(seconds: dict) -> float:
    """The slope of log time against log length from the shortest run to the longest:
    1 for linear cost, 2 for quadratic."""
    short, long = min(seconds), max(seconds)
    return float(np.log(seconds[long] / seconds[short]) / np.log(long / short))


def bench_training(titles, size) -> dict:
    """Title characters trained on per second, lesson-preset model: chargen's pipeline
    (ids, batch 64, length-bucketed, Adam as chargen trains) against the lesson's
    (batch 8, pre-padded, one-hot in Python through py_function, RMSprop), one epoch
    over the same titles after a few warm-up batches, rounds interleaved."""
    import keras

    from chargen.train import _compile
    from chargen.vocab import CharVocab

    titles = titles[: size["train_titles"]]
    vocab = CharVocab.build(titles)
    characters = sum(len(vocab.encode(t)) for t in titles)
    keras.utils.set_random_seed(0)
    ours = build_model(len(vocab), **LESSON_ARCHITECTURE)
    _compile(ours)  # exactly as chargen.train compiles
    ours_data = make_dataset(to_sequences(vocab, titles), batch_size=64, shuffle=True, seed=0)
    lesson = lesson_model(len(vocab))
    lesson_data = lesson_dataset(vocab, titles)
    fit = dict(epochs=1, verbose=0, shuffle=False)  # shuffle=False only silences Keras: tf.data shuffles itself
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Your input ran out of data")  # how a tf.data epoch ends
        ours.fit(ours_data.take(4), **fit)  # warm-up: trace the training step for a few shapes
        lesson.fit(lesson_data.take(4), **fit)
        seconds = interleaved({"lesson": (lambda: lesson.fit(lesson_data, **fit), 1),
                               "ours": (lambda: ours.fit(ours_data, **fit), 1)}, size["train_rounds"],
                              size["budget_s"], warm_up=False)
    lesson_rate, ours_rate = characters / seconds["lesson"], characters / seconds["ours"]
    return {"titles": len(titles), "characters": characters, "lesson_chars_per_s": round(lesson_rate),
            "ours_chars_per_s": round(ours_rate), "ratio": round(ours_rate / lesson_rate, 2)}


def bench_precision(titles, size) -> dict:
    """Title characters trained on per second by the default preset's model (embedding 64, 2 x LSTM-384) in
    float32 and mixed_bfloat16, at batch 64 and 256: one epoch over the same titles per setting, rounds
    interleaved, after a warm-up epoch that traces each setting's training step."""
    import keras

    from chargen.model import PRESETS
    from chargen.train import _compile, bf16_available
    from chargen.vocab import CharVocab

    titles = titles[: size["precision_titles"]]
    vocab = CharVocab.build(titles, "clean")
    sequences = to_sequences(vocab, titles)
    characters = sum(len(s) - 1 for s in sequences)
    settings = {}
    for precision in ("float32", "mixed_bfloat16"):
        for batch in (64, 256):
            keras.utils.set_random_seed(0)
            model = build_model(len(vocab), **PRESETS["default"], dtype=precision)
            _compile(model)
            data = make_dataset(sequences, batch_size=batch, shuffle=True, seed=0)
            settings[f"{precision}, batch {batch}"] = (lambda model=model, data=data: model.fit(data, epochs=1, verbose=0), 1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        seconds = interleaved(settings, size["precision_rounds"], size["budget_s"])
    rates = {name: round(characters / s) for name, s in seconds.items()}
    base = rates["float32, batch 64"]
    return {"titles": len(titles), "characters": characters, "bf16_in_hardware": bf16_available(),
            "chars_per_s": rates, "ratio_to_float32_64": {name: round(r / base, 2) for name, r in rates.items()}}


# --- The app ------------------------------------------------------------------------
# `python app.py` as a user starts it, on a free loopback port; /generate takes (prompt,
# temperature, length, decoding "Greedy"/"Sampled", seed, top_k, model name) and returns
# JSON with "text". Skipped when app.py is absent.

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_served(url, process, timeout) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with status {process.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"app.py did not serve {url} within {timeout} s")


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process and its children until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        import psutil

        self.process, self.peak, self.stopped = psutil.Process(pid), 0, threading.Event()

    def run(self):
        import psutil

        while not self.stopped.wait(0.1):
            try:
                processes = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in processes))
            except psutil.Error:
                return


def _percentiles(seconds) -> dict:
    if not seconds:
        return {"p50_ms": None, "p95_ms": None}
    return {"p50_ms": round(float(np.percentile(seconds, 50)) * 1e3, 1),
            "p95_ms": round(float(np.percentile(seconds, 95)) * 1e3, 1)}


def bench_app(root: Path, size) -> dict:
    """Cold start, /generate round trips and a bounded load test on loopback."""
    if not (root / "app.py").exists():
        return {"skipped": "no app.py"}
    from gradio_client import Client

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    model_name = chargen.shipped_names()[0]

    def request(seed):  # the /generate inputs, in order
        return ("Today ", 0.8, 100, "Sampled", seed, 5, model_name)

    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = PeakMemory(process.pid)
    memory.start()
    try:
        _wait_until_served(url, process, timeout=size["app_seconds"])
        cold_start = time.perf_counter() - started
        # ssl_verify=False: the URL is plain http on loopback, and with verification on gradio_client
        # builds a fresh TLS context (loading every CA certificate) for each call, which cost this
        # 2-core machine about 100 ms of CPU per call and starved the server under test.
        client = Client(url, verbose=False, ssl_verify=False)
        round_trips = []
        for i in range(size["app_calls"]):
            t = time.perf_counter()
            client.predict(*request(i), api_name="/generate")
            round_trips.append(time.perf_counter() - t)
        users, calls = size["app_users"], size["app_user_calls"]
        expected = {1000 + u: client.predict(*request(1000 + u), api_name="/generate")["text"] for u in range(users)}
        deadline = time.time() + size["app_seconds"]

        def user(seed, connected):  # one client per user, its own seed: its texts must all be expected[seed]
            latencies, errors, mismatches = [], 0, 0
            try:
                own = Client(url, verbose=False, ssl_verify=False)
            except Exception:
                own = None
            try:
                connected.wait()  # every user connects first, then all call at once
            except threading.BrokenBarrierError:
                pass  # some never connected in time: the rest go on
            if own is None:
                return latencies, calls, 0
            for _ in range(calls):
                t = time.perf_counter()
                try:
                    result = own.submit(*request(seed), api_name="/generate").result(timeout=max(1, deadline - time.time()))
                except Exception:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - t)
                mismatches += result["text"] != expected[seed]
            return latencies, errors, mismatches

        # Each round is a new crowd (new clients, new sessions); a p95 over all rounds' calls
        # rests on more than the few slowest calls of one round on this noisy machine.
        outcomes, round_p95 = [], []
        for _ in range(size["app_rounds"]):
            connected = threading.Barrier(users, timeout=size["app_seconds"])
            with ThreadPoolExecutor(users) as pool:
                users_round = list(pool.map(lambda seed: user(seed, connected), expected))
            outcomes += users_round
            round_p95.append(_percentiles([s for lat, _, _ in users_round for s in lat])["p95_ms"])
        latencies = [s for lat, _, _ in outcomes for s in lat]
        results = {
            "cold_start_s": round(cold_start, 1),
            "generate_round_trip": {"calls": len(round_trips), **_percentiles(round_trips)},
            "load": {"users": users, "calls_per_user": calls, "rounds": size["app_rounds"], **_percentiles(latencies),
                     "p95_ms_per_round": round_p95,
                     "errors": sum(e for _, e, _ in outcomes), "cross_talk": sum(m for _, _, m in outcomes)},
        }
        print("app: a class", flush=True)
        results["class"] = asyncio.run(crowd.a_class(url, process.pid, size["class_students"], size["class_generates"],
                                                     timeout=size["app_seconds"]))
        results["peak_memory_mb"] = round(memory.peak / 2**20)
        if size.get("memory"):
            print(f"app: memory over {size['memory_calls']:,} API calls", flush=True)
            results["memory"] = asyncio.run(crowd.memory(url, process.pid, size["memory_calls"], size["memory_warm_up"]))
        return results
    finally:
        memory.stopped.set()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def bench_words(gen, size) -> dict:
    """The word model, one stream with a top-5 trace: words and characters per second."""
    n = size["word_length"]
    text = gen.generate(PROMPT, length=n, alternatives=5, stop_at_end=False, seed=0).text
    seconds = interleaved({"words": (lambda: gen.generate(PROMPT, length=n, alternatives=5, stop_at_end=False, seed=0),
                                     size["inner"])}, size["rounds"], size["budget_s"])["words"]
    return {"words": n, "words_per_s": round(n / seconds), "chars_per_s": round(len(text) / seconds)}


# --- The sampling pipeline (issue 15) ------------------------------------------------

def baseline_generator(gen, commit=BASELINE):
    """``gen``'s model under the decoder of ``commit``: its decode, sampling, fast and errors
    modules, read with ``git show`` into a temporary package (None when git cannot)."""
    import importlib
    import tempfile

    package = Path(tempfile.mkdtemp()) / f"chargen_{commit}"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module in ("decode", "sampling", "fast", "errors"):
        shown = subprocess.run(["git", "show", f"{commit}:chargen/{module}.py"], cwd=ROOT, capture_output=True, text=True)
        if shown.returncode:
            return None
        (package / f"{module}.py").write_text(shown.stdout)
    sys.path.insert(0, str(package.parent))
    try:
        decode = importlib.import_module(f"{package.name}.decode")
    finally:
        sys.path.remove(str(package.parent))
    card = {"architecture": gen.card.architecture.to_dict()}  # the card as a dict: all that decoder read of it
    return decode.Generator(gen.model, gen.vocab, card, gen.name, gen.known_words)


def bench_decoder_change(gen, size) -> dict:
    """Characters per second, one stream, 100 characters with a top-5 trace: the decoder of
    ``BASELINE`` against the current one (default settings, and with top-p 0.9), interleaved."""
    today = baseline_generator(gen)
    if today is None:
        return {"skipped": f"git cannot show commit {BASELINE}"}
    decoding = dict(length=100, seed=0, stop_at_end=False)
    seconds = interleaved({
        "today": (lambda: today.generate(PROMPT, top_k=5, **decoding), size["inner"]),
        "new": (lambda: gen.generate(PROMPT, alternatives=5, **decoding), size["inner"]),
        "today_t08": (lambda: today.generate(PROMPT, temperature=0.8, top_k=5, **decoding), size["inner"]),
        "new_t08": (lambda: gen.generate(PROMPT, temperature=0.8, alternatives=5, **decoding), size["inner"]),
        "new_top_p": (lambda: gen.generate(PROMPT, temperature=0.8, alternatives=5, top_p=0.9, **decoding), size["inner"]),
    }, size["rounds"] * 3, size["budget_s"])
    rates = {name: 100 / s for name, s in seconds.items()}
    return {"baseline": BASELINE, **{f"{name}_chars_per_s": round(rate) for name, rate in rates.items()},
            "ratio": round(rates["new"] / rates["today"], 3), "ratio_t08": round(rates["new_t08"] / rates["today_t08"], 3)}


def bench_redraw_and_score(gen, size) -> dict:
    """Milliseconds to redraw step 100 of a 100-step generation at another temperature (and top-p),
    as the page does on every slider move; to draw it 1,000 times; and to score ``HEADLINE``."""
    out = gen.generate(PROMPT, length=100, temperature=0.8, seed=0, stop_at_end=False)
    temperatures = iter(np.tile(np.linspace(0.1, 3.0, 30), 10_000))
    seconds = interleaved({
        "redraw": (lambda: out.distribution(99, temperature=next(temperatures), top_p=0.9), size["inner"] * 5),
        "sample_1000": (lambda: out.distribution(99).sample(1_000, seed=0), size["inner"]),
        "score": (lambda: gen.score(HEADLINE), size["inner"]),
    }, size["rounds"] * 3, size["budget_s"])
    return {"steps": len(out.steps), "redraw_ms": round(seconds["redraw"] * 1e3, 3),
            "sample_1000_ms": round(seconds["sample_1000"] * 1e3, 3), "score_ms": round(seconds["score"] * 1e3, 2),
            "headline_chars": len(HEADLINE), "headline_tokens": len(gen.vocab.encode(HEADLINE))}


# --- Reports ------------------------------------------------------------------------

def machine() -> dict:
    import keras
    import tensorflow as tf

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average_at_start": round(os.getloadavg()[0], 1),
            "python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__, "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}


def scaling_svg(scaling: dict, path: Path, width=640, height=400) -> None:
    """Seconds against characters on log-log axes (slope 1: linear, slope 2: quadratic)."""
    series = [
        ("chargen (measured)", "#1f77b4", "", scaling["ours_seconds"]),
        ("lesson's loop (measured)", "#d62728", "", scaling["lesson_seconds_measured"]),
        ("lesson's loop (fitted, extrapolated)", "#d62728", "6,4",
         {**{max(scaling["lesson_seconds_measured"]): max(scaling["lesson_seconds_measured"].values())},
          **scaling["lesson_seconds_extrapolated"]}),
    ]
    points = [(float(n), float(s)) for *_, data in series for n, s in data.items()]
    x_low, x_high = np.floor(np.log10(min(x for x, _ in points))), np.ceil(np.log10(max(x for x, _ in points)))
    y_low, y_high = np.floor(np.log10(min(y for _, y in points))), np.ceil(np.log10(max(y for _, y in points)))
    left, right, top, bottom = 70, 20, 30, 50

    def xy(n, s):
        x = left + (np.log10(n) - x_low) / (x_high - x_low) * (width - left - right)
        y = height - bottom - (np.log10(s) - y_low) / (y_high - y_low) * (height - top - bottom)
        return f"{x:.1f},{y:.1f}"

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle">Seconds to generate n characters (log-log)</text>']
    for e in range(int(x_low), int(x_high) + 1):
        x = xy(10.0**e, 10.0**y_low).split(",")[0]
        svg.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{height - bottom}" stroke="#ddd"/>')
        svg.append(f'<text x="{x}" y="{height - bottom + 16}" text-anchor="middle">{10.0**e:g}</text>')
    for e in range(int(y_low), int(y_high) + 1):
        y = xy(10.0**x_low, 10.0**e).split(",")[1]
        svg.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="#ddd"/>')
        svg.append(f'<text x="{left - 6}" y="{float(y) + 4}" text-anchor="end">{10.0**e:g} s</text>')
    svg.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">characters generated</text>')
    for i, (label, color, dash, data) in enumerate(series):
        path_points = " ".join(xy(n, s) for n, s in sorted((float(n), float(s)) for n, s in data.items()))
        svg.append(f'<polyline points="{path_points}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        if not dash:
            svg.extend(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{color}"/>' for p in path_points.split())
        y = top + 10 + 16 * i
        svg.append(f'<line x1="{left + 10}" y1="{y}" x2="{left + 40}" y2="{y}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        svg.append(f'<text x="{left + 46}" y="{y + 4}">{label}</text>')
    svg.append("</svg>")
    path.write_text("\n".join(svg) + "\n")


def _number(value, digits=0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def scaling_markdown(s: dict) -> list[str]:
    if "skipped" in s:
        return [f"Skipped: {s['skipped']}."]
    g, fit = s["growth_exponent"], s["lesson_step_fit"]
    lines = [f"Time grows as n^{g['ours']} for chargen and n^{g['lesson']} for the lesson's loop (log-log slope "
             "between the shortest and longest measured lengths). The lesson's loop is timed step by step up to "
             f"{max(s['lesson_seconds_measured'])} characters (median of runs); longer lengths are extrapolated from "
             f"the fitted time of a step, {fit['constant_s'] * 1e3:.1f} ms + {fit['per_prefix_char_s'] * 1e3:.2f} ms "
             "per character of prefix it re-runs.", "",
             "| Characters | chargen s | Lesson's loop s | Ratio |", "|---:|---:|---:|---:|"]
    for n in sorted(set(s["ours_seconds"]) | set(s["lesson_seconds_measured"])):
        ours = s["ours_seconds"].get(n)
        if n in s["lesson_seconds_measured"]:
            lesson, note = s["lesson_seconds_measured"][n], ""
        else:
            lesson, note = s["lesson_seconds_extrapolated"].get(n), " (extrapolated)"
        ratio = f"{lesson / ours:,.0f}x" if ours and lesson else ""
        lines.append(f"| {n:,} | {_number(ours, 4)} | {_number(lesson, 2)}{note} | {ratio} |")
    return [*lines, "", "![decoding time against length](scaling.svg)"]


def sampling_markdown(results: dict) -> list[str]:
    lines = ["| Measure | Today's decoder | Now | Ratio | Target |", "|---|---:|---:|---:|---|"]
    for name, d in results["decoder_change"].items():
        if "skipped" in d:
            lines.append(f"| Decoding, {name} model | skipped: {d['skipped']} | | | |")
            continue
        lines.append(f"| Decoding, {name} model, chars/s, one stream, 100 chars, top-5 trace (today: commit "
                     f"{d['baseline']}) | {d['today_chars_per_s']:,} | {d['new_chars_per_s']:,} | {d['ratio']}x | >= 0.9x |")
        lines.append(f"| The same at T = 0.8 (now with top-p 0.9 too: {d['new_top_p_chars_per_s']:,}) | "
                     f"{d['today_t08_chars_per_s']:,} | {d['new_t08_chars_per_s']:,} | {d['ratio_t08']}x | >= 0.9x |")
    for name, d in results["redraw_and_score"].items():
        if "skipped" in d:
            lines.append(f"| Redraw and score, {name} model | skipped: {d['skipped']} | | | |")
            continue
        lines.append(f"| Redraw step {d['steps']} of a {d['steps']}-step generation at another T and top-p, {name} "
                     f"model, ms | | {d['redraw_ms']:,.2f} | | < 20 ms |")
        lines.append(f"| Draw that step 1,000 times, {name} model, ms | | {d['sample_1000_ms']:,.2f} | | |")
        lines.append(f"| Score a headline ({d['headline_chars']} chars, {d['headline_tokens']} tokens), {name} model, "
                     f"ms | | {d['score_ms']:,.1f} | | |")
    return lines


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# chargen benchmarks", "",
        f"{results['date']}, {results['mode']} run, {m['cpu']} ({m['cores']} cores), load average "
        f"{m['load_average_at_start']} at start and {results['load_average_at_end']} at end; Python {m['python']}, TensorFlow {m['tensorflow']}, Keras {m['keras']}, NumPy {m['numpy']}, "
        f"OpenBLAS threads {m['openblas_threads']}; bundles from {results['weights']}.", "",
        "Each ratio compares two measurements taken side by side in this one run (interleaved rounds, medians). "
        "Absolute figures depend on the load of the moment; the ratios are what to compare.", "",
        "| Measure | Lesson's way | chargen | Ratio | Target |",
        "|---|---:|---:|---:|---|",
    ]
    for name, d in results["decoding"].items():
        if "skipped" in d:
            lines.append(f"| Decoding, {name} | skipped: {d['skipped']} | | | |")
            continue
        target = ">= 1,000x" + (", >= 25,000 chars/s" if name == "lesson" else "")
        lines.append(f"| Decoding, {name} model, chars/s, one stream (lesson: first {d['lesson_chars']} chars, whole "
                     f"prefix re-run; chargen: {d['ours_chars']} chars, top-5 trace) | {d['lesson_chars_per_s']:,.1f} | "
                     f"{d['ours_chars_per_s']:,} | {d['ratio']:,}x | {target} |")
    for name, variants in results["compare"].items():
        if "skipped" in variants:
            continue
        for variant in ("to_end", "fixed_100"):
            d = variants[variant]
            length = "to the end of each title" if variant == "to_end" else "100 chars each"
            lines.append(f"| Five temperatures, {name} model, {length} (steps {d['steps']}), ms: 5 x generate vs "
                         f"1 x compare | {d['sequential_ms']:,.1f} | {d['batched_ms']:,.1f} | {d['ratio']}x | >= 3x |")
        d = variants["model_step"]
        lines.append(f"| Its ceiling: the {name} model's step alone, µs: five 1-row steps vs one 5-row step "
                     f"| {d['one_row_x5_us']:,.1f} | {d['five_rows_us']:,.1f} | {d['ratio']}x | |")
    t = results["training"]
    lines.append(f"| Training, lesson preset, title chars/s ({t['titles']:,} titles; lesson: batch 8 one-hot via "
                 f"py_function; chargen: batch 64 bucketed tf.data) | {t['lesson_chars_per_s']:,} | "
                 f"{t['ours_chars_per_s']:,} | {t['ratio']}x | >= 4x |")
    p = results["precision"]
    for name, rate in p["chars_per_s"].items():
        if name != "float32, batch 64":
            lines.append(f"| Training, default preset, title chars/s ({p['titles']:,} titles): float32 batch 64 vs {name} "
                         f"| {p['chars_per_s']['float32, batch 64']:,} | {rate:,} | {p['ratio_to_float32_64'][name]}x | |")
    w = results["words"]
    lines.append("| Word model, one stream, top-5 trace | | " + (f"skipped: {w['skipped']}" if "skipped" in w else
                 f"{w['words_per_s']:,} words/s, {w['chars_per_s']:,} chars/s") + " | | |")

    lines += ["", "## The sampling pipeline", "", *sampling_markdown(results), ""]
    lines += ["## Decoding time against length", "", *scaling_markdown(results["scaling"]), ""]

    lines += ["## The app", "", *app_markdown(results["app"])]
    return "\n".join(lines) + "\n"


def app_markdown(a: dict) -> list[str]:
    """The app's tables: cold start, round trips and crowds of API users; a class on the page; memory."""
    if "skipped" in a:
        return [f"Skipped: {a['skipped']}."]
    g, load, c = a["generate_round_trip"], a["load"], a["class"]
    lines = [
        "| Cold start s | /generate p50 ms | p95 ms | Load: rounds x users x calls | p50 ms | p95 ms | p95 ms by round | Errors | Cross-talk | Peak memory MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {a['cold_start_s']} | {_number(g['p50_ms'], 1)} | {_number(g['p95_ms'], 1)} | "
        f"{load['rounds']} x {load['users']} x {load['calls_per_user']} | {_number(load['p50_ms'], 1)} | {_number(load['p95_ms'], 1)} | "
        f"{', '.join(_number(p, 0) for p in load['p95_ms_per_round'])} | "
        f"{load['errors']} | {load['cross_talk']} | {a['peak_memory_mb']:,} |",
        "",
        f"A class: {c['students']} students open the page at once (its HTML, then the {c['page_open_events']} event(s) "
        f"it sends on opening), then each presses Generate {c['generates_each']} times with a prompt and seed of its own, "
        "each press after the last one's result (the text with its bars and trace), speaking Gradio's queue protocol as the "
        "browser does, on the same cores as the server. First result: from opening the page to the first output of "
        "the first Generate. Server CPU per call: one student at a time on a quiet server (the reveal at its full "
        f"pace); the class took {c['server_cpu_s']} s of server CPU in {c['wall_s']} s.",
        "",
        "| Students x Generates | Served | Refused | Failed | Generate p50 ms | p95 ms | Page open p95 ms | "
        "First result p50 ms | p95 ms | Server CPU ms per Generate | per page open | Target |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {c['students']} x {c['generates_each']} | {c['generates_served']} | {c['refused'] + c['open_events_refused']} | "
        f"{c['failed'] + c['open_events_failed']} | {_number(c['generate']['p50_ms'])} | {_number(c['generate']['p95_ms'])} | "
        f"{_number(c['opened']['p95_ms'])} | {_number(c['first_result']['p50_ms'])} | {_number(c['first_result']['p95_ms'])} | "
        f"{c['cpu_ms_per_generate']} | {c['cpu_ms_per_open']} | 0 refused, p95 <= 3,000 per Generate, <= 5,000 to the first result |",
    ]
    if "memory" in a:
        m = a["memory"]
        curve = ", ".join(f"{mb:,.0f}" for _, mb in m["rss_mb_curve"])
        lines += ["", f"Memory: the server's resident memory over {m['calls']:,} API calls (/generate, each a new session, "
                  f"every {m['unfetched_every']}th result never fetched) after {m['warm_up_calls']:,} to warm up, "
                  f"{m['seconds']} s: {m['rss_mb_start']:,.0f} MB at the start, {m['rss_mb_end']:,.0f} MB at the end, "
                  f"at most {m['growth_percent']}% above the start (target: within 10%); {m['failures']} failed. "
                  f"MB every {m['calls'] // (len(m['rss_mb_curve']) - 1):,} calls: {curve}."]
    return lines


def serving_markdown(results: dict) -> str:
    """The report of ``--app``: the app alone, with the machine and date."""
    m = results["machine"]
    return "\n".join([
        "# chargen serving benchmark", "",
        f"{results['date']}, {m['cpu']} ({m['cores']} cores), load average {m['load_average_at_start']} at start and "
        f"{results['load_average_at_end']} at end; Python {m['python']}; bundles from {results['weights']}.", "",
        *app_markdown(results["app"])]) + "\n"


def live_markdown(results: dict) -> str:
    """The report of ``--live``: live temperature through the page and the 1,000-draw, with the machine and date."""
    m = results["machine"]
    return "\n".join([
        "# chargen live-temperature benchmark", "",
        f"{results['date']}, {m['cpu']} ({m['cores']} cores), load average {m['load_average_at_start']} at start and "
        f"{results['load_average_at_end']} at end; Python {m['python']}.", "", *live.markdown(results)]) + "\n"


def web_markdown(results: dict) -> str:
    """The report of ``--web``: the browser decoder beside NumPy's, then the browser edition's page, with the machine
    and date."""
    m = results["machine"]
    page = browser_page.markdown(results["site"]).split("\n", 2)[2]  # its table, without its own date line
    return "\n".join([
        "# chargen browser-edition benchmark", "",
        f"{results['date']}, {m['cpu']} ({m['cores']} cores), load average {m['load_average_at_start']} at start and "
        f"{results['load_average_at_end']} at end; Python {m['python']}.", "", "### The decoder", "",
        *web.markdown(results["web"]), "", "### The page (`benchmarks/browser_page.py`: headless Chromium, 1280x800, a local "
        f"static server, {results['site']['opens']} cold opens, {results['site']['generates']} Generates, "
        f"{results['site']['moves']} slider moves)", "", page]) + "\n"


PARTS = {"serving": serving_markdown, "live": live_markdown, "web": web_markdown}


def write_part(results: dict, out: Path, section: str, readme: bool) -> None:
    """A run of one part (``--app``: serving, ``--live``, ``--web``): OUT/section.json and .md, and the README's section."""
    report = PARTS[section](results)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{section}.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    (out / f"{section}.md").write_text(report)
    if readme:
        write_readme(results, section=section)
    print(report)


def write_reports(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    (out / "results.md").write_text(markdown(results))
    if "skipped" not in results["scaling"]:
        scaling_svg(results["scaling"], out / "scaling.svg")


def write_readme(results: dict, readme: Path = ROOT / "README.md", section="bench") -> None:
    """A full run's tables into the README, between its ``bench`` (``serving``, ``live``) markers."""
    report = {"bench": markdown, **PARTS}[section](results)
    body = report.split("\n", 2)[2]  # without the title: the README has its own heading
    body = body.replace("](scaling.svg)", "](benchmarks/results/scaling.svg)").replace("\n## ", "\n### ")
    text = readme.read_text()
    pattern = re.compile(rf"(<!-- {section}:start -->\n).*?(<!-- {section}:end -->)", re.S)
    readme.write_text(pattern.sub(lambda m: m.group(1) + body + m.group(2), text))


def run(size: dict, mode: str, weights: Path) -> dict:
    """Every benchmark, in one process; bundles missing from ``weights`` are recorded as skipped."""
    bundles = {p.parent.name: p.parent for p in Path(weights).glob(f"*/{bundle.CARD_FILE}")}

    def missing(name):
        return {"skipped": f"no {name} bundle in {weights}"}

    results = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "mode": mode,
               "machine": machine(), "weights": str(weights), "decoding": {}, "compare": {},
               "scaling": missing("lesson"), "words": missing("words"), "decoder_change": {}, "redraw_and_score": {}}
    for name in ("lesson", "default"):
        if name not in bundles:
            results["decoding"][name] = results["compare"][name] = results["decoder_change"][name] = missing(name)
            continue
        gen = chargen.load(bundles[name])
        print(f"decoding: {name}", flush=True)
        results["decoding"][name] = bench_decoding(gen, size)
        results["decoder_change"][name] = bench_decoder_change(gen, size)
        results["compare"][name] = bench_compare(gen, size)
        if name == "lesson":
            print("scaling", flush=True)
            results["scaling"] = bench_scaling(gen, size)
    print("training", flush=True)
    results["training"] = bench_training(field_texts(read_source(TRAIN_DATA)), size)
    print("training precision", flush=True)
    results["precision"] = bench_precision(field_texts(read_source(TRAIN_DATA)), size)
    print("app", flush=True)
    results["app"] = bench_app(ROOT, size)
    for name in ("default", "words"):
        print(f"redraw and score: {name}", flush=True)
        results["redraw_and_score"][name] = (bench_redraw_and_score(chargen.load(bundles[name]), size) if name in bundles
                                             else missing(name))
    if "words" in bundles:
        print("words", flush=True)
        results["words"] = bench_words(chargen.load(bundles["words"]), size)
    results["load_average_at_end"] = round(os.getloadavg()[0], 1)
    return results


def run_app(size: dict, mode: str, weights: Path) -> dict:
    """The app alone (``--app``): crowds of API users, a class on the page and, with ``--memory``, memory."""
    results = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "mode": mode,
               "machine": machine(), "weights": str(weights), "app": bench_app(ROOT, size)}
    results["load_average_at_end"] = round(os.getloadavg()[0], 1)
    return results


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smoke run of about a minute")
    p.add_argument("--app", action="store_true",
                   help="only the app (a few minutes): writes serving.md / serving.json, and the README's serving table")
    p.add_argument("--live", action="store_true",
                   help="only live temperature through the page (50 slider moves in chromium) and the 1,000-draw "
                        "(a minute): writes live.md / live.json, and the README's live table")
    p.add_argument("--web", action="store_true",
                   help="only the browser edition: its decoder (web/chargen.mjs) in Node and Chromium beside NumPy's, and "
                        "its page in Chromium (two minutes): writes web.md / web.json, and the README's web tables")
    p.add_argument("--memory", action="store_true",
                   help="also the server's memory over 5,000 API calls (about 4 minutes more)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="directory for the reports")
    p.add_argument("--weights", default=str(bundle.WEIGHTS_DIR),
                   help="directory holding the lesson, default and words bundles (default: the project's weights/)")
    args = p.parse_args(argv)
    mode = "quick" if args.quick else "full"
    size = {**SIZES[mode], "memory": args.memory}
    out, started = Path(args.out), time.time()
    readme = mode == "full" and out == ROOT / "benchmarks" / "results"
    if args.live:
        results = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
                   "live_redraw": live.live_redraw(50 if mode == "full" else 10), "draw_1000": live.draw_1000()}
        results["load_average_at_end"] = round(os.getloadavg()[0], 1)
        write_part(results, out, "live", readme)
        return
    if args.web:
        results = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
                   "web": web.bench_web(15 if mode == "full" else 3),
                   "site": browser_page.bench_site(opens=5 if mode == "full" else 2)}
        results["load_average_at_end"] = round(os.getloadavg()[0], 1)
        write_part(results, out, "web", readme)
        return
    if args.app:
        results = run_app(size, mode, Path(args.weights))
        results["seconds"] = round(time.time() - started)
        write_part(results, out, "serving", readme)
        return
    results = run(size, mode, Path(args.weights))
    results["seconds"] = round(time.time() - started)
    write_reports(results, out)
    if readme:
        write_readme(results)
    print(markdown(results))


if __name__ == "__main__":
    main()
