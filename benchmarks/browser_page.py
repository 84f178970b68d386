"""The browser edition's page, its speed (issue 25, point 5): a part of ``python benchmarks/bench.py --web``.

Makes the site (``python -m chargen site``) unless given one, serves it from a local static server and opens it
in headless Chromium (1280x800, default model), each open in a fresh browser context (a cold cache). Measures,
in the page's own clock: the first result on screen after opening (navigation start to the opening text drawn);
Generate clicked to the first piece of text and to the whole 100-character text (the reveal adds its 0.6 s);
a temperature slider move's redraw (its work, and the wait for the next frame); and the bytes the opening downloads.
"""
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402
from test_app_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from test_site import page_at, static_server  # noqa: E402

TARGETS = {"first_result_ms": 2000, "generate_decode_ms": 300, "redraw_ms": 16, "download_mb": 9}

# Click Generate (a new seed each time), then on every frame: the first piece drawn, the text whole.
GENERATE = """async (seed) => {
  const text = document.getElementById("generated-text");
  document.getElementById("seed-input").value = seed;
  const start = performance.now();
  document.getElementById("generate-button").click();
  let first = null;
  await new Promise(done => { const look = () => {
    if (first === null && !text.dataset.complete && text.querySelector(".piece")) first = performance.now() - start;
    if (text.dataset.complete) done(); else requestAnimationFrame(look); }; requestAnimationFrame(look); });
  return {first: first ?? performance.now() - start, whole: performance.now() - start};
}"""
# Move the temperature slider as a drag does; each move: from its input event until the bars at T are redrawn
# (the page redraws on the next frame), and the redraw's own work in that frame (a frame callback queued first
# marks the frame's start).
DRAG = """async (moves) => {
  const range = document.querySelector("#temperature input[type=range]"), bars = document.getElementById("bars-t-chart");
  const latency = [], work = [];
  for (let i = 0; i < moves; i++) {
    const redrawn = new Promise(done => { const seen = new MutationObserver(() => { seen.disconnect(); done(); });
                                          seen.observe(bars, {childList: true, subtree: true}); });
    let frame = null;
    requestAnimationFrame(() => { frame = performance.now(); });
    const start = performance.now();
    range.value = (0.2 + (i % 28) / 10).toFixed(2);
    range.dispatchEvent(new Event("input", {bubbles: true}));
    await redrawn;
    latency.push(performance.now() - start);
    work.push(performance.now() - frame);
  }
  return {latency, work};
}"""
OPENED = """() => ({first: Number(document.body.dataset.ready), bytes: [performance.getEntriesByType("navigation")[0],
  ...performance.getEntriesByType("resource")].reduce((sum, entry) => sum + entry.encodedBodySize, 0)})"""


def measure(site: Path, opens: int, generates: int, moves: int) -> dict:
    first, download, decode, whole, redraw = [], [], [], [], {}
    with static_server(site) as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in range(opens):
            page = page_at(browser, url, "laptop", "en")  # returns once the opening text is drawn
            opened = page.evaluate(OPENED)
            first.append(opened["first"])
            download.append(opened["bytes"])
            if n == opens - 1:  # the last page, warm: Generate and the slider
                for seed in range(generates):
                    times = page.evaluate(GENERATE, str(seed + 1))
                    decode.append(times["first"])
                    whole.append(times["whole"])
                redraw = page.evaluate(DRAG, moves)
            page.context.close()
        version = browser.version
        browser.close()
    p95 = lambda values: statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]  # noqa: E731
    return {"chromium": version, "opens": opens, "generates": generates, "moves": moves,
            "first_result_ms": [statistics.median(first), p95(first)], "download_mb": statistics.median(download) / 1e6,
            "generate_first_ms": [statistics.median(decode), p95(decode)],
            "generate_whole_ms": [statistics.median(whole), p95(whole)],
            "redraw_ms": [statistics.median(redraw["work"]), p95(redraw["work"])],
            "move_to_redrawn_ms": [statistics.median(redraw["latency"]), p95(redraw["latency"])],
            "targets": TARGETS}


def markdown(r: dict) -> str:
    t = r["targets"]
    rows = [("First result on screen after opening the page (cold cache, default model)", r["first_result_ms"],
             f"<= {t['first_result_ms']:,} ms"),
            ("Generate clicked to the first piece of text (length 100; a title may end sooner)", r["generate_first_ms"],
             f"<= {t['generate_decode_ms']} ms of decoding"),
            ("Generate clicked to the whole text (with the 0.6 s reveal)", r["generate_whole_ms"], ""),
            ("Temperature slider move: the redraw's work in its frame", r["redraw_ms"], f"<= {t['redraw_ms']} ms"),
            ("... and from the move to the bars redrawn (the page redraws on the next frame)", r["move_to_redrawn_ms"], "")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"{datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}, {platform.processor() or platform.machine()}"
             f" ({os.cpu_count()} cores), load average {load:.1f} at end; headless Chromium {r['chromium']}, 1280x800, a local "
             f"static server; {r['opens']} cold opens, {r['generates']} Generates and {r['moves']} slider moves.", "",
             "| Measure | p50 ms | p95 ms | Target |", "|---|---:|---:|---|"]
    lines += [f"| {name} | {p50:,.1f} | {p95:,.1f} | {target} |" for name, (p50, p95), target in rows]
    lines += ["", f"Downloaded by opening the page: {r['download_mb']:.1f} MB (target <= {t['download_mb']} MB): the page, "
              "its modules and the default model; another model is fetched when it is chosen."]
    return "\n".join(lines) + "\n"


def bench_site(site: Path | None = None, opens: int = 5) -> dict:
    """The measures on ``site``, or on a site made here by ``python -m chargen site``."""
    with tempfile.TemporaryDirectory() as made:
        if site is None:
            site = Path(made) / "site"
            subprocess.run([sys.executable, "-m", "chargen", "site", str(site)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        return measure(site, opens, generates=10, moves=50)
