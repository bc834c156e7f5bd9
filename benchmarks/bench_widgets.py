"""How long each explorer takes to respond to a slider: recompute + redraw + encode the PNG the widget shows.

For each explorer, ``update`` is called over a sweep of slider values (after one warm-up call) and the median
and 90th percentile are printed beside the 50 ms budget. Run: make bench
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import lossnotes as ln

BUDGET_MS = 50.0


def sweep(explorer, calls):
    explorer.update(**calls[0])
    times = []
    for kw in calls:
        t0 = time.perf_counter()
        png = explorer.update(**kw)
        times.append((time.perf_counter() - t0) * 1e3)
        assert png[:4] == b"\x89PNG"
    return times


def main():
    cases = [
        (
            "noise explorer (move the outlier)",
            ln.widgets.noise.NoiseExplorer(),
            [
                {"loss": name, "outlier": float(h)}
                for name in ("mse", "mae", "huber", "cauchy")
                for h in np.linspace(0, 40, 10)
            ],
        ),
        (
            "saturation explorer (move the logit)",
            ln.widgets.saturation.SaturationExplorer(),
            [{"unit": unit, "z": float(z)} for unit in ("sigmoid", "softmax") for z in np.linspace(-12, 12, 20)],
        ),
        (
            "margin explorer (move the point)",
            ln.widgets.margin.MarginExplorer(),
            [{"t": float(t)} for t in np.linspace(0, 1, 40)],
        ),
    ]
    print(f"explorer update time (recompute + redraw + PNG), budget {BUDGET_MS:.0f} ms\n")
    print(f"  {'explorer':<40}{'calls':>6}{'median':>10}{'p90':>10}{'median/budget':>15}")
    for name, explorer, calls in cases:
        t = sweep(explorer, calls)
        med, p90 = statistics.median(t), float(np.percentile(t, 90))
        print(f"  {name:<40}{len(t):>6}{med:8.1f}ms{p90:8.1f}ms{med / BUDGET_MS:15.2f}")


if __name__ == "__main__":
    main()
