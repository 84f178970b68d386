"""Screenshots of every view at a laptop's, a projector's and a phone's size, in English and Dutch.

    python tests/screenshots.py OUTDIR [--locales en,nl-NL]

Starts ``python app.py`` on a free loopback port, opens each view in Debian's chromium, waits for
what the view draws, and writes OUTDIR/{size}-{locale}-{view}.png (the first screen, as a class
sees it; ``-full`` for the whole page). README's pictures are docs/generate.png,
docs/compare.png (its -full), docs/score.png, docs/live-bars.png and docs/draws.png: the laptop-en ones,
saved at three quarters of their size. Generate is also
shot with its bars at T = 0.5 and top-k 3 (``-generate-live``) and drawn 1,000 times (``-generate-draws``).
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conftest import serve_app  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from test_app_browser import CHROMIUM, CHROMIUM_ARGS, TABS, VIEWPORTS, open_samplers, open_tab, set_number  # noqa: E402

# What each view draws once it is ready.
READY = {"tab_generate": "#bars-t .bar-fill", "tab_compare": "#comparison tbody tr",
         "tab_step": "#proposals button:visible", "tab_sweep": "#sweep-probabilities .mark-line path",
         "tab_score": "#scored-b .token .text", "tab_about": "#card li"}


def shoot_live_bars(page, locale, stem):
    """Generate with its bars at T = 0.5 and top-k 3 (``-live``), then that step drawn 1,000 times (``-draws``)."""
    open_tab(page, "tab_generate", locale)
    open_samplers(page, "generate")
    set_number(page, "generate-sampler-top-k", 3)
    set_number(page, "temperature", 0.5)
    page.wait_for_timeout(1500)
    page.evaluate("scrollTo(0, 0)")
    page.screenshot(path=f"{stem}-live.png")
    page.locator("#draw-button").click()
    page.locator("#bars-drawn .bar-fill").first.wait_for()
    page.wait_for_timeout(1500)
    page.locator("#generated").scroll_into_view_if_needed()
    page.screenshot(path=f"{stem}-draws.png")
    print(f"{stem}-live.png", f"{stem}-draws.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--locales", default="en,nl-NL", help="comma-separated browser locales")
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as logs, serve_app(logs) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for locale in args.locales.split(","):
            for size, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, locale=locale, is_mobile=size == "phone",
                                              has_touch=size == "phone")
                page = context.new_page()
                page.goto(url)
                page.locator(READY["tab_generate"]).first.wait_for()  # the page opens on a generation
                for tab in TABS:
                    open_tab(page, tab, locale)
                    page.locator(READY[tab]).first.wait_for()
                    page.wait_for_timeout(1500)  # the reveal, and the plots' redraw
                    name = f"{size}-{locale}-{tab.removeprefix('tab_')}"
                    page.screenshot(path=args.outdir / f"{name}.png")
                    page.screenshot(path=args.outdir / f"{name}-full.png", full_page=True)
                    print(args.outdir / f"{name}.png")
                shoot_live_bars(page, locale, args.outdir / f"{size}-{locale}-generate")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
