"""Live temperature through the page (issue 18): how long a slider move takes to reach the bars, in a browser.

Starts ``python app.py``, opens Generate in Debian's chromium (1280x800) and sets the temperature slider
``drags`` times, as a drag does (the range input's value, then its input event); each time from that event
until the bars at T carry the core's probabilities at the new T (each bar then eases to its height in 0.12 s). Also the 1,000-draw of a step: the
core's ``Distribution.sample`` alone and the page's handler (distribution, draws, charts), in-process.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# Set the slider, then wait (a frame at a time) until every bar at T carries its expected percentage.
DRAG = """async ([value, want]) => {
  const slider = document.querySelector('#temperature input[type=range]');
  const drawn = () => Object.fromEntries([...document.querySelectorAll('#bars-t .bar-fill')].map(b => [b.dataset.token, b.dataset.p]));
  const started = performance.now();
  slider.value = value;
  slider.dispatchEvent(new Event('input', {bubbles: true}));
  while (true) {
    const got = drawn();
    if (Object.keys(want).every(t => got[t] === want[t])) return performance.now() - started;
    if (performance.now() - started > 10000) return null;
    await new Promise(r => requestAnimationFrame(r));
  }
}"""


def expected(out, temperature, words) -> dict:
    """{token: percent as the chart writes it} of step 1's bars at ``temperature``."""
    from views.bars import whole_percent
    from views.common import shown

    step = out.steps[0]
    d = out.distribution(0, temperature=temperature)
    ids = [a.id for a in step.top] + [step.id] * (step.id not in [a.id for a in step.top])
    want = {shown(str(d.tokens[i])): float(d.p[i]) for i in ids}
    want[words["rest"]] = max(0.0, 1 - sum(float(d.p[i]) for i in ids))
    return {token: whole_percent(p) for token, p in want.items()}


def live_redraw(drags: int = 50) -> dict:
    """Median and p95 ms from a slider move to the bars at T drawn, over ``drags`` moves on the default model."""
    from conftest import serve_app
    from playwright.sync_api import sync_playwright
    from test_app_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS

    import chargen
    from views.labels import LABELS

    gen = chargen.load(chargen.shipped_names()[0])
    out = gen.generate("Today ", length=100, temperature=1.0, seed=0, alternatives=5)  # the page's opening text
    temperatures = [round(t, 2) for t in np.tile([0.3, 0.5, 0.8, 1.3, 2.0], drags // 5 + 1)[:drags]]
    with tempfile.TemporaryDirectory() as logs, serve_app(logs) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORTS["laptop"], locale="en")
        page.goto(url)
        page.locator("#bars-t .bar-fill").first.wait_for()
        page.wait_for_timeout(2000)  # the page-open generation has settled
        seconds = [page.evaluate(DRAG, [t, expected(out, t, LABELS["en"])]) for t in temperatures]
        browser.close()
    missed = sum(s is None for s in seconds)
    done = [s for s in seconds if s is not None]
    return {"drags": drags, "missed": missed, "p50_ms": round(statistics.median(done), 1),
            "p95_ms": round(float(np.percentile(done, 95)), 1), "target_ms": 150}


def draw_1000(rounds: int = 200) -> dict:
    """Median ms to draw a step 1,000 times: the core alone, and the page's handler around it."""
    import chargen
    from views.generate import draw_step

    gen = chargen.load(chargen.shipped_names()[0])
    out = gen.generate("Today ", length=100, temperature=0.8, seed=0, stop_at_end=False)
    timings = {"core": [], "page": []}
    for i in range(rounds):
        started = time.perf_counter()
        out.distribution(49).sample(1_000, seed=i)
        timings["core"].append(time.perf_counter() - started)
        started = time.perf_counter()
        draw_step(out, 50, "Sampled", 0.8, 0, 1.0, 0.0, request=None)
        timings["page"].append(time.perf_counter() - started)
    return {f"{name}_ms": round(statistics.median(s) * 1e3, 2) for name, s in timings.items()}


def markdown(results: dict) -> list[str]:
    r, d = results["live_redraw"], results["draw_1000"]
    return [
        "| Measure | p50 ms | p95 ms | Target |", "|---|---:|---:|---|",
        f"| Live temperature: a slider move to the bars at T drawn, through the page in chromium, "
        f"{r['drags']} moves, default model ({r['missed']} missed) | {r['p50_ms']:,} | {r['p95_ms']:,} | < {r['target_ms']} ms |",
        f"| Draw a step 1,000 times: the core (`Distribution.sample`) | {d['core_ms']:,} | | |",
        f"| ... and the page's handler (distribution, draws, three charts) | {d['page_ms']:,} | | |",
    ]
