r"""Noise models: the assumption about how observations scatter around a prediction.

Each model is a SymPy density :math:`p(y \mid f)` in the target ``y``, the prediction ``f`` (a mean, a
log-rate, a logit, or logits ``z0, z1, z2``) and its parameters. Its negative log-likelihood is, up to a
constant and a positive scale, the loss in :mod:`lossnotes.losses` that the model names: choose the noise
model and the loss follows. ``lossnotes.symbolic.check(model, model.loss)`` tests each pairing numerically, on
sampled inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from . import losses as L
from .units import sigmoid, softmax

__all__ = ["NoiseModel", "MODELS", "get", "y", "f"]

y = sp.Symbol("y", real=True)
f = sp.Symbol("f", real=True)


@dataclass(frozen=True)
class NoiseModel:
    """A noise model and what follows from it.

    ``params`` maps each parameter name to ``(default, low, high)``: its default value and the range that
    ``sample_params`` draws from. ``loss_params`` turns model parameters into the loss's keyword arguments.
    ``target`` and ``pred`` are the SymPy symbols of the observation and the prediction; ``pred_range`` is
    where predictions are drawn when a check needs them.
    """

    name: str
    density: sp.Expr
    loss: L.Loss
    statistic: str
    sampler: Callable
    symbols: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    loss_params: Callable = lambda **p: {}
    target: tuple = (y,)
    pred: tuple = (f,)
    pred_range: tuple = (-3.0, 3.0)
    support: str = "real"
    description: str = ""

    @property
    def defaults(self) -> dict:
        return {k: v[0] for k, v in self.params.items()}

    def sample_params(self, rng) -> dict:
        """Draw each parameter uniformly from its range."""
        return {k: float(rng.uniform(lo, hi)) for k, (_, lo, hi) in self.params.items()}

    def sample(self, pred, rng=None, **params):
        """Draw one observation for each prediction in ``pred`` (logits of shape (n, K) for categorical)."""
        rng = np.random.default_rng(rng)
        unknown = set(params) - set(self.params)
        if unknown:
            raise TypeError(f"{self.name} has no parameter(s) {sorted(unknown)}; it has {list(self.params) or 'none'}")
        pred = np.asarray(pred, dtype=np.float64)
        return self.sampler(pred, rng, **{**self.defaults, **params})

    def __repr__(self):
        return f"<noise model {self.name}: loss {self.loss.name}, minimiser estimates the {self.statistic}>"


def _pos(name):
    return sp.Symbol(name, positive=True)


sigma, b, delta, tau, s, nu, gamma, var = (_pos(n) for n in ("sigma", "b", "delta", "tau", "s", "nu", "gamma", "var"))
r = y - f  # residual as the densities write it


def _huber_sample(pred, rng, delta):
    # Centre |e| <= delta: a standard normal truncated there; tails: delta + Exp(rate delta), either sign.
    from scipy.stats import truncnorm

    z_centre = np.sqrt(2 * np.pi) * (2 * _norm_cdf(delta) - 1)
    z_tails = 2 * np.exp(-(delta**2) / 2) / delta
    centre = rng.random(pred.shape) < z_centre / (z_centre + z_tails)
    e_c = truncnorm.rvs(-delta, delta, size=pred.shape, random_state=rng)
    e_t = (delta + rng.exponential(1 / delta, size=pred.shape)) * rng.choice([-1.0, 1.0], size=pred.shape)
    return pred + np.where(centre, e_c, e_t)


def _norm_cdf(x):
    from scipy.special import ndtr

    return ndtr(x)


def _asym_laplace_sample(pred, rng, tau):
    # P(e < 0) = tau, so pred is the tau-quantile; e > 0 ~ Exp(rate tau), -e ~ Exp(rate 1 - tau).
    below = rng.random(pred.shape) < tau
    up = rng.exponential(1 / tau, size=pred.shape)
    down = -rng.exponential(1 / (1 - tau), size=pred.shape)
    return pred + np.where(below, down, up)


def _sech_sample(pred, rng):
    # density sech(e)/pi has CDF (2/pi) arctan(exp(e)); invert it.
    u = rng.random(pred.shape)
    return pred + np.log(np.tan(np.pi * u / 2))


def _categorical_sample(pred, rng):
    p = softmax(pred, axis=-1)
    c = p.cumsum(axis=-1)
    u = rng.random(pred.shape[:-1] + (1,))
    return np.minimum((u > c).sum(axis=-1), pred.shape[-1] - 1)


z0, z1, z2 = sp.symbols("z0 z1 z2", real=True)
y0, y1, y2 = sp.symbols("y0 y1 y2", nonnegative=True)
_lse = sp.log(sp.exp(z0) + sp.exp(z1) + sp.exp(z2))

_huber_z = sp.sqrt(2 * sp.pi) * sp.erf(delta / sp.sqrt(2)) + 2 * sp.exp(-(delta**2) / 2) / delta

#: Every noise model, by its name.
MODELS: dict[str, NoiseModel] = {
    m.name: m
    for m in (
        NoiseModel(
            "gaussian",
            sp.exp(-(r**2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi)),
            L.mse,
            "mean",
            lambda p, rng, sigma: p + sigma * rng.standard_normal(p.shape),
            symbols={"sigma": sigma},
            params={"sigma": (1.0, 0.3, 3.0)},
            description="thin tails: large errors are very unlikely, so they cost quadratically",
        ),
        NoiseModel(
            "laplace",
            sp.exp(-sp.Abs(r) / b) / (2 * b),
            L.mae,
            "median",
            lambda p, rng, b: p + rng.laplace(0.0, b, p.shape),
            symbols={"b": b},
            params={"b": (1.0, 0.3, 3.0)},
            description="heavy (exponential) tails: errors cost linearly, outliers are shrugged off",
        ),
        NoiseModel(
            "huber",
            sp.Piecewise((sp.exp(-(r**2) / 2), sp.Abs(r) <= delta), (sp.exp(-delta * sp.Abs(r) + delta**2 / 2), True))
            / _huber_z,
            L.huber,
            "Huber M-estimate of location",
            _huber_sample,
            symbols={"delta": delta},
            params={"delta": (1.0, 0.3, 3.0)},
            loss_params=lambda delta: {"delta": delta},
            description="Gaussian centre, Laplace tails, joined at |error| = delta",
        ),
        NoiseModel(
            "asymmetric_laplace",
            tau * (1 - tau) * sp.Piecewise((sp.exp(-tau * r), r >= 0), (sp.exp((1 - tau) * r), True)),
            L.pinball,
            "tau-quantile",
            _asym_laplace_sample,
            symbols={"tau": tau},
            params={"tau": (0.5, 0.05, 0.95)},
            loss_params=lambda tau: {"tau": tau},
            description="a Laplace with different slopes on each side: a fraction tau of the mass lies below f",
        ),
        NoiseModel(
            "hyperbolic_secant",
            1 / (sp.pi * sp.cosh(r)),
            L.log_cosh,
            "log-cosh M-estimate of location",
            lambda p, rng: _sech_sample(p, rng),
            description="Gaussian-like centre, exponential tails, smooth everywhere",
        ),
        NoiseModel(
            "heteroscedastic_gaussian",
            sp.exp(-(r**2) / (2 * var)) / sp.sqrt(2 * sp.pi * var),
            L.gaussian_nll,
            "mean and variance",
            lambda p, rng, var: p + np.sqrt(var) * rng.standard_normal(p.shape),
            symbols={"var": var},
            params={"var": (1.0, 0.05, 5.0)},
            loss_params=lambda var: {"var": var},
            description="a Gaussian whose variance is predicted too: noisy points are trusted less",
        ),
        NoiseModel(
            "student_t",
            sp.gamma((nu + 1) / 2)
            / (sp.gamma(nu / 2) * sp.sqrt(nu * sp.pi) * s)
            * (1 + (r / s) ** 2 / nu) ** (-(nu + 1) / 2),
            L.student_t,
            "mode-seeking M-estimate (redescending)",
            lambda p, rng, nu, s: p + s * rng.standard_t(nu, p.shape),
            symbols={"nu": nu, "s": s},
            params={"nu": (3.0, 1.0, 10.0), "s": (1.0, 0.3, 3.0)},
            loss_params=lambda nu, s: {"nu": nu, "scale": s},
            description="polynomial tails: far outliers are ignored, at the price of a non-convex loss",
        ),
        NoiseModel(
            "cauchy",
            1 / (sp.pi * gamma * (1 + (r / gamma) ** 2)),
            L.student_t,
            "mode-seeking M-estimate (redescending)",
            lambda p, rng, gamma: p + gamma * rng.standard_cauchy(p.shape),
            symbols={"gamma": gamma},
            params={"gamma": (1.0, 0.3, 3.0)},
            loss_params=lambda gamma: {"nu": 1.0, "scale": gamma},
            description="Student-t with one degree of freedom: no mean, no variance, and a loss that stops caring",
        ),
        NoiseModel(
            "poisson",
            sp.exp(y * f - sp.exp(f) - sp.loggamma(y + 1)),
            L.poisson_nll,
            "rate",
            lambda p, rng: rng.poisson(np.exp(p)).astype(np.float64),
            pred_range=(-2.0, 3.0),
            support="counts 0, 1, 2, ...",
            description="counts with rate exp(f): f is the log-rate",
        ),
        NoiseModel(
            "bernoulli",
            (1 / (1 + sp.exp(-f))) ** y * (1 / (1 + sp.exp(f))) ** (1 - y),
            L.binary_cross_entropy,
            "probability",
            lambda p, rng: (rng.random(p.shape) < sigmoid(p)).astype(np.float64),
            pred_range=(-6.0, 6.0),
            support="0 or 1",
            description="a coin with P(y = 1) = sigmoid(f): f is the logit",
        ),
        NoiseModel(
            "bernoulli_margin",
            1 / (1 + sp.exp(-y * f)),
            L.logistic,
            "probability",
            lambda p, rng: np.where(rng.random(p.shape) < sigmoid(p), 1.0, -1.0),
            pred_range=(-6.0, 6.0),
            support="-1 or +1",
            description="the same coin with labels -1 and +1: P(y | f) = sigmoid(y f), f is the log-odds",
        ),
        NoiseModel(
            "categorical",
            sp.exp(y0 * (z0 - _lse) + y1 * (z1 - _lse) + y2 * (z2 - _lse)),
            L.cross_entropy,
            "class probabilities",
            _categorical_sample,
            target=(y0, y1, y2),
            pred=(z0, z1, z2),
            pred_range=(-4.0, 4.0),
            support="one of K classes (here K = 3, one-hot y0, y1, y2)",
            description="a K-sided die with probabilities softmax(z): z are the logits",
        ),
    )
}


def get(name: str) -> NoiseModel:
    """The noise model called ``name``; a ``KeyError`` lists the known names."""
    try:
        return MODELS[name]
    except KeyError:
        raise KeyError(f"no noise model {name!r}; known models: {', '.join(MODELS)}") from None
