"""Accuracy and speed of the units and losses, each beside a reference measured in the same run.

(a) Worst error, in units of eps, against a 60-digit mpmath reference on the extreme grid (subnormals to ±max),
    for lossnotes and for the naive textbook formula; and how many finite exact values each turned into inf/nan.
(b) Time of cross_entropy value + gradient on 10^6 x 10 logits, and of huber and binary_cross_entropy
    (value, and value + gradient) on 5 * 10^6 values, as a ratio against a scipy.special-based reference
    (ratio < 1: lossnotes is faster). Best of several repeats.

Run: make bench
"""

from __future__ import annotations

import itertools
import sys
import timeit
from pathlib import Path

import numpy as np
import scipy.special as sc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import reference as R  # noqa: E402

import lossnotes as ln  # noqa: E402
from lossnotes import losses as L  # noqa: E402

GRID = R.extreme_grid()
ROWS = np.array(
    list(
        itertools.product(
            [-R.MAX, -1e300, -800.0, -40.0, -1.0, 0.0, 1e-8, 0.1, 1.0, 40.0, 700.3, 1e300, R.MAX], repeat=3
        )
    )
)


def naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


NAIVE_UNITS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "softplus": lambda z: np.log(1 + np.exp(z)),
    "log_sigmoid": lambda z: np.log(1 / (1 + np.exp(-z))),
}


def worst(got, exact, scales=None):
    exact = np.asarray(exact, dtype=float)
    e = R.err_eps(got, exact, scales)
    lost = int(np.sum(np.isfinite(exact) & ~np.isfinite(got)))
    return float(np.max(e)), lost


def accuracy_rows():
    rows = []
    with np.errstate(all="ignore"):
        for name, naive in NAIVE_UNITS.items():
            exact = [getattr(R, name)(z) for z in GRID]
            rows.append((name, *worst(getattr(ln.units, name)(GRID), exact), *worst(naive(GRID), exact)))
        sm_exact = np.array([R.softmax(r) for r in ROWS])
        rows.append(("softmax", *worst(ln.units.softmax(ROWS), sm_exact), *worst(naive_softmax(ROWS), sm_exact)))
        lsm_exact = np.array([R.log_softmax(r) for r in ROWS])
        rows.append(
            (
                "log_softmax",
                *worst(ln.units.log_softmax(ROWS), lsm_exact),
                *worst(np.log(naive_softmax(ROWS)), lsm_exact),
            )
        )
        lse = [R.logsumexp(r) for r in ROWS]
        lse_v, lse_s = np.array([v for v, _ in lse]), np.array([s for _, s in lse])
        rows.append(
            (
                "logsumexp*",
                *worst(ln.units.logsumexp(ROWS), lse_v, lse_s),
                *worst(np.log(np.exp(ROWS).sum(axis=1)), lse_v, lse_s),
            )
        )

        sub = GRID[::2]
        y, p = (a.ravel() for a in np.meshgrid(sub, sub))
        r = p - y

        def naive_loss(name):
            return {
                "mse": lambda: r**2,
                "mae": lambda: np.abs(r),
                "huber": lambda: np.where(np.abs(r) <= 1, r**2 / 2, np.abs(r) - 0.5),
                "pinball": lambda: np.maximum(0.1 * -r, -0.9 * -r),
                "log_cosh": lambda: np.log(np.cosh(r)),
                "student_t": lambda: np.log(1 + r**2),
                "gaussian_nll": lambda: 0.5 * np.log(2 * np.pi * 1e-3) + r**2 / (2 * 1e-3),
            }[name]()

        for name, params in [
            ("mse", {}),
            ("mae", {}),
            ("huber", {"delta": 1.0}),
            ("pinball", {"tau": 0.1}),
            ("log_cosh", {}),
            ("student_t", {}),
            ("gaussian_nll", {"var": 1e-3}),
        ]:
            ex = [getattr(R, name)(a, b, **params) for a, b in zip(y, p, strict=True)]
            ex, sc_ = (
                (np.array([e[0] for e in ex]), np.array([e[1] for e in ex]))
                if isinstance(ex[0], tuple)
                else (np.array(ex), None)
            )
            label = name + ("*" if sc_ is not None else "")
            rows.append(
                (
                    label,
                    *worst(L.LOSSES[name](y, p, reduction="none", **params), ex, sc_),
                    *worst(naive_loss(name), ex, sc_),
                )
            )

        cy, cp = (a.ravel() for a in np.meshgrid([0.0, 1.0, 2.0, 10.0, 1e4, 1e6], GRID))
        ex = [R.poisson_nll(a, b) for a, b in zip(cy, cp, strict=True)]
        v, s = np.array([e[0] for e in ex]), np.array([e[1] for e in ex])
        naive = np.exp(cp) - cy * cp + sc.gammaln(cy + 1)
        rows.append(("poisson_nll*", *worst(L.poisson_nll(cy, cp, reduction="none"), v, s), *worst(naive, v, s)))

        by, bz = (a.ravel() for a in np.meshgrid([0.0, 1.0, 0.25], GRID))
        ex = [R.binary_cross_entropy(a, b) for a, b in zip(by, bz, strict=True)]
        sg = 1 / (1 + np.exp(-bz))
        naive = -(by * np.log(sg) + (1 - by) * np.log(1 - sg))
        rows.append(
            ("binary_cross_entropy", *worst(L.binary_cross_entropy(by, bz, reduction="none"), ex), *worst(naive, ex))
        )

        labels = np.tile([0, 1, 2], len(ROWS))
        logits = np.repeat(ROWS, 3, axis=0)
        ex = [R.cross_entropy(k, row) for k, row in zip(labels, logits, strict=True)]
        naive = -np.log(naive_softmax(logits)[np.arange(len(labels)), labels])
        rows.append(("cross_entropy", *worst(L.cross_entropy(labels, logits, reduction="none"), ex), *worst(naive, ex)))

        hy, hs = (a.ravel() for a in np.meshgrid([-1.0, 1.0], GRID))
        for name in ("hinge", "squared_hinge"):
            ex = [getattr(R, name)(a, b) for a, b in zip(hy, hs, strict=True)]
            naive = np.maximum(0, 1 - hy * hs) ** (2 if name == "squared_hinge" else 1)
            rows.append((name, *worst(L.LOSSES[name](hy, hs, reduction="none"), ex), *worst(naive, ex)))
    return rows


def best(fn, repeat=5):
    fn()  # warm up
    return min(timeit.repeat(fn, number=1, repeat=repeat))


def speed_rows():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (1_000_000, 10))
    labels = rng.integers(0, 10, 1_000_000)
    rows_idx = np.arange(len(labels))

    def ce_scipy():
        value = sc.logsumexp(z, axis=1) - z[rows_idx, labels]
        grad = sc.softmax(z, axis=1)
        grad[rows_idx, labels] -= 1.0
        return value, grad

    def ce_ours():
        return L.cross_entropy.value_and_grad(labels, z, reduction="none")

    n = 5_000_000
    y, pred = rng.normal(size=n), rng.normal(scale=2, size=n)
    yb, zb = (rng.random(n) < 0.5).astype(float), rng.normal(scale=4, size=n)

    def bce_scipy_value():
        return -(yb * sc.log_expit(zb) + (1 - yb) * sc.log_expit(-zb))

    return [
        ("cross_entropy value+grad, 1e6 x 10", best(ce_ours), best(ce_scipy)),
        ("huber value, 5e6", best(lambda: L.huber(y, pred, reduction="none")), best(lambda: sc.huber(1.0, pred - y))),
        (
            "huber value+grad, 5e6",
            best(lambda: L.huber.value_and_grad(y, pred, reduction="none")),
            best(lambda: (sc.huber(1.0, pred - y), np.clip(pred - y, -1.0, 1.0))),
        ),
        (
            "binary_cross_entropy value, 5e6",
            best(lambda: L.binary_cross_entropy(yb, zb, reduction="none")),
            best(bce_scipy_value),
        ),
        (
            "binary_cross_entropy value+grad, 5e6",
            best(lambda: L.binary_cross_entropy.value_and_grad(yb, zb, reduction="none")),
            best(lambda: (bce_scipy_value(), sc.expit(zb) - yb)),
        ),
    ]


def main():
    print("(a) worst error against mpmath on the extreme grid, in eps (inf/nan = finite exact values lost)")
    print("    * = measured against the largest term as well: the definition subtracts terms of the inputs\n")
    print(f"    {'function':<22}{'lossnotes':>12}{'lost':>6}{'naive':>14}{'lost':>6}")
    for name, ours, lost, naive, nlost in accuracy_rows():
        fmt = lambda v: f"{v:12.2f}" if v < 1e6 else f"{v:12.1e}"  # noqa: E731
        print(f"    {name:<22}{fmt(ours)}{lost:>6}  {fmt(naive)}{nlost:>6}")
    print("\n(b) time, best of 5 (ratio < 1: lossnotes is faster than the scipy.special-based reference)\n")
    print(f"    {'workload':<40}{'lossnotes':>11}{'scipy ref':>11}{'ratio':>8}")
    for name, ours, ref in speed_rows():
        print(f"    {name:<40}{ours * 1e3:9.1f}ms{ref * 1e3:9.1f}ms{ours / ref:8.2f}")


if __name__ == "__main__":
    main()
