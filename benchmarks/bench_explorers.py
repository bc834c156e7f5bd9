"""How fast each explorer answers in the static page: the time from moving a control to the new picture.

Opens each explorer chapter of the built book (the test copy of `make test`, or `make book`'s) from file:// in
Chromium, offline, moves every control through all its values (the same walk as tests/test_browser.py, which
checks only that every move changes the picture) and prints, per chapter, the number of moves and the median,
90th percentile and slowest time to the new picture, against the budget of 100 ms a reader should not wait past.
Run after `make test` or `make book`: make bench
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

BUDGET_MS = 100


def main() -> int:
    import test_browser as tb
    from playwright.sync_api import sync_playwright

    if not (tb.HTML / "index.html").is_file():
        print(f"no built book at {tb.HTML}: run `make test` or `make book` first")
        return 1
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=tb.chromium_path())
        print(f"explorer response in the static page ({tb.HTML}), budget {BUDGET_MS} ms per move\n")
        print(f"    {'chapter':<34}{'moves':>6}{'median':>9}{'p90':>8}{'slowest':>9}  within budget")
        for docname in sorted(tb.EXPLORER_PAGES):
            reader = tb.open_reader(browser, f"{docname}.html", docname)
            tb.wait_until_drawn(reader)
            times = sorted(s["ms"] for s in tb.cycle_explorer_controls(reader.page)["steps"] if s["ms"] is not None)
            reader.page.context.close()
            if not times:
                print(f"    {docname:<34}  no move changed the picture")
                continue
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            ok = "yes" if times[-1] <= BUDGET_MS else "no"
            med = statistics.median(times)
            print(f"    {docname:<34}{len(times):>6}{med:>7.1f} ms{p90:>6.0f} ms{times[-1]:>7.0f} ms  {ok}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
