"""High-precision references (mpmath, 60 digits) and the error measure the accuracy tests and benchmark share.

The error of a float64 result ``c`` against the exact value ``v`` of the same float64 inputs is
``|c - v| / (eps * s)`` with ``s = max(|v|, smallest normal)``: plain relative error in units of eps, with a
floor so that results in the subnormal range are measured against the subnormal spacing.

Three functions are, by definition, a difference of terms that come from the inputs separately, and near their
zero no float64 evaluation can be relatively accurate: ``logsumexp`` (m + log S with m < 0 < log S),
``gaussian_nll`` (log of a variance below 1/2π against r²/var) and ``poisson_nll`` (e^η − yη + log y!). For
those ``s`` also includes the magnitude of the largest term; the reference says so by returning it.
"""

from __future__ import annotations

import itertools

import mpmath as mp
import numpy as np

mp.mp.dps = 60
EPS = np.finfo(np.float64).eps
TINY = np.finfo(np.float64).tiny
MAX = np.finfo(np.float64).max


def M(x):
    return mp.mpf(float(x))


def to_float(v):
    """Round an mpmath value to float64 (inf past the largest finite double)."""
    return float(v) if abs(v) <= mp.mpf(MAX) else float("inf") * (1 if v > 0 else -1)


def err_eps(computed, exact, scale=None):
    """Error in units of eps (see the module docstring); inf where a finite exact value came out non-finite."""
    computed = np.asarray(computed, dtype=np.float64)
    exact = np.asarray(exact, dtype=np.float64)
    s = np.abs(exact) if scale is None else np.maximum(np.abs(exact), np.asarray(scale, dtype=np.float64))
    s = np.maximum(s, TINY)
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.abs(computed - exact) / (EPS * s)
    both_inf = np.isinf(exact) & (computed == exact)
    return np.where(both_inf, 0.0, np.where(np.isfinite(e), e, np.inf))


# ------------------------------------------------------------------ units (scalar z or a vector)
def sigmoid(z):
    return to_float(1 / (1 + mp.exp(-M(z))))


def softplus(z):
    return to_float(mp.log1p(mp.exp(M(z))))


def log_sigmoid(z):
    return to_float(-mp.log1p(mp.exp(-M(z))))


def _log_s(zs):
    """m and log(sum exp(z - m)) as log1p of the non-maximal terms: 1 + 1e-305 is 1 even at 60 digits."""
    k = max(range(len(zs)), key=lambda i: zs[i])
    m = zs[k]
    return m, mp.log1p(mp.fsum(mp.exp(x - m) for i, x in enumerate(zs) if i != k))


def logsumexp(v):
    """Value and the scale of its largest term, |max z| (the sum m + log S cancels when m < 0)."""
    m, log_s = _log_s([M(x) for x in v])
    return to_float(m + log_s), float(abs(m))


def softmax(v):
    zs = [M(x) for x in v]
    m = max(zs)
    es = [mp.exp(x - m) for x in zs]
    s = mp.fsum(es)
    return [to_float(e / s) for e in es]


def log_softmax(v):
    zs = [M(x) for x in v]
    m, log_s = _log_s(zs)
    return [to_float((x - m) - log_s) for x in zs]  # shifted first: m + log S would lose log S next to 1e308


# ------------------------------------------------------------------ losses (scalar y, pred)
def mse(y, p):
    return to_float((M(p) - M(y)) ** 2)


def mae(y, p):
    return to_float(abs(M(p) - M(y)))


def huber(y, p, delta=1.0):
    a, d = abs(M(p) - M(y)), M(delta)
    return to_float(a * a / 2 if a <= d else d * (a - d / 2))


def pinball(y, p, tau=0.5):
    u, t = M(y) - M(p), M(tau)
    return to_float(max(t * u, (t - 1) * u))


def log_cosh(y, p):
    r = abs(M(p) - M(y))
    if r < mp.mpf("1e-5"):  # the series: log cosh r = r^2/2 - r^4/12 + r^6/45 - ..., no cancellation
        return to_float(r**2 / 2 - r**4 / 12 + r**6 / 45)
    if r < 20:  # cosh r - 1 >= 5e-11 keeps 49 of the 60 digits
        return to_float(mp.log(mp.cosh(r)))
    return to_float(r - mp.log(2) + mp.log1p(mp.exp(-2 * r)))  # far out: no overflow, no cancellation


def student_t(y, p, nu=1.0, scale=1.0):
    t = (M(p) - M(y)) / M(scale)
    return to_float((M(nu) + 1) / 2 * mp.log1p(t * t / M(nu)))


def gaussian_nll(y, p, var=1.0):
    r, v = M(p) - M(y), M(var)
    a, b = mp.log(2 * mp.pi * v) / 2, r * r / v / 2
    return to_float(a + b), to_float(max(abs(a), abs(b)))


def gaussian_kl(y, p, var=1.0, prior_var=1.0):
    """1/2 (v/w - 1 - log(v/w) + (p - y)^2 / w): both terms >= 0, each exact at 60 digits."""
    v, w, r = M(var), M(prior_var), M(p) - M(y)
    return to_float(((v / w - 1 - mp.log(v / w)) + r * r / w) / 2)


def poisson_nll(y, p):
    yy, pp = M(y), M(p)
    terms = [mp.exp(pp), -yy * pp, mp.loggamma(yy + 1)]
    return to_float(mp.fsum(terms)), to_float(max(abs(t) for t in terms))


def binary_cross_entropy(y, z):
    zz, yy = M(z), M(y)
    # softplus(z) - y z as a sum of two non-negative terms: log1p(e^700) - 700 cancels even at 60 digits
    lin = (1 - yy) * zz if zz >= 0 else -yy * zz
    return to_float(lin + mp.log1p(mp.exp(-abs(zz))))


def binary_cross_entropy_weighted(y, z, pos_weight=1.0):
    """w y softplus(-z) + (1 - y) softplus(z): each term non-negative, so no cancellation at 60 digits."""
    zz, yy, w = M(z), M(y), M(pos_weight)
    return to_float(w * yy * mp.log1p(mp.exp(-zz)) + (1 - yy) * mp.log1p(mp.exp(zz)))


def binary_cross_entropy_weighted_grad(y, z, pos_weight=1.0):
    """The gradient, and the scale of its larger term: a difference that vanishes at the minimiser."""
    zz, yy, w = M(z), M(y), M(pos_weight)
    a, b = (1 - yy) / (1 + mp.exp(-zz)), w * yy / (1 + mp.exp(zz))
    return to_float(a - b), to_float(max(a, b))


def logistic(y, s):
    return to_float(mp.log1p(mp.exp(-M(y) * M(s))))


def logistic_grad(y, s):
    return to_float(-M(y) / (1 + mp.exp(M(y) * M(s))))


def exponential(y, s):
    return to_float(mp.exp(-M(y) * M(s)))


def exponential_grad(y, s):
    return to_float(-M(y) * mp.exp(-M(y) * M(s)))


def _focal_parts(y, z, gamma):
    u = M(z) if y == 1 else -M(z)
    p_t = 1 / (1 + mp.exp(-u))
    q_t = 1 / (1 + mp.exp(u))  # 1 - p_t, without cancellation
    log_p_t = -mp.log1p(mp.exp(-u))
    return u, p_t, q_t, log_p_t, M(gamma)


def focal(y, z, gamma=2.0):
    _, p_t, q_t, log_p_t, g = _focal_parts(y, z, gamma)
    return to_float(-(q_t**g) * log_p_t)


def focal_grad(y, z, gamma=2.0):
    """d/dz of -(1 - p_t)^g log p_t, differentiated by hand in u = (2y - 1) z and checked against mp.diff below."""
    _, p_t, q_t, log_p_t, g = _focal_parts(y, z, gamma)
    d_du = -(q_t**g) * (q_t - g * p_t * log_p_t)
    return to_float(d_du if y == 1 else -d_du)


def cross_entropy(label, v):
    return -log_softmax(v)[label]


def cross_entropy_grad(label, v):
    """softmax - onehot, with p_y - 1 written as minus the other probabilities (no cancellation)."""
    p = softmax(v)
    return [p[k] if k != label else -sum(p[j] for j in range(len(p)) if j != label) for k in range(len(p))]


def hinge(y, s):
    return to_float(max(mp.mpf(0), 1 - M(y) * M(s)))


def squared_hinge(y, s):
    return to_float(max(mp.mpf(0), 1 - M(y) * M(s)) ** 2)


# ------------------------------------------------------------------ the extreme grid
def extreme_grid():
    """Finite float64 values from the subnormals to ±max: the places naive formulas fail."""
    mags = [
        0.0,
        5e-324,
        1e-300,
        1e-20,
        1e-8,
        1e-3,
        0.5,
        0.6931471805599453,
        1.0,
        2.0,
        3.999,
        4.0,
        20.0,
        36.7,
        40.0,
        100.0,
        700.0,
        709.78,
        745.2,
        800.0,
        1e5,
        1e15,
        1e154,
        1e200,
        1e300,
        MAX,
    ]
    return np.array(sorted({s * m for m in mags for s in (-1.0, 1.0)}))


# ------------------------------------------------------------------ the registry of references
#: loss name -> the 60-digit value of one element, f(y, pred, **params) (for cross_entropy f(label, row)); a tuple
#: (value, scale) for the losses whose error is measured relative to their largest term
VALUES = {
    "mse": mse,
    "mae": mae,
    "huber": huber,
    "pinball": pinball,
    "log_cosh": log_cosh,
    "student_t": student_t,
    "gaussian_nll": gaussian_nll,
    "poisson_nll": poisson_nll,
    "gaussian_kl": gaussian_kl,
    "binary_cross_entropy": binary_cross_entropy_weighted,
    "focal": focal,
    "cross_entropy": cross_entropy,
    "hinge": hinge,
    "squared_hinge": squared_hinge,
    "logistic": logistic,
    "exponential": exponential,
}

#: loss name -> the 60-digit gradient, for the losses whose Accuracy promises the gradient too
GRADIENTS = {
    "binary_cross_entropy": binary_cross_entropy_weighted_grad,
    "focal": focal_grad,
    "cross_entropy": cross_entropy_grad,
    "logistic": logistic_grad,
    "exponential": exponential_grad,
}


def grid(target):
    """The (y, pred) inputs on which a loss of this target set is measured: the extreme grid against the label
    values that matter. For ``class`` the labels 0, 1, 2 against every 3-class row built from 13 extreme values."""
    g = extreme_grid()
    if target == "real":
        sub = g[::2]  # 26 values, both signs, subnormal to max
        y, p = (a.ravel() for a in np.meshgrid(sub, sub))
        return y, p
    if target == "class":
        values = [-MAX, -1e300, -800.0, -40.0, -1.0, 0.0, 1e-8, 0.1, 1.0, 40.0, 700.3, 1e300, MAX]
        rows = np.array(list(itertools.product(values, repeat=3)))
        labels = np.repeat(np.arange(3), len(rows))
        return labels, np.tile(rows, (3, 1))
    labels = {
        "count": [0.0, 1.0, 2.0, 3.0, 10.0, 100.0, 1e4, 1e6, 1e10, 1e15],
        "probability": [0.0, 1.0, 0.5, 0.25, 0.75, 1e-10, 1 - 1e-10],
        "binary": [0.0, 1.0],
        "sign": [-1.0, 1.0],
    }[target]
    y, p = (a.ravel() for a in np.meshgrid(np.array(labels), g))
    return y, p


def sample(target, rng, n, k=4):
    """n valid labels of a target set (for ``class``: integer labels of k classes), for the gradient tests."""
    return {
        "real": lambda: rng.normal(size=n),
        "count": lambda: rng.poisson(3, n).astype(float),
        "probability": lambda: rng.random(n),
        "binary": lambda: (rng.random(n) < 0.5).astype(float),
        "sign": lambda: np.where(rng.random(n) < 0.5, -1.0, 1.0),
        "class": lambda: rng.integers(0, k, n),
    }[target]()


#: labels outside each target set, with what the error must say about them
INVALID_Y = {
    "real": [],
    "count": [(-1.0, r"counts \(integers >= 0\)"), (2.5, "counts"), (np.nan, "counts")],
    "probability": [(1.5, r"probability in \[0, 1\]"), (-1.0, r"probability in \[0, 1\]")],
    "binary": [(0.5, "0 or 1"), (-1.0, "0 or 1")],
    "sign": [(0.0, r"-1 or \+1"), (2.0, r"-1 or \+1")],
}

#: parameter values each parameter check refuses (by the check's name), with what the error must say
INVALID_PARAMS = {
    "positive": [
        (0.0, "must be > 0 and finite, got 0.0"),
        (-1.0, "must be > 0"),
        (np.inf, "finite"),
        (np.nan, "finite"),
        ([1.0, 2.0], "must be a scalar"),
    ],
    "positive_like_y": [
        (0.0, "must be > 0 and finite"),
        ([1.0, -1.0, 1.0], "got -1.0"),
        ([1.0, 1.0], r"scalar or have the shape of y \(3,\)"),
    ],
    "open_unit": [
        (0.0, "strictly between 0 and 1, got 0.0"),
        (1.0, "strictly between"),
        (1.5, "strictly between"),
        ([0.2, 0.3], "must be a scalar"),
    ],
    "closed_unit": [(1.5, r"must lie in \[0, 1\], got 1.5"), (-0.1, "must lie in")],
    "nonnegative": [(-0.5, "must be >= 0 and finite, got -0.5"), (np.inf, "finite"), ([1.0, 2.0], "scalar")],
    "class_weights": [
        ([1.0, 1.0, 1.0], r"one weight per class, shape \(4,\)"),
        ([1.0, 0.0, 1.0, 1.0], r"\[1\] = 0.0"),
        ([1.0, 1.0, np.inf, 1.0], r"\[2\] = inf"),
    ],
}
