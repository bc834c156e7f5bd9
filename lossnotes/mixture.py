r"""A small mixture density network for a scalar input and a scalar target, trained with NumPy gradients.

One hidden layer of ``tanh`` units maps :math:`x` to :math:`3K` numbers: the mixture logits :math:`a_k`, the means
:math:`\mu_k` and the log-scales :math:`s_k` of :math:`K` Gaussian components,

.. math::  p(y \mid x) = \sum_{k=1}^K \pi_k(x)\, \mathcal N\!\big(y;\ \mu_k(x),\ e^{2 s_k(x)}\big),
           \qquad \pi(x) = \mathrm{softmax}(a(x)).

The loss is the negative log-likelihood, computed in log space,
:math:`-\log p(y\mid x) = -\operatorname{logsumexp}_k\big(\log\pi_k + \log\mathcal N_k\big)`, so that no component
density is ever exponentiated on its own. With the responsibilities
:math:`\gamma_k = \mathrm{softmax}_k(\log\pi_k + \log\mathcal N_k)` (the posterior probability that component
:math:`k` produced :math:`y`) and the standardised residuals :math:`t_k = (y - \mu_k) e^{-s_k}`, the gradients of the
per-point NLL with respect to the three heads are

.. math::  \frac{\partial}{\partial a_k} = \pi_k - \gamma_k, \qquad
           \frac{\partial}{\partial \mu_k} = -\gamma_k\, t_k\, e^{-s_k}, \qquad
           \frac{\partial}{\partial s_k} = \gamma_k\,(1 - t_k^2),

and ordinary backpropagation carries them through the hidden layer. Parameters are a dict of arrays:
``W1`` (H,), ``b1`` (H,), ``W2`` (H, 3K), ``b2`` (3K,); the output columns are ``[logits | means | log-scales]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _checks as chk
from ._numerics import gaussian_nll as _gauss_nll
from .units import log_softmax, logsumexp, softmax

__all__ = ["init_params", "forward", "nll", "value_and_grad", "train", "MixtureFit"]

KEYS = ("W1", "b1", "W2", "b2")


def _xy(x, y=None):
    x = chk.as_float(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D array of inputs, got shape {x.shape}")
    if y is None:
        return x
    y = chk.as_float(y, "y")
    chk.same_shape(y, x)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    return x, y


def _k(params) -> int:
    missing = [key for key in KEYS if key not in params]
    if missing:
        raise ValueError(f"params must hold {KEYS}; missing {missing}")
    out = np.shape(params["b2"])[0]
    if out % 3:
        raise ValueError(f"b2 must have 3K entries (logits, means, log-scales), got {out}")
    return out // 3


def init_params(K=3, hidden=20, *, rng=0, x_scale=1.0, y_init=None):
    """Random initial parameters for ``K`` components and ``hidden`` tanh units.

    ``x_scale`` is the typical size of the inputs (the first layer is scaled so that the tanh units spread over
    it). If ``y_init`` (a sample of targets) is given, the component means start at its quantiles and the
    log-scales at the log of its spread, which keeps the first steps of training well behaved.
    """
    if not (int(K) == K and K >= 1 and int(hidden) == hidden and hidden >= 1):
        raise ValueError(f"K and hidden must be positive integers, got K={K!r}, hidden={hidden!r}")
    K, hidden = int(K), int(hidden)
    rng = np.random.default_rng(rng)
    params = {
        "W1": rng.normal(0.0, 2.0 / x_scale, hidden),
        "b1": rng.normal(0.0, 1.0, hidden),
        "W2": rng.normal(0.0, 0.3 / np.sqrt(hidden), (hidden, 3 * K)),
        "b2": np.zeros(3 * K),
    }
    if y_init is not None:
        yy = chk.as_float(y_init, "y_init").ravel()
        params["b2"][K : 2 * K] = np.quantile(yy, (np.arange(K) + 0.5) / K)
        params["b2"][2 * K :] = np.log(np.std(yy) / K + 1e-12)
    return params


def _heads(out, K):
    return out[:, :K], out[:, K : 2 * K], out[:, 2 * K :]


def forward(params, x):
    """Mixture parameters at each input: ``(log_pi, mu, log_sigma)``, each of shape (n, K)."""
    x = _xy(x)
    K = _k(params)
    h = np.tanh(np.outer(x, params["W1"]) + params["b1"])
    a, mu, s = _heads(h @ params["W2"] + params["b2"], K)
    return log_softmax(a, axis=1), mu, s


def _joint(log_pi, mu, s, y):
    """``log pi_k + log N(y; mu_k, exp(2 s_k))`` (n, K) and the standardised residuals ``t`` (n, K)."""
    t = (y[:, None] - mu) * np.exp(-s)
    return log_pi - _gauss_nll(t * t, 2.0 * s), t


def nll(params, x, y, *, reduction="mean"):
    r"""Negative log-likelihood :math:`-\log p(y \mid x)` of the mixture, per point or reduced."""
    how = chk.reduction(reduction)
    x, y = _xy(x, y)
    log_pi, mu, s = forward(params, x)
    joint, _ = _joint(log_pi, mu, s, y)
    return chk.reduce(-logsumexp(joint, axis=1), how)


def value_and_grad(params, x, y):
    """Mean NLL over the sample and its gradient with respect to every parameter (a dict like ``params``)."""
    x, y = _xy(x, y)
    K = _k(params)
    n = x.shape[0]
    pre = np.outer(x, params["W1"]) + params["b1"]
    h = np.tanh(pre)
    a, mu, s = _heads(h @ params["W2"] + params["b2"], K)
    log_pi = log_softmax(a, axis=1)
    joint, t = _joint(log_pi, mu, s, y)
    value = float(np.mean(-logsumexp(joint, axis=1)))
    gamma = softmax(joint, axis=1)  # responsibilities
    d_out = np.hstack([np.exp(log_pi) - gamma, -gamma * t * np.exp(-s), gamma * (1.0 - t * t)]) / n
    d_h = d_out @ params["W2"].T
    d_pre = d_h * (1.0 - h * h)
    grads = {
        "W1": d_pre.T @ x,
        "b1": d_pre.sum(axis=0),
        "W2": h.T @ d_out,
        "b2": d_out.sum(axis=0),
    }
    return value, grads


@dataclass
class MixtureFit:
    """A trained mixture density network: ``params`` and the mean training NLL after each step."""

    params: dict
    history: list = field(default_factory=list)

    @property
    def K(self) -> int:
        return _k(self.params)

    def mixture(self, x):
        """``(pi, mu, sigma)`` at each input, each of shape (n, K)."""
        log_pi, mu, s = forward(self.params, x)
        return np.exp(log_pi), mu, np.exp(s)

    def nll(self, x, y, *, reduction="mean"):
        return nll(self.params, x, y, reduction=reduction)

    def density(self, x, y_grid):
        """The predictive density on a grid: shape (len(x), len(y_grid))."""
        log_pi, mu, s = forward(self.params, x)
        g = chk.as_float(y_grid, "y_grid").ravel()
        t = (g[None, :, None] - mu[:, None, :]) * np.exp(-s[:, None, :])
        logp = logsumexp(log_pi[:, None, :] - _gauss_nll(t * t, 2.0 * s[:, None, :]), axis=2)
        return np.exp(logp)

    def mean(self, x):
        """The mean of the predictive mixture, :math:`\\sum_k \\pi_k \\mu_k`: what MSE regression estimates."""
        pi, mu, _ = self.mixture(x)
        return np.sum(pi * mu, axis=1)

    def sample(self, x, rng=None):
        """One draw of ``y`` at each input: pick a component with probability ``pi``, then draw from it."""
        rng = np.random.default_rng(rng)
        pi, mu, sigma = self.mixture(x)
        k = (rng.random((pi.shape[0], 1)) > np.cumsum(pi, axis=1)).sum(axis=1)
        k = np.minimum(k, pi.shape[1] - 1)
        rows = np.arange(pi.shape[0])
        return mu[rows, k] + sigma[rows, k] * rng.standard_normal(pi.shape[0])


def train(x, y, *, K=3, hidden=20, steps=2000, lr=0.01, seed=0, params=None):
    """Fit a mixture density network by full-batch Adam on the mean NLL. Deterministic for a given ``seed``.

    Returns a :class:`MixtureFit`; ``history[i]`` is the mean training NLL before step ``i`` (and after the last).
    """
    x, y = _xy(x, y)
    if not (lr > 0 and int(steps) == steps and steps >= 1):
        raise ValueError(f"lr must be > 0 and steps a positive integer, got lr={lr!r}, steps={steps!r}")
    if params is None:
        params = init_params(K, hidden, rng=seed, x_scale=float(np.std(x)) + 1e-12, y_init=y)
    else:
        _k(params)
    params = {key: np.array(params[key], dtype=np.float64) for key in KEYS}
    m = {key: np.zeros_like(v) for key, v in params.items()}
    v2 = {key: np.zeros_like(v) for key, v in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    history = []
    for i in range(1, int(steps) + 1):
        value, g = value_and_grad(params, x, y)
        history.append(value)
        for key in KEYS:
            m[key] = beta1 * m[key] + (1 - beta1) * g[key]
            v2[key] = beta2 * v2[key] + (1 - beta2) * g[key] ** 2
            step = lr * (m[key] / (1 - beta1**i)) / (np.sqrt(v2[key] / (1 - beta2**i)) + eps)
            params[key] = params[key] - step
    history.append(nll(params, x, y))
    return MixtureFit(params, history)
