r"""Losses of a real-valued prediction: squared and absolute error, Huber, pinball, log-cosh, Student-t, the
Gaussian negative log-likelihood with a given variance, and the Poisson negative log-likelihood of a count."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from .._numerics import LOG_2
from .._numerics import gaussian_nll as _gauss_nll
from ._base import (
    Accuracy,
    Loss,
    Param,
    blocks,
    open_unit,
    positive,
    positive_like_y,
    register,
    residual,
    scaled_residual,
)
from ._targets import COUNT, REAL

__all__ = ["MSE", "MAE", "Huber", "Pinball", "LogCosh", "StudentT", "GaussianNLL", "PoissonNLL", "GaussianKL"]


@register
class MSE(Loss):
    r"""Squared error, :math:`(\hat y - y)^2`.

    The negative log-likelihood of Gaussian noise, :math:`y \sim \mathcal N(\hat y, \sigma^2)`, times
    :math:`2\sigma^2`, less a constant: its minimiser estimates the conditional mean. A square beyond the largest
    double is ``inf``.
    """

    name = "mse"
    target = REAL
    noise_model = "gaussian"
    gradient = r":math:`2(\hat y - y)`; second derivative 2."
    references = "Gauss (1809), least squares; Goodfellow, Bengio and Courville, *Deep Learning* (2016), section 5.5.1."
    gradient_behaviour = "grows in step with the residual, so the largest errors dominate each update"
    use_when = "the noise is close to Gaussian with no gross outliers; the fit estimates the conditional mean"

    def _value(self, y, pred):
        r = pred - y
        return r * r

    def _grad(self, y, pred):
        return 2.0 * (pred - y)

    def _hess(self, y, pred):
        return np.full_like(pred, 2.0)


@register
class MAE(Loss):
    r"""Absolute error, :math:`|\hat y - y|`.

    The negative log-likelihood of Laplace noise with scale :math:`b`, times :math:`b`, less a constant: its
    minimiser estimates the conditional median.
    """

    name = "mae"
    target = REAL
    noise_model = "laplace"
    gradient = (
        r":math:`\operatorname{sign}(\hat y - y)` (0 at a zero residual, the subgradient a descent step takes). No"
        " second derivative."
    )
    references = "Laplace (1774); Koenker, *Quantile Regression* (2005), chapter 1."
    gradient_behaviour = "the same size, 1, for every nonzero residual: it does not fade near the answer"
    use_when = "you want the conditional median, a fit that one wild target cannot drag far"

    def _value(self, y, pred):
        return np.abs(pred - y)

    def _grad(self, y, pred):
        return np.sign(pred - y)


@register
class Huber(Loss):
    r"""Huber loss: :math:`\tfrac12 r^2` for :math:`|r| \le \delta`, else :math:`\delta(|r| - \tfrac12\delta)`,
    with :math:`r = \hat y - y`.

    The negative log-likelihood (up to a constant) of a density with a standard Gaussian centre on
    :math:`|r| \le \delta` and Laplace tails beyond: the least favourable distribution of Huber's minimax
    argument. Its minimiser is Huber's M-estimate of location, which is not in general between the mean and
    the median.
    """

    name = "huber"
    target = REAL
    noise_model = "huber"
    params = {"delta": Param(1.0, positive, "Where the quadratic centre meets the linear tails; finite and > 0.")}
    gradient = r":math:`\mathrm{clip}(r, -\delta, \delta)`; second derivative 1 inside the band, 0 outside."
    accuracy = Accuracy(
        grid=({"delta": 0.25}, {"delta": 1.0}, {"delta": 3.0}), note="residuals that overflow float64 included"
    )
    references = 'Huber, "Robust estimation of a location parameter", Annals of Mathematical Statistics 35 (1964).'
    gradient_behaviour = "equal to the residual inside ±δ and clipped to ±δ beyond: no point pulls harder than δ"
    use_when = "mostly Gaussian noise with a few outliers; δ sets the residual beyond which a point is an outlier"

    # Huber is computed as m (|r| - m/2) with m = min(|r|, delta): r^2/2 inside the band, delta (|r| - delta/2)
    # outside, in one expression. Both paths below work block by block in cache (benchmarks/bench_losses.py: on
    # 5e6 values this is about twice as fast as whole-array temporaries), and a block holding a residual that
    # overflowed is redone from its exact half.

    def _value(self, y, pred, delta):
        value = np.empty(pred.shape)
        for v, yb, pb in blocks(value, y, pred):
            np.subtract(pb, yb, out=v)
            np.abs(v, out=v)
            _huber_in_place(v, yb, pb, delta)
        return value

    def _value_and_grad(self, y, pred, delta):
        value, grad = np.empty(pred.shape), np.empty(pred.shape)
        for v, g, yb, pb in blocks(value, grad, y, pred):
            np.subtract(pb, yb, out=g)
            np.abs(g, out=v)
            _huber_in_place(v, yb, pb, delta)
            np.clip(g, -delta, delta, out=g)
        return value, grad

    def _grad(self, y, pred, delta):
        g = pred - y
        return np.clip(g, -delta, delta, out=g)

    def _hess(self, y, pred, delta):
        return (np.abs(pred - y) <= delta).astype(np.float64)


def _huber_in_place(a, y, pred, delta):
    """Turn |r| (``a``, one block) into the Huber loss in place."""
    if not np.isfinite(a.max()):  # a residual beyond float64: from the exact half, for this block
        r, half, big = residual(y, pred)
        far = np.where(big, 2.0 * (delta * np.abs(half)), delta * (np.abs(r) - 0.5 * delta))
        a[:] = np.where(np.abs(r) <= delta, 0.5 * r * r, far)
        return
    m = np.minimum(a, delta)
    a -= 0.5 * m
    a *= m


@register
class Pinball(Loss):
    r"""Pinball (quantile) loss: :math:`\max(\tau u, (\tau - 1) u)` with :math:`u = y - \hat y`.

    The negative log-likelihood of asymmetric Laplace noise, up to a scale and a constant: a fraction
    :math:`\tau` of the mass lies below the prediction, so the minimiser estimates the conditional
    :math:`\tau`-quantile. It is also the proper scoring rule for a quantile forecast.
    """

    name = "pinball"
    target = REAL
    noise_model = "asymmetric_laplace"
    params = {
        "tau": Param(
            0.5, open_unit, "The quantile level, strictly between 0 and 1 (0.5 gives half the absolute error)."
        )
    }
    gradient = (
        r":math:`-\tau` where :math:`y > \hat y`, :math:`1 - \tau` where :math:`y < \hat y`, 0 where they are equal."
        " No second derivative."
    )
    accuracy = Accuracy(grid=({"tau": 0.1}, {"tau": 0.5}, {"tau": 0.9}))
    references = 'Koenker and Bassett, "Regression quantiles", Econometrica 46 (1978).'
    gradient_behaviour = "−τ while the prediction is below the target, 1 − τ above: the two sides cost differently"
    use_when = "you need a quantile of the target, such as the ends of a prediction interval"

    def _value(self, y, pred, tau):
        r, half, big = residual(y, pred)
        u, h = -r, -half
        return np.where(big, 2.0 * np.maximum(tau * h, (tau - 1.0) * h), np.maximum(tau * u, (tau - 1.0) * u))

    def _grad(self, y, pred, tau):
        return np.where(y > pred, -tau, np.where(y < pred, 1.0 - tau, 0.0))


@register
class LogCosh(Loss):
    r"""Log-cosh loss, :math:`\log\cosh(\hat y - y)`.

    The negative log-likelihood of hyperbolic secant noise, :math:`p(r) = 1/(\pi\cosh r)`, less
    :math:`\log\pi`: Gaussian-like near zero, exponential tails. Computed without the cancellation near 0 (where
    the naive formula returns 0 for a residual of 1e-8) and without overflow far out.
    """

    name = "log_cosh"
    target = REAL
    noise_model = "hyperbolic_secant"
    gradient = r":math:`\tanh(\hat y - y)`; second derivative :math:`1/\cosh^2(\hat y - y) > 0` everywhere."
    references = (
        "The hyperbolic secant distribution: Johnson, Kotz and Balakrishnan, *Continuous Univariate\n"
        "Distributions*, vol. 2, 2nd ed. (1995)."
    )
    gradient_behaviour = "tanh of the residual: nearly the residual near zero, levelling off at ±1 far out"
    use_when = "robust regression where Newton steps need a second derivative that is positive everywhere"

    def _value(self, y, pred):
        # log cosh r = log1p(2 sinh(r/2)^2) near 0 (no cancellation: ~ r^2/2),
        #            = |r| - log 2 + log1p(exp(-2|r|)) far out (no overflow).
        a = np.abs(pred - y)
        small = a < 4.0
        h = np.sinh(np.where(small, 0.5 * a, 0.0))
        near = np.log1p(2.0 * h * h)
        far = (a - LOG_2) + np.log1p(np.exp(-2.0 * a))
        return np.where(small, near, far)

    def _grad(self, y, pred):
        return np.tanh(pred - y)

    def _hess(self, y, pred):
        return 1.0 / np.cosh(np.minimum(np.abs(pred - y), 710.0)) ** 2


@register
class StudentT(Loss):
    r"""Student-t loss, :math:`\frac{\nu + 1}{2}\log\!\big(1 + \frac{t^2}{\nu}\big)` with
    :math:`t = (\hat y - y)/s`.

    The negative log-likelihood of Student-t noise with :math:`\nu` degrees of freedom and scale :math:`s`, less
    a constant; :math:`\nu = 1` is the Cauchy. Not convex: the loss grows only logarithmically, so its
    minimiser ignores far outliers (a redescending M-estimate) and a descent can stop in a local minimum.
    """

    name = "student_t"
    target = REAL
    noise_model = "student_t"
    params = {
        "nu": Param(1.0, positive, "Degrees of freedom, finite and > 0."),
        "scale": Param(1.0, positive, "The scale :math:`s`, finite and > 0."),
    }
    gradient = (
        r":math:`(\nu + 1)\, r / (\nu s^2 + r^2)`, largest at :math:`|r| = s\sqrt\nu` and falling to 0 beyond. No"
        " second derivative is provided (it changes sign, so Newton's method does not apply)."
    )
    accuracy = Accuracy(grid=({"nu": 1.0, "scale": 1.0}, {"nu": 3.0, "scale": 10.0}))
    references = 'Lange, Little and Taylor, "Robust statistical modeling using the t distribution", JASA 84 (1989).'
    gradient_behaviour = "rises up to |r| = s·√ν, then falls back towards zero: the farthest points barely pull"
    use_when = "gross outliers should be ignored rather than down-weighted, and a non-convex loss is acceptable"

    def _value(self, y, pred, nu, scale):
        # (nu+1)/2 log1p(t^2/nu), t = |r|/scale. Far out (t > 1e150, where t*t overflows) use
        # log1p(t^2/nu) = 2 log t - log nu + log1p(nu/t^2); an overflowed residual enters as t = 2 t_half.
        r, half, big = residual(y, pred)
        t = np.abs(np.where(big, half, r)) / scale  # t itself, or t/2 where the residual overflowed
        far = big | (t > 1e150)
        tf = np.where(far, t, 1.0)
        log_t = np.log(tf) + np.where(big, LOG_2, 0.0)
        t2_far = np.where(big, 4.0, 1.0) * tf * tf
        far_v = 2.0 * log_t - np.log(nu) + np.log1p(nu / t2_far)
        tn = np.where(far, 0.0, t)
        return 0.5 * (nu + 1.0) * np.where(far, far_v, np.log1p(tn * tn / nu))

    def _grad(self, y, pred, nu, scale):
        t = scaled_residual(y, pred, scale)
        # (nu+1) t / (scale (nu + t^2)), as (nu+1) / (scale (nu/t + t)) for |t| > 1 so t^2 cannot overflow.
        out = np.abs(t) > 1.0
        t_out = np.where(out, t, 1.0)
        t_in = np.where(out, 0.0, t)
        return np.where(
            out, (nu + 1.0) / (scale * (nu / t_out + t_out)), (nu + 1.0) * t_in / (scale * (nu + t_in * t_in))
        )


_DIFFERENCE = "the larger of the value and its largest term"


@register
class GaussianNLL(Loss):
    r"""Gaussian negative log-likelihood with a given variance,
    :math:`\tfrac12\big(\log 2\pi v + (\hat y - y)^2 / v\big)`; ``pred`` is the mean.

    Exactly :math:`-\log \mathcal N(y; \hat y, v)` (equal to ``-scipy.stats.norm.logpdf``). With a variance per
    point (heteroscedastic noise) the points declared noisy count less.
    """

    name = "gaussian_nll"
    target = REAL
    noise_model = "heteroscedastic_gaussian"
    pred_doc = "Predicted means, the same shape as ``y``."
    params = {
        "var": Param(
            1.0,
            positive_like_y,
            "The variance, finite and > 0: one number, or one per element of ``y`` (the shape of ``y``).",
            kind="float or array_like",
        )
    }
    gradient = r":math:`(\hat y - y)/v`; second derivative :math:`1/v`."
    accuracy = Accuracy(
        grid=({"var": 1e-3}, {"var": 1.0}, {"var": 1e5}),
        relative_to=_DIFFERENCE,
        note="near its zero the loss is a difference of two terms, and no float64 evaluation is relatively accurate",
    )
    references = (
        'Nix and Weigend, "Estimating the mean and variance of the target probability distribution", ICNN (1994).'
    )
    gradient_behaviour = "the residual divided by the variance: points the model calls noisy pull less"
    use_when = "the noise level differs from point to point and is known or predicted along with the mean"

    def _value(self, y, pred, var):
        r = pred - y
        return _gauss_nll(r * (r / var), np.log(var))

    def _grad(self, y, pred, var):
        return scaled_residual(y, pred, var)

    def _hess(self, y, pred, var):
        return np.broadcast_to(1.0 / np.asarray(var), pred.shape).copy()


@register
class PoissonNLL(Loss):
    r"""Poisson negative log-likelihood, :math:`e^{\eta} - y\eta + \log y!`; ``pred`` is the log-rate
    :math:`\eta`.

    Exactly :math:`-\log \mathrm{Poisson}(y; e^\eta)` (equal to ``-scipy.stats.poisson.logpmf``); the minimiser
    estimates the log of the conditional mean count. A rate beyond float64 gives ``inf``.
    """

    name = "poisson_nll"
    target = COUNT
    noise_model = "poisson"
    gradient = r":math:`e^{\eta} - y`; second derivative :math:`e^{\eta}`."
    accuracy = Accuracy(relative_to=_DIFFERENCE, note="the three terms can cancel")
    references = "McCullagh and Nelder, *Generalized Linear Models*, 2nd ed. (1989), chapter 6."
    gradient_behaviour = "predicted rate minus observed count, with the prediction on the log scale"
    use_when = "the targets are counts of events and the model predicts a log-rate"

    def _value(self, y, pred):
        rate = np.exp(pred)
        with np.errstate(invalid="ignore"):
            v = (rate - y * pred) + gammaln(y + 1.0)
        # A rate beyond float64 dominates every other term: the loss is +inf, not inf - inf.
        return np.where(np.isinf(rate), np.inf, v)

    def _grad(self, y, pred):
        return np.exp(pred) - y

    def _hess(self, y, pred):
        return np.exp(pred)


# the series of d - log1p(d) = d^2/2 - d^3/3 + ...: for |d| < 0.5 it has no cancellation (56 terms reach 1e-17)
_SERIES = np.array([(-1.0) ** k / k for k in range(57, 1, -1)])


def _x_minus_1_minus_log_x(d):
    """(1 + d) - 1 - log(1 + d) = d - log1p(d) for d = x - 1 > -1, accurate near d = 0 where the two terms cancel."""
    near = np.abs(d) < 0.5
    dn = np.where(near, d, 0.0)
    series = np.zeros_like(dn)
    for c in _SERIES:  # Horner in d, from the highest power down to d^2
        series = series * dn + c
    series *= dn * dn
    with np.errstate(divide="ignore"):
        far = d - np.log1p(np.where(near, 0.0, d))
    return np.where(near, series, far)


@register
class GaussianKL(Loss):
    r"""Kullback-Leibler divergence from :math:`q = \mathcal N(\hat y, v)` to :math:`p = \mathcal N(y, w)`,
    :math:`\tfrac12\big(\tfrac{v}{w} - 1 - \log\tfrac{v}{w} + (\hat y - y)^2 / w\big)`.

    ``pred`` is the mean of the predicted Gaussian :math:`q` and ``var`` its variance :math:`v`; ``y`` and
    ``prior_var`` are the mean and variance of the target Gaussian :math:`p`. With ``y = 0`` and ``prior_var = 1``
    it is the KL term of a variational autoencoder's ELBO, :math:`\mathrm{KL}(q(z \mid x) \,\|\, \mathcal N(0, 1))`,
    for an encoder that outputs a mean and a variance per latent coordinate. It is zero only when the two
    Gaussians are the same, and both of its terms are non-negative, so it is computed as their sum (the first,
    :math:`x - 1 - \log x` at :math:`x = v/w`, by its series near :math:`x = 1`, where it would cancel).
    """

    name = "gaussian_kl"
    target = REAL
    minimiser = r"the target mean, :math:`\hat y = y`, whatever the variances (the KL is then the variance mismatch)"
    pred_doc = "Means of the predicted Gaussians, the same shape as ``y``."
    params = {
        "var": Param(
            1.0,
            positive_like_y,
            "The predicted variance :math:`v`, finite and > 0 (a number or the shape of ``y``).",
            kind="float or array_like",
        ),
        "prior_var": Param(
            1.0,
            positive_like_y,
            "The target variance :math:`w`, finite and > 0 (a number or the shape of ``y``).",
            kind="float or array_like",
        ),
    }
    gradient = r":math:`(\hat y - y)/w` with respect to the mean; second derivative :math:`1/w`."
    accuracy = Accuracy(
        grid=({"var": 1.0, "prior_var": 1.0}, {"var": 1e-3, "prior_var": 1.0}, {"var": 7.0, "prior_var": 2.0})
    )
    references = (
        'Kingma and Welling, "Auto-encoding variational Bayes", ICLR (2014), appendix B; Kullback and Leibler,\n'
        '"On information and sufficiency", Annals of Mathematical Statistics 22 (1951).'
    )
    gradient_behaviour = "the mean's gap scaled by the target variance: it pulls the mean towards the target's"
    use_when = (
        "the prediction is a Gaussian and so is the target: the KL term that keeps a VAE's posterior near its prior"
    )

    def _value(self, y, pred, var, prior_var):
        d = (var - prior_var) / prior_var  # v/w - 1, exact when v and w are within a factor 2 (Sterbenz)
        r = scaled_residual(y, pred, np.sqrt(prior_var))  # (pred - y) / sqrt(w) without overflow
        return 0.5 * (_x_minus_1_minus_log_x(d) + r * r)

    def _grad(self, y, pred, var, prior_var):
        return np.broadcast_to(scaled_residual(y, pred, prior_var), pred.shape).copy()

    def _hess(self, y, pred, var, prior_var):
        return np.broadcast_to(1.0 / np.asarray(prior_var), pred.shape).copy()
