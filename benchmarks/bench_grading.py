"""How long grading takes at class scale: seconds per submission, and the batch's wall time on this machine.

Grades a batch of solved notebooks (every assignment's solution, repeated to --count submissions) with
`exercises/grade.py` as `make grade` runs it, with --jobs workers, and prints the median and 90th percentile of
the seconds per submission (kernel start, the student's cells, the hidden tests) and the wall time per
submission of the whole batch, beside the aim of 5 s per submission on two cores. Needs `make exercises`.

Run: .venv/bin/python benchmarks/bench_grading.py [--count 20] [--jobs 2]   (part of make bench)
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "exercises" / "build"
AIM_S = 5.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    solutions = sorted(BUILD.glob("[0-9][0-9]_*-solution.ipynb"))
    if not solutions:
        print("no exercises/build: run `make exercises` first")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(args.count):
            src = solutions[i % len(solutions)]
            name = src.name.replace("-solution.ipynb", "")
            nbformat.write(nbformat.read(src, as_version=4), folder / f"{name}-{i:03d}.ipynb")
        sys.path.insert(0, str(ROOT / "exercises"))
        import grade

        t0 = time.perf_counter()
        rows, out = grade.grade_folder(folder, BUILD, timeout=120, jobs=args.jobs)
        wall = time.perf_counter() - t0
        with open(out, newline="") as fh:
            graded = list(csv.DictReader(fh))
    seconds = sorted(float(r["seconds"]) for r in graded)
    full = sum(r["score"] == r["max"] for r in graded)
    p90 = seconds[min(len(seconds) - 1, int(0.9 * len(seconds)))]
    print(f"grading {len(graded)} solved notebooks with {args.jobs} worker(s); {full} scored full marks")
    print(f"    per submission: median {statistics.median(seconds):.1f} s, 90th percentile {p90:.1f} s")
    per = wall / len(graded)
    print(f"    batch: {wall:.1f} s wall, {per:.1f} s per submission (aim: {AIM_S:g} s on two cores)")
    return 0 if full == len(graded) else 1


if __name__ == "__main__":
    sys.exit(main())
