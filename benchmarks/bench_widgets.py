"""What each explorer costs: the time to build it in a kernel and the bytes it adds to its page.

An explorer draws every state of its controls once (``lossnotes.widgets._frames``); after that, moving a
control in the page only switches which precomputed frame a Stack shows (a ``jslink`` in the browser, no
Python), so the build is the only computing it does. For each explorer this prints the number of frames, the
build time (wall clock and CPU; median of ``--repeat`` builds, the first build of a process also loads
matplotlib's fonts), the time per frame, the widget-state bytes the page embeds and the bytes per frame,
beside the budgets: 5 s per build and 1.5 MB per page. Run: make bench
"""

from __future__ import annotations

import argparse
import statistics
import time

BUILD_BUDGET_S = 5.0
BYTES_BUDGET = 1.5e6


def measure(module, repeat):
    module.explorer()  # warm-up: imports, fonts, the model's cached fits
    walls, cpus = [], []
    for _ in range(repeat):
        if hasattr(module, "model"):
            module.model.cache_clear()  # a fresh kernel fits the models too
        w0, c0 = time.perf_counter(), time.process_time()
        ex = module.explorer()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return ex, statistics.median(walls), statistics.median(cpus)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds per explorer (the median is printed)")
    args = parser.parse_args(argv)

    from lossnotes.widgets import margin, outliers, saturation

    print(
        "explorer build (every frame drawn once) and page bytes; budgets: "
        f"{BUILD_BUDGET_S:.0f} s per build, {BYTES_BUDGET / 1e6:.1f} MB per page\n"
    )
    header = f"  {'explorer':<12}{'frames':>7}{'wall s':>9}{'cpu s':>8}{'ms/frame':>10}{'bytes':>11}{'kB/frame':>10}"
    print(header + f"{'build/budget':>14}{'bytes/budget':>14}")
    for name, module in (("outliers", outliers), ("saturation", saturation), ("margin", margin)):
        ex, wall, cpu = measure(module, args.repeat)
        n, size = len(ex.frames), ex.nbytes()
        print(
            f"  {name:<12}{n:>7}{wall:9.2f}{cpu:8.2f}{1e3 * cpu / n:10.1f}{size:11,d}{size / n / 1e3:10.1f}"
            f"{wall / BUILD_BUDGET_S:14.2f}{size / BYTES_BUDGET:14.2f}"
        )
    print(
        "\nswitching frames in the page: a jslink from the control's index to the Stack's selected_index, run by "
        "the browser (measured by the browser tests)"
    )


if __name__ == "__main__":
    main()
