"""Accuracy and speed of the units and losses, each beside a reference measured in the same run.

(a) Worst error, in units of eps, against a 60-digit mpmath reference on the extreme grid (subnormals to ±max),
    for lossnotes and for the naive textbook formula; and how many finite exact values each turned into inf/nan.
(b) Time of value + gradient, and of the value alone: cross_entropy on 10^6 x 10 logits, huber and
    binary_cross_entropy on 5 * 10^6 values, against the same losses' two separate calls (which a fused path must
    beat, or it goes), a copy of the input (the floor for the value), and the fastest fair references, all in
    the same process with interleaved repeats (median and range): scipy.special (for cross_entropy the one-pass
    form: log_softmax, then one exp for the gradient) and torch on the CPU when it is importable (it is not a
    dependency; reported as skipped otherwise). Every contender is first checked to compute the same values.

Run: make bench
"""

from __future__ import annotations

import itertools
import sys
import time
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


def _naive_ce(labels, z):
    e = np.exp(z)
    return -np.log(e[np.arange(len(labels)), labels] / e.sum(axis=1))


def _naive_bce(y, z, pos_weight=1.0):
    p = 1 / (1 + np.exp(-z))
    return -(pos_weight * y * np.log(p) + (1 - y) * np.log(1 - p))


# the textbook formula of each loss, for comparison (a loss missing here is printed without one)
NAIVE_LOSSES = {
    "mse": lambda y, p: (p - y) ** 2,
    "mae": lambda y, p: np.abs(p - y),
    "huber": lambda y, p, delta: np.where(
        np.abs(p - y) <= delta, (p - y) ** 2 / 2, delta * (np.abs(p - y) - delta / 2)
    ),
    "pinball": lambda y, p, tau: np.maximum(tau * (y - p), (tau - 1) * (y - p)),
    "log_cosh": lambda y, p: np.log(np.cosh(p - y)),
    "student_t": lambda y, p, nu, scale: (nu + 1) / 2 * np.log(1 + ((p - y) / scale) ** 2 / nu),
    "gaussian_nll": lambda y, p, var: 0.5 * np.log(2 * np.pi * var) + (p - y) ** 2 / (2 * var),
    "poisson_nll": lambda y, p: np.exp(p) - y * p + sc.gammaln(y + 1),
    "binary_cross_entropy": _naive_bce,
    "focal": lambda y, z, gamma: (
        -((1 - np.where(y == 1, 1 / (1 + np.exp(-z)), 1 / (1 + np.exp(z)))) ** gamma)
        * np.log(np.where(y == 1, 1 / (1 + np.exp(-z)), 1 / (1 + np.exp(z))))
    ),
    "cross_entropy": _naive_ce,
    "hinge": lambda y, s: np.maximum(0, 1 - y * s),
    "squared_hinge": lambda y, s: np.maximum(0, 1 - y * s) ** 2,
    "logistic": lambda y, s: np.log(1 + np.exp(-y * s)),
    "exponential": lambda y, s: np.exp(-y * s),
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

        # every registered loss, on the grid of its label set, at its first measured parameter setting
        for name, loss in L.LOSSES.items():
            params = loss.accuracy.grid[0]
            y, p = R.grid(loss.target.name)
            ex = [R.VALUES[name](a, b, **params) for a, b in zip(y, p, strict=True)]
            scaled = isinstance(ex[0], tuple)
            ex, sc_ = (np.array([e[0] for e in ex]), np.array([e[1] for e in ex])) if scaled else (np.array(ex), None)
            label = name + ("*" if scaled else "") + (f" {params}" if params else "")
            naive = NAIVE_LOSSES.get(name)
            theirs = worst(naive(y, p, **params), ex, sc_) if naive else (float("nan"), 0)
            rows.append((label, *worst(loss(y, p, reduction="none", **params), ex, sc_), *theirs))
    return rows


def load_torch():
    """torch on the CPU when it is importable (it is not a dependency of the course), else None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(min(2, torch.get_num_threads()))
    return torch


def interleaved(contenders: dict, repeats: int) -> dict:
    """Time each contender ``repeats`` times, round-robin, in one process: a slow spell of the machine hits all
    of them alike. Returns name -> array of seconds."""
    for fn in contenders.values():
        fn()  # warm up: first-touch page faults, lazy imports, thread pools
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: np.array(t) for name, t in times.items()}


def workloads(torch):
    """Each workload: lossnotes and its references, all computing the elementwise value and the gradient."""
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (1_000_000, 10))
    labels = rng.integers(0, 10, 1_000_000)
    rows_idx = np.arange(len(labels))

    def ce_scipy():
        # the fastest fair NumPy reference: one log_softmax, then one exp of it for the gradient
        ls = sc.log_softmax(z, axis=1)
        value = -ls[rows_idx, labels]
        grad = np.exp(ls, out=ls)
        grad[rows_idx, labels] -= 1.0
        return value, grad

    ce = {
        "lossnotes": lambda: L.cross_entropy.value_and_grad(labels, z, reduction="none"),
        "scipy one-pass": ce_scipy,
    }
    n = 5_000_000
    y, pred = rng.normal(size=n), rng.normal(scale=2, size=n)
    yb, zb = (rng.random(n) < 0.5).astype(float), rng.normal(scale=4, size=n)

    def bce_scipy():
        value = -(yb * sc.log_expit(zb) + (1 - yb) * sc.log_expit(-zb))
        return value, sc.expit(zb) - yb

    hub = {
        "lossnotes": lambda: L.huber.value_and_grad(y, pred, reduction="none"),
        "two calls": lambda: (L.huber(y, pred, reduction="none"), L.huber.grad(y, pred)),
        "scipy": lambda: (sc.huber(1.0, pred - y), np.clip(pred - y, -1.0, 1.0)),
    }
    bce = {
        "lossnotes": lambda: L.binary_cross_entropy.value_and_grad(yb, zb, reduction="none"),
        "two calls": lambda: (L.binary_cross_entropy(yb, zb, reduction="none"), L.binary_cross_entropy.grad(yb, zb)),
        "scipy": bce_scipy,
    }
    ce["two calls"] = lambda: (L.cross_entropy(labels, z, reduction="none"), L.cross_entropy.grad(labels, z))
    # the value alone: no path may be slower than a longer one, and a copy of the input is the floor
    hub_v = {
        "lossnotes": lambda: L.huber(y, pred, reduction="none"),
        "scipy": lambda: sc.huber(1.0, pred - y),
        "40 MB copy": lambda: pred.copy(),
    }
    bce_v = {
        "lossnotes": lambda: L.binary_cross_entropy(yb, zb, reduction="none"),
        "scipy": lambda: -(yb * sc.log_expit(zb) + (1 - yb) * sc.log_expit(-zb)),
    }
    ce_v = {
        "lossnotes": lambda: L.cross_entropy(labels, z, reduction="none"),
        "scipy": lambda: -sc.log_softmax(z, axis=1)[rows_idx, labels],
    }
    if torch is not None:
        F = torch.nn.functional

        def autograd(loss_fn, pred_np, *args):
            pt = torch.from_numpy(pred_np)
            rest = [torch.from_numpy(a) for a in args]

            def run():
                leaf = pt.detach().requires_grad_(True)
                value = loss_fn(leaf, *rest)
                (grad,) = torch.autograd.grad(value, leaf, torch.ones_like(value))
                return value.detach(), grad

            return run

        def one_thread(run):
            # NumPy computes on one thread: torch on one thread as well shows the cost of the algorithm alone
            def run1():
                threads = torch.get_num_threads()
                torch.set_num_threads(1)
                try:
                    return run()
                finally:
                    torch.set_num_threads(threads)

            return run1

        for table, fn, args in (
            (ce, lambda a, b: F.cross_entropy(a, b, reduction="none"), (z, labels)),
            (hub, lambda a, b: F.huber_loss(a, b, reduction="none", delta=1.0), (pred, y)),
            (bce, lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none"), (zb, yb)),
        ):
            table["torch"] = autograd(fn, *args)
            table["torch 1 thread"] = one_thread(autograd(fn, *args))
    return [
        ("cross_entropy value+grad, 1e6 x 10", ce),
        ("huber value+grad, 5e6", hub),
        ("binary_cross_entropy value+grad, 5e6", bce),
        ("cross_entropy value, 1e6 x 10", ce_v),
        ("huber value, 5e6", hub_v),
        ("binary_cross_entropy value, 5e6", bce_v),
    ]


def check_agreement(contenders: dict):
    """The contenders must compute the same thing: values and gradients agree to 1e-10 relative or 1e-14 absolute
    (the references lose relative accuracy on small losses, e.g. log_softmax near 0; mpmath in (a) says who is
    right there)."""
    base = contenders["lossnotes"]()
    for name, fn in contenders.items():
        if "copy" in name:
            continue  # the floor, not a contender
        got = fn()
        pairs = zip(base, got, strict=True) if isinstance(base, tuple) else [(base, got)]
        for want, have in pairs:
            np.testing.assert_allclose(np.asarray(have), want, rtol=1e-10, atol=1e-14, err_msg=name)


def main(repeats=7):
    print("(a) worst error against mpmath on the extreme grid, in eps (inf/nan = finite exact values lost)")
    print("    * = measured against the largest term as well: the definition subtracts terms of the inputs\n")
    print(f"    {'function':<38}{'lossnotes':>12}{'lost':>6}{'naive':>14}{'lost':>6}")
    for name, ours, lost, naive, nlost in accuracy_rows():
        fmt = lambda v: f"{v:12.2f}" if v < 1e6 else f"{v:12.1e}"  # noqa: E731
        print(f"    {name:<38}{fmt(ours)}{lost:>6}  {fmt(naive)}{nlost:>6}")

    torch = load_torch()
    where = "torch: not installed, skipped"
    if torch is not None:
        where = f"torch {torch.__version__} CPU, {torch.get_num_threads()} threads"
    print(f"\n(b) time of value + gradient and of the value, {repeats} interleaved repeats in this process; {where}")
    print("    median [min, max] in ms; ratio = lossnotes median / reference median (< 1: lossnotes is faster)\n")
    for title, contenders in workloads(torch):
        check_agreement(contenders)
        times = interleaved(contenders, repeats)
        ours = np.median(times["lossnotes"])
        print(f"    {title}")
        for name, t in times.items():
            med = np.median(t)
            ratio = "" if name == "lossnotes" else f"   ratio {ours / med:5.2f}"
            print(f"      {name:<16}{med * 1e3:8.1f} [{t.min() * 1e3:7.1f}, {t.max() * 1e3:7.1f}]{ratio}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
