r"""Small, explicit fitters shared by the chapters and exercises, driven by any loss's gradient.

A linear model predicts :math:`\hat y = Xw` (or logits :math:`XW` for ``cross_entropy``). Gradient descent
minimises the mean loss plus optional penalties :math:`\tfrac{\lambda_2}{2}\lVert w\rVert^2 + \lambda_1\lVert w\rVert_1`
(MAP with a Gaussian or Laplace prior), using only ``loss.grad``: the chain rule gives
:math:`\nabla_w = X^\top \partial L / \partial \hat y \,/\, n`. Newton's method uses ``loss.hess`` as well.
``max_margin`` solves the soft-margin linear SVM exactly (its dual QP) so its support vectors can be read off.
``line`` fits an intercept and slope to one input by gradient descent on the standardised input with a falling
step size, the loop the chapters would otherwise each write. ``location`` and ``locations`` give the best
constant prediction for a sample (or for each row of a matrix of samples); ``population_minimiser`` the best score
for a classification loss when the positive class has probability eta.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _checks as chk
from .losses import Loss

__all__ = [
    "FitResult",
    "add_intercept",
    "gradient_descent",
    "newton",
    "line",
    "max_margin",
    "location",
    "locations",
    "population_minimiser",
]


@dataclass
class FitResult:
    """Fitted parameters ``w`` (intercept first when one was added) and the objective after each step."""

    w: np.ndarray
    history: list = field(default_factory=list)
    converged: bool = False
    intercept: bool = True

    def predict(self, X):
        """The linear predictor (logits for a multi-class fit) at new inputs ``X``."""
        X = chk.as_float(X, "X")
        return (add_intercept(X) if self.intercept else X) @ self.w


def add_intercept(X):
    """Prepend a column of ones, so that ``w[0]`` is the intercept."""
    X = chk.as_float(X, "X")
    X = X[:, None] if X.ndim == 1 else X
    return np.hstack([np.ones((X.shape[0], 1)), X])


def _design(X, y, fit_intercept):
    X = chk.as_float(X, "X")
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix (n samples, d features), got shape {X.shape}")
    n = np.shape(y)[0] if np.ndim(y) else 0
    if n != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {n} entries; they must match")
    return add_intercept(X) if fit_intercept else X


def _penalty_mask(shape, fit_intercept):
    mask = np.ones(shape)
    if fit_intercept:
        mask[0] = 0.0  # the intercept is not shrunk
    return mask


def gradient_descent(
    loss: Loss, X, y, *, lr=0.1, steps=500, w0=None, l2=0.0, l1=0.0, fit_intercept=True, tol=0.0, **loss_params
):
    """Fit a linear model by (sub)gradient descent on ``mean loss + l2/2 |w|^2 + l1 |w|_1``.

    For a loss of a row of logits (``loss.row_logits``, e.g. ``cross_entropy``) the weights form a (d, K)
    matrix with K = max label + 1 (or ``y``'s columns).
    Stops early once the objective improves by less than ``tol`` (0 runs every step).
    """
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a lossnotes loss such as ln.losses.mse, got {type(loss).__name__}")
    if not (lr > 0 and steps >= 1):
        raise ValueError(f"lr must be > 0 and steps >= 1, got lr={lr!r}, steps={steps!r}")
    A = _design(X, y, fit_intercept)
    n, d = A.shape
    if loss.row_logits:  # one weight column per class
        yk = np.asarray(y)
        k = yk.shape[1] if yk.ndim == 2 else int(np.max(yk)) + 1
        shape = (d, k)
    else:
        shape = (d,)
    w = np.zeros(shape) if w0 is None else chk.as_float(w0, "w0").copy()
    if w.shape != shape:
        raise ValueError(f"w0 must have shape {shape}, got {w.shape}")
    mask = _penalty_mask(shape, fit_intercept)

    def objective(w):
        pen = 0.5 * l2 * np.sum(mask * w * w) + l1 * np.sum(mask * np.abs(w))
        return float(loss(y, A @ w, **loss_params)) + pen

    history = [objective(w)]
    converged = False
    for _ in range(int(steps)):
        g = A.T @ loss.grad(y, A @ w, **loss_params) / n + mask * (l2 * w + l1 * np.sign(w))
        w = w - lr * g
        history.append(objective(w))
        if tol and abs(history[-2] - history[-1]) < tol:
            converged = True
            break
    return FitResult(w, history, converged, fit_intercept)


def newton(loss: Loss, X, y, *, steps=25, l2=0.0, fit_intercept=True, tol=1e-12, **loss_params):
    r"""Newton's method for a smooth loss of a scalar prediction: :math:`w \leftarrow w - H^{-1}\nabla`,
    :math:`H = X^\top \operatorname{diag}(L'') X / n + \lambda_2 I`. For ``binary_cross_entropy`` this is IRLS."""
    if not loss.has_hess:
        raise ValueError(f"newton needs a loss with a second derivative; {loss.name} has none (use gradient_descent)")
    A = _design(X, y, fit_intercept)
    n, d = A.shape
    w = np.zeros(d)
    mask = _penalty_mask((d,), fit_intercept)
    history = [float(loss(y, A @ w, **loss_params)) + 0.5 * l2 * np.sum(mask * w * w)]
    converged = False
    for _ in range(int(steps)):
        z = A @ w
        g = A.T @ loss.grad(y, z, **loss_params) / n + l2 * mask * w
        H = (A * loss.hess(y, z, **loss_params)[:, None]).T @ A / n + l2 * np.diag(mask)
        w = w - np.linalg.solve(H, g)
        history.append(float(loss(y, A @ w, **loss_params)) + 0.5 * l2 * np.sum(mask * w * w))
        if abs(history[-2] - history[-1]) < tol:
            converged = True
            break
    return FitResult(w, history, converged, fit_intercept)


def line(loss: Loss, x, y, *, schedule=(0.5, 0.05, 0.005), steps=400, **loss_params):
    """Intercept and slope of the line ``a + b x`` that minimises the mean loss, by gradient descent.

    The input is standardised first (so one step size suits every data set), and the descent runs ``steps``
    steps at each step size of ``schedule`` in turn, each from where the last stopped; the result is mapped back
    to the original units. Returns ``(intercept, slope)``.
    """
    x = chk.as_float(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be one input per observation, shape (n,), got {x.shape}")
    centre, spread = float(np.mean(x)), float(np.std(x))
    if not spread > 0:
        raise ValueError("x must take at least two different values to fit a slope")
    u, w = (x - centre) / spread, np.zeros(2)
    for lr in schedule:
        w = gradient_descent(loss, u, y, lr=lr, steps=steps, w0=w, **loss_params).w
    return float(w[0] - w[1] * centre / spread), float(w[1] / spread)


@dataclass
class MarginResult:
    """A linear max-margin classifier ``sign(X @ w + b)``; ``support`` indexes the points with alpha > 0;
    ``gap`` is the relative duality gap that certifies the solution."""

    w: np.ndarray
    b: float
    alpha: np.ndarray
    support: np.ndarray
    gap: float = 0.0

    def decision(self, X):
        return chk.as_float(X, "X") @ self.w + self.b


def _best_intercept(X, y, w, C):
    """The b that minimises the primal for fixed w: a convex piecewise-linear function whose minimum is at a kink."""
    s = X @ w
    kinks = np.unique(y - s)  # y_i (s_i + b) = 1  <=>  b = y_i - s_i
    costs = [C * np.maximum(0.0, 1.0 - y * (s + b)).sum() for b in kinks]
    lo = np.flatnonzero(np.isclose(costs, min(costs), rtol=1e-12, atol=1e-12))
    return float(0.5 * (kinks[lo[0]] + kinks[lo[-1]]))  # the middle of a flat bottom


def max_margin(X, y, *, C=1.0, tol=1e-9):
    r"""Soft-margin linear SVM: minimise :math:`\tfrac12\lVert w\rVert^2 + C\sum_i \max(0, 1 - y_i(w^\top x_i + b))`.

    Solved through its dual, :math:`\max_\alpha \sum\alpha_i - \tfrac12\sum_{ij}\alpha_i\alpha_j y_i y_j x_i^\top x_j`
    with :math:`0 \le \alpha_i \le C`, :math:`\sum_i \alpha_i y_i = 0`; then :math:`w = \sum_i \alpha_i y_i x_i` and
    ``b`` minimises the primal for that ``w``. Only points with :math:`\alpha_i > 0` (on or inside the margin)
    shape :math:`w`: the support vectors. The solution is certified by its duality gap (primal minus dual
    objective, relative to the primal), which must fall below ``tol``; otherwise ``RuntimeError``.
    """
    from scipy.optimize import Bounds, LinearConstraint, minimize

    X = chk.as_float(X, "X")
    y = chk.as_float(y, "y")
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got X {X.shape} and y {y.shape}")
    if np.any((y != 1) & (y != -1)):
        raise ValueError("y must hold labels -1 and +1 for max_margin")
    if not (np.any(y == 1) and np.any(y == -1)):
        raise ValueError("y must contain both classes, -1 and +1, for max_margin")
    C = chk.positive(C, "C")
    Yx = y[:, None] * X
    Q = Yx @ Yx.T

    def dual(a):
        return 0.5 * a @ Q @ a - a.sum()

    def jac(a):
        return Q @ a - 1.0

    def certify(a):
        if np.any(a < -1e-9 * C) or np.any(a > C * (1 + 1e-9)) or abs(a @ y) > 1e-9 * C * len(y):
            return a, None, None, np.inf  # not dual-feasible: its objective bounds nothing
        a = np.clip(a, 0.0, C)
        a = np.where(a > 1e-10 * C, a, 0.0)
        w = a @ Yx
        b = _best_intercept(X, y, w, C)
        primal = 0.5 * w @ w + C * np.maximum(0.0, 1.0 - y * (X @ w + b)).sum()
        gap = (primal + dual(a)) / max(1.0, abs(primal))
        return a, w, b, gap

    def polish(a):
        """Active-set polish: keep alpha at 0 or C where it is there, and solve the KKT equations
        (Q alpha)_i + y_i b = 1 on the free points, sum alpha_i y_i = 0, exactly for the free alpha and b."""
        free = (a > 1e-6 * C) & (a < C * (1 - 1e-6))
        out = np.where(a >= C * (1 - 1e-6), C, 0.0)
        if free.any():
            f, k = np.flatnonzero(free), int(free.sum())
            A = np.zeros((k + 1, k + 1))
            A[:k, :k] = Q[np.ix_(f, f)]
            A[:k, k] = y[f]
            A[k, :k] = y[f]
            rhs = np.r_[1.0 - Q[f] @ out, -(y @ out)]
            out[f] = np.linalg.lstsq(A, rhs, rcond=None)[0][:k]
        return out

    def best_of(a):
        return min((certify(a), certify(polish(a))), key=lambda c: c[3])

    res = minimize(
        dual,
        np.zeros(len(y)),
        jac=jac,
        bounds=[(0.0, C)] * len(y),
        constraints=[{"type": "eq", "fun": lambda a: a @ y, "jac": lambda a: y}],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 2000},
    )
    alpha, w, b, gap = best_of(res.x)
    if not gap <= tol:  # SLSQP stalled: polish with an interior-point method from where it stopped
        res = minimize(
            dual,
            np.clip(res.x, 0.0, C),
            jac=jac,
            hess=lambda a: Q,
            bounds=Bounds(0.0, C),
            constraints=[LinearConstraint(y[None, :], 0.0, 0.0)],
            method="trust-constr",
            options={"gtol": 1e-12, "xtol": 1e-14, "maxiter": 5000},
        )
        alpha, w, b, gap = best_of(res.x)
    if not gap <= tol:
        raise RuntimeError(f"max_margin did not converge: relative duality gap {gap:.2e} > tol {tol:g} (C={C})")
    return MarginResult(w, b, alpha, np.flatnonzero(alpha > 0), float(gap))


def location(loss: Loss, y, **loss_params):
    """The constant prediction that minimises the mean loss over the sample ``y`` (a 1-D search).

    For ``mse`` this is the sample mean, for ``mae`` a median, for ``pinball`` the tau-quantile.
    """
    from scipy.optimize import minimize_scalar

    y = chk.as_float(y, "y").ravel()
    if y.size == 0:
        raise ValueError("y is empty: there is nothing to locate")
    lo, hi = float(y.min()), float(y.max())
    if lo == hi:
        return lo

    def objective(c):
        return float(loss(y, np.full_like(y, c), **loss_params))

    res = minimize_scalar(
        objective, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12 * max(1.0, abs(lo), abs(hi))}
    )
    # A bounded 1-D search stops at a relative precision of about sqrt(eps). Polish it: Newton steps where the
    # loss has a second derivative; piecewise-linear losses (mae, pinball) have their minimum at a data point,
    # so try the neighbouring data points.
    c = float(res.x)

    def slope(c):
        return float(np.mean(loss.grad(y, np.full_like(y, c), **loss_params)))

    if loss.has_hess:
        # Newton steps on the mean gradient: near the minimum the objective is flat to rounding, so a step is
        # judged by the gradient it leaves, which still resolves the minimiser to a few ulp
        for _ in range(4):
            h = float(np.mean(loss.hess(y, np.full_like(y, c), **loss_params)))
            if h > 0:
                step = c - slope(c) / h
                c = step if abs(slope(step)) <= abs(slope(c)) else c
    ys = np.sort(y)
    i = int(np.searchsorted(ys, c))
    candidates = [c] + [float(ys[j]) for j in (i - 1, i) if 0 <= j < len(ys)]
    return min(candidates, key=objective)


def locations(loss: Loss, Y, *, iterations=60, **loss_params):
    """Row by row, the constant whose mean gradient is zero: for a convex loss, the best constant prediction of
    each row of ``Y`` (n samples of m values each), all rows at once by bisection (``iterations`` halvings of each
    row's range)."""
    Y = chk.as_float(Y, "Y")
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise ValueError(f"Y must be a matrix with one sample per row, got shape {Y.shape}")
    lo, hi = Y.min(axis=1, keepdims=True), Y.max(axis=1, keepdims=True)
    for _ in range(int(iterations)):
        mid = (lo + hi) / 2
        up = np.mean(loss.grad(Y, np.broadcast_to(mid, Y.shape).copy(), **loss_params), axis=1, keepdims=True) > 0
        lo, hi = np.where(up, lo, mid), np.where(up, mid, hi)
    return ((lo + hi) / 2)[:, 0]


def population_minimiser(loss: Loss, eta, *, bounds=(-6.0, 6.0), **loss_params):
    """The score ``s`` that minimises the expected loss ``eta L(+, s) + (1 - eta) L(-, s)`` of a binary loss,
    where the positive class has probability ``eta`` (labels +1/-1, or 1/0 for losses of a logit).

    A grid search over ``bounds`` first (the hinge is minimised on a whole interval at eta = 1/2, and no local
    search is safe there), then a bounded 1-D refinement around the best grid point.
    """
    from scipy.optimize import minimize_scalar

    if loss.target.name not in ("sign", "binary", "probability"):
        raise ValueError(f"population_minimiser needs a loss of two classes; {loss.name} takes {loss.target.name}")
    eta = float(eta)
    if not 0.0 <= eta <= 1.0:
        raise ValueError(f"eta must be a probability in [0, 1], got {eta!r}")
    up, down = (1.0, -1.0) if loss.target.name == "sign" else (1.0, 0.0)
    grid = np.linspace(*bounds, 12001)

    def risk(s):
        s = np.atleast_1d(np.asarray(s, dtype=np.float64))
        pos = loss(np.full_like(s, up), s, reduction="none", **loss_params)
        neg = loss(np.full_like(s, down), s, reduction="none", **loss_params)
        return eta * pos + (1 - eta) * neg

    s0 = float(grid[np.argmin(risk(grid))])
    step = grid[1] - grid[0]
    res = minimize_scalar(
        lambda s: float(risk(s)[0]), bounds=(s0 - step, s0 + step), method="bounded", options={"xatol": 1e-12}
    )
    return float(res.x) if risk(res.x)[0] <= risk(s0)[0] else s0
