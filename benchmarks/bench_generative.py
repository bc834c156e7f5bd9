"""Accuracy and speed of the GAN losses of lossnotes.generative, each beside a reference measured in the same run.

(a) Worst error, in units of eps, against a 60-digit mpmath reference on the extreme grid of logits (subnormals to
    ±max), for lossnotes and for the textbook formula through the probability D = sigmoid(z); and how many finite
    exact values each turned into inf/nan. The losses are those of the generator (non-saturating -log D, and
    saturating log(1 - D)) and of the discriminator; the gradients are those of the generator's losses.
(b) Time of the generator's loss and gradient on 10^7 logits against scipy.special's log_expit and expit, the
    fastest fair NumPy reference (the same stable formulas), with interleaved repeats in one process (median and
    range). Every contender is first checked to compute the same values.

Run: make bench
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import mpmath as mp
import numpy as np
import scipy.special as sc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import reference as R  # noqa: E402

from lossnotes import generative as G  # noqa: E402

GRID = R.extreme_grid()


def _sig(z):
    return 1 / (1 + mp.exp(-R.M(z)))


# 60-digit references: the generator's losses and gradients as functions of the logit z
EXACT = {
    "generator_loss": lambda z: R.to_float(mp.log1p(mp.exp(-R.M(z)))),  # -log sigmoid(z)
    "generator_loss saturating": lambda z: R.to_float(-mp.log1p(mp.exp(R.M(z)))),  # log(1 - sigmoid(z))
    "generator_loss_grad": lambda z: R.to_float(-_sig(-z)),  # -(1 - D), without the cancellation of 1 - D
    "generator_loss_grad saturating": lambda z: R.to_float(-_sig(z)),
}


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


NAIVE = {
    "generator_loss": lambda z: -np.log(naive_sigmoid(z)),
    "generator_loss saturating": lambda z: np.log(1 - naive_sigmoid(z)),
    "generator_loss_grad": lambda z: -(1 - naive_sigmoid(z)),
    "generator_loss_grad saturating": lambda z: -naive_sigmoid(z),
}

OURS = {
    "generator_loss": lambda z: G.generator_loss(z, reduction="none"),
    "generator_loss saturating": lambda z: G.generator_loss(z, saturating=True, reduction="none"),
    "generator_loss_grad": lambda z: G.generator_loss_grad(z),
    "generator_loss_grad saturating": lambda z: G.generator_loss_grad(z, saturating=True),
}


def worst(got, exact):
    exact = np.asarray(exact, dtype=float)
    e = R.err_eps(got, exact)
    lost = int(np.sum(np.isfinite(exact) & ~np.isfinite(got)))
    return float(np.max(e)), lost


def accuracy_rows():
    rows = []
    with np.errstate(all="ignore"):
        for name, exact_fn in EXACT.items():
            exact = [exact_fn(z) for z in GRID]
            rows.append((name, *worst(OURS[name](GRID), exact), *worst(NAIVE[name](GRID), exact)))
        # the discriminator: real logits against fake logits, every pair of the grid's points
        real, fake = (a.ravel() for a in np.meshgrid(GRID[::3], GRID[::3]))
        exact = [
            R.to_float(mp.log1p(mp.exp(-R.M(r))) + mp.log1p(mp.exp(R.M(f)))) for r, f in zip(real, fake, strict=True)
        ]
        scale = np.maximum(np.abs(np.array([R.softplus(-r) for r in real])), [R.softplus(f) for f in fake])
        # one real and one fake sample at a time: the loss has no elementwise form (the samples need not pair up)
        ours = np.array([G.discriminator_loss([r], [f], reduction="sum") for r, f in zip(real, fake, strict=True)])
        naive = -np.log(naive_sigmoid(real)) - np.log(1 - naive_sigmoid(fake))
        e_ours, e_naive = R.err_eps(ours, exact, scale), R.err_eps(naive, exact, scale)
        lost = [int(np.sum(np.isfinite(exact) & ~np.isfinite(x))) for x in (ours, naive)]
        rows.append(("discriminator_loss*", float(np.max(e_ours)), lost[0], float(np.max(e_naive)), lost[1]))
    return rows


def interleaved(contenders: dict, repeats: int) -> dict:
    for fn in contenders.values():
        fn()
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: np.array(t) for name, t in times.items()}


def workloads():
    z = np.random.default_rng(0).normal(0, 4, 10_000_000)
    return {
        "non-saturating loss, 10^7 logits": {
            "lossnotes": lambda: G.generator_loss(z, reduction="none"),
            "scipy": lambda: -sc.log_expit(z),
        },
        "non-saturating gradient, 10^7 logits": {
            "lossnotes": lambda: G.generator_loss_grad(z),
            "scipy": lambda: -sc.expit(-z),
        },
        "saturating loss, 10^7 logits": {
            "lossnotes": lambda: G.generator_loss(z, saturating=True, reduction="none"),
            "scipy": lambda: sc.log_expit(-z),
        },
    }


def main(repeats=7):
    print("(a) worst error against mpmath on the extreme grid, in eps (inf/nan = finite exact values lost)")
    print("    * = measured against the largest term as well: the loss adds two terms of the inputs\n")
    print(f"    {'function':<34}{'lossnotes':>12}{'lost':>6}{'naive':>14}{'lost':>6}")
    for name, ours, lost, naive, nlost in accuracy_rows():
        print(f"    {name:<34}{ours:12.3g}{lost:>6}  {naive:12.3g}{nlost:>6}")
    print(f"\n(b) time, {repeats} interleaved repeats in this process; median [min, max] in ms;")
    print("    ratio = lossnotes median / scipy median (< 1: lossnotes is faster)\n")
    for title, contenders in workloads().items():
        values = {name: np.asarray(fn()) for name, fn in contenders.items()}
        ref = values["scipy"]
        for name, v in values.items():
            scale = np.maximum(np.abs(ref), 1.0)
            assert np.all(np.abs(v - ref) <= 8 * np.finfo(float).eps * scale), f"{title}: {name} differs"
        times = interleaved(contenders, repeats)
        base = np.median(times["scipy"])
        print(f"    {title}")
        for name, t in times.items():
            med = np.median(t)
            print(f"      {name:<12}{med * 1e3:8.1f} [{t.min() * 1e3:7.1f}, {t.max() * 1e3:7.1f}]  {med / base:5.2f}")


if __name__ == "__main__":
    main()
