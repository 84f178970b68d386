"""Screenshots of the browser edition's views at a laptop's, a projector's and a phone's size, in English and Dutch.

    python tests/site_screenshots.py OUTDIR [--site SITE] [--locales en,nl-NL]

Builds the site (``python -m chargen site``) unless given one, serves it on loopback, opens each view in Debian's
chromium and writes OUTDIR/{size}-{locale}-{view}.png: the first screen, as a class sees it (a phone's
scrolled to the view's result). Generate is shot as it opens, Compare after the lesson grid is asked for,
Step through after three steps. The README shows docs/browser/laptop-en-generate.png and
projector-nl-NL-compare.png.
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402
from test_app_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS  # noqa: E402
from test_site import ROOT, page_at, static_server  # noqa: E402


def shoot(page, outdir, name, result):
    """The first screen; on a phone, scrolled to the view's result (its controls come first)."""
    page.wait_for_timeout(700)  # the reveal
    if page.viewport_size["width"] < 700:
        page.evaluate("selector => document.querySelector(selector).scrollIntoView({block: 'start'})", result)
    else:
        page.evaluate("scrollTo(0, 0)")
    page.wait_for_timeout(200)
    page.screenshot(path=outdir / f"{name}.png")
    print(outdir / f"{name}.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--site", type=Path, help="a site made by python -m chargen site (default: made here)")
    parser.add_argument("--locales", default="en,nl-NL", help="comma-separated browser locales")
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as made:
        site = args.site or Path(made) / "site"
        if args.site is None:
            subprocess.run([sys.executable, "-m", "chargen", "site", str(site)], cwd=ROOT, check=True)
        with static_server(site) as (url, _), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for locale in args.locales.split(","):
                for size in VIEWPORTS:
                    page = page_at(browser, url, size, locale)
                    stem = f"{size}-{locale}"
                    shoot(page, args.outdir, f"{stem}-generate", "#generate-made-by")
                    page.click("#tab-compare")
                    page.wait_for_selector("#comparison tbody tr")
                    page.click("#grid-button")
                    page.wait_for_selector("#grid tbody tr")
                    shoot(page, args.outdir, f"{stem}-compare", "#comparison")
                    page.click("#tab-step")
                    page.wait_for_selector("#proposals button")
                    for button in ("#greedy-button", "#sample-button", "#proposals button >> nth=0"):
                        page.click(button)
                    shoot(page, args.outdir, f"{stem}-step", "#step-status")
                    page.context.close()
            browser.close()


if __name__ == "__main__":
    main()
