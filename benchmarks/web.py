"""The browser decoder beside NumPy's (issue 24), in one run: ``python benchmarks/bench.py --web``.

Exports the shipped models as the browser reads them, then times the same work three ways: the Python core
(NumPy), ``web/chargen.mjs`` in Node and in headless Chromium (the same ``benchmarks/web.mjs`` in both, the
models served by a local static server): 100 tokens at T = 0.8 with a top-5 trace, and one step's whole
distribution redrawn at another T and top-p (a slider move). The three must write the same text.
"""
from __future__ import annotations

import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

MODELS = ("lesson", "default", "words")
LENGTH = 100
TARGETS = {"default_decode_ms": 150, "redraw_ms": 2, "lesson_chars_per_s": 5000}


def numpy_timings(rounds: int) -> dict:
    import chargen

    results = {}
    for name in MODELS:
        gen = chargen.load(name)
        decode = partial(gen.generate, "Today ", temperature=0.8, length=LENGTH, stop_at_end=False)
        for r in range(10):  # as web.mjs warms the JIT up
            decode(seed=1000 + r)
        seconds, characters = [], []
        for r in range(rounds):
            started = time.perf_counter()
            out = decode(seed=r)
            seconds.append(time.perf_counter() - started)
            characters.append(len(out.text))
        out = decode(seed=0)
        redraw = []
        for r in range(5 * rounds):
            started = time.perf_counter()
            out.distribution(LENGTH - 1, temperature=0.3 + (r % 20) / 10, top_p=0.9)
            redraw.append(time.perf_counter() - started)
        ms = statistics.median(seconds) * 1e3
        results[name] = {"decode_ms": ms, "characters": statistics.median(characters),
                         "chars_per_s": statistics.median(characters) / ms * 1e3,
                         "redraw_ms": statistics.median(redraw) * 1e3, "text": out.text}
    return results


def node_timings(models: Path, rounds: int) -> dict:
    run = subprocess.run(["node", str(ROOT / "benchmarks" / "web.mjs"), str(models), str(rounds)], check=True,
                         capture_output=True, text=True)
    return json.loads(run.stdout)


def chromium_timings(site: Path, rounds: int) -> dict:
    from playwright.sync_api import sync_playwright
    from test_app_browser import CHROMIUM, CHROMIUM_ARGS

    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            results = page.evaluate("async (rounds) => (await import('/benchmarks/web.mjs')).measure('/models', rounds)",
                                    rounds)
            results["user_agent"] = page.evaluate("navigator.userAgent")
            browser.close()
    finally:
        server.shutdown()
    return results


def bench_web(rounds: int = 15) -> dict:
    from chargen.web_export import export_bundle

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        sizes = {name: export_bundle(name, site / "models" / name) for name in MODELS}
        for folder in ("web", "benchmarks"):  # the decoder and the timing module, served beside the models
            os.symlink(ROOT / folder, site / folder)
        numpy = numpy_timings(rounds)
        node = node_timings(site / "models", rounds)
        chromium = chromium_timings(site, rounds)
    agent = chromium.pop("user_agent")
    for name in MODELS:
        texts = {numpy[name]["text"], node[name]["text"], chromium[name]["text"]}
        if len(texts) != 1:
            raise AssertionError(f"{name}: the three decoders wrote different texts: {texts}")
    return {"numpy": numpy, "node": node, "chromium": chromium, "chromium_version": agent.split("Chrome/")[-1].split()[0],
            "node_version": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
            "bytes": {name: s["model_json"] + s["weights"] for name, s in sizes.items()}, "rounds": rounds,
            "targets": TARGETS}


def shown(ms: float) -> str:
    """A Chromium time: its clock ticks in 0.1 ms steps, so a median of 0 means under a tick."""
    return "< 0.1" if ms == 0 else f"{ms:.1f}"


def markdown(results: dict) -> list[str]:
    n, node, c = results["numpy"], results["node"], results["chromium"]
    lines = [f"Node {results['node_version']}, Chromium {results['chromium_version']} (headless); medians of "
             f"{results['rounds']} decodings and {5 * results['rounds']} redraws after a warm-up. The three wrote the same "
             "text for the same seed.", "",
             "| Model (download) | 100 tokens: NumPy ms | Node ms | Chromium ms | Chromium ÷ NumPy | Chromium chars/s | "
             "Redraw: NumPy ms | Node ms | Chromium ms | Targets |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    targets = {"lesson": f">= {TARGETS['lesson_chars_per_s']:,} chars/s", "default": f"<= {TARGETS['default_decode_ms']} ms "
               "for 100 chars in Chromium", "words": ""}
    for name in MODELS:
        target = "; ".join(t for t in (targets[name], f"redraw <= {TARGETS['redraw_ms']} ms") if t)
        lines.append(
            f"| {name} ({results['bytes'][name] / 1e6:.1f} MB) | {n[name]['decode_ms']:.1f} | {node[name]['decode_ms']:.1f} | "
            f"{c[name]['decode_ms']:.1f} | {c[name]['decode_ms'] / n[name]['decode_ms']:.1f}x | {c[name]['chars_per_s']:,.0f} | "
            f"{n[name]['redraw_ms']:.3f} | {node[name]['redraw_ms']:.3f} | {shown(c[name]['redraw_ms'])} | {target} |")
    return lines
