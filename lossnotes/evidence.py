r"""The experiment behind each loss's "use when" advice, returning its evidence as numbers.

Every registered loss records one sentence of advice (``loss.use_when``, chapter 8's last column). Each
piece of advice rests on a property that can be measured: the squared error's estimate is the most precise
under Gaussian noise, the median barely moves when one target goes wild, two pinball fits make an interval
with the coverage asked for, and so on. ``EXPERIMENTS`` maps each loss's name to a small function that
takes a loss, runs the experiment on it and returns an :class:`Evidence`: the claim in a few words, the
quantity measured, the reference it is compared with, and whether the claim holds. Run on the loss it was
written for, the claim holds; run on another loss it may not (``experiment("mae", ln.losses.mse)`` finds the
mean dragged far by one wild target), which is what makes the experiment evidence.

:func:`advice` runs every experiment, one per registered loss, and raises when a loss has none, so a new loss
cannot skip this step. Each experiment draws from its own seeded generator: the numbers are the same in every
run and in any order. The whole set runs in about a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import fit
from .losses import LOSSES, Loss
from .units import sigmoid, softmax

__all__ = ["Evidence", "HEADER", "EXPERIMENTS", "experiment", "advice"]


@dataclass(frozen=True)
class Evidence:
    """What one experiment found.

    ``claim`` is what the advice rests on; ``quantity`` names what was measured and ``measured`` its value;
    ``against`` names the reference and ``reference`` its value; ``holds`` says whether the claim held (the test
    can be stricter than the numbers as printed). A value smaller in size than ``floor`` is printed as a bound.
    """

    loss: str
    claim: str
    quantity: str
    measured: float
    against: str
    reference: float
    holds: bool
    floor: float = 0.0

    def _number(self, value: float) -> str:
        if value != 0 and abs(value) < self.floor:
            return f"below {self.floor:g}"
        return f"{value:.3g}"

    def row(self) -> list[str]:
        """The evidence as table cells: loss, claim, measured, compared with (three significant digits)."""
        return [
            f"`{self.loss}`",
            self.claim,
            f"{self.quantity}: {self._number(self.measured)}",
            f"{self.against}: {self._number(self.reference)}",
        ]


#: The table's header, matching :meth:`Evidence.row`.
HEADER = ["loss", "what the advice rests on", "measured", "compared with"]


def _rng(seed: int):
    return np.random.default_rng(seed)


def _shift(loss, base, extra):
    """How far one extra observation moves the constant whose mean gradient is zero for the sample ``base``
    (found by bisection, to about 1e-14 of the sample's range, so that a small shift is measured exactly)."""
    return float(abs(fit.locations(loss, np.r_[base, extra][None, :])[0] - fit.locations(loss, base[None, :])[0]))


# ----------------------------------------------------------------------------------------------- regression
def _mse(loss):
    """Under Gaussian noise the estimate of the squared error, the mean, varies least."""
    samples = _rng(21).normal(0.0, 1.0, (2000, 25))
    var = float(np.var(fit.locations(loss, samples)))
    rivals = min(np.var(fit.locations(LOSSES[n], samples)) for n in ("mae", "huber"))
    return Evidence(
        "mse",
        "the most precise estimate under Gaussian noise",
        "variance of the estimate (2000 samples of 25)",
        var,
        "the median's or Huber's, whichever is less",
        float(rivals),
        var < rivals,
    )


def _mae(loss):
    """One wild target moves the median by at most the gap between neighbouring order statistics."""
    base = _rng(22).normal(0.0, 1.0, 25)
    moved = _shift(loss, base, 1e6)
    middle = np.sort(base)[11:14]
    return Evidence(
        "mae",
        "one wild target barely moves the fit",
        "shift when a target of 1e6 joins 25",
        moved,
        "spread of the middle three values",
        float(np.ptp(middle)),
        moved <= np.ptp(middle),
    )


def _huber(loss):
    """Gaussian data with 5% gross outliers: the Huber estimate beats both the mean and the median."""
    data = _rng(23).normal(0.0, 1.0, (400, 40))
    data[:, :2] += 20.0  # two outliers in each sample of 40
    mse = float(np.mean(fit.locations(loss, data) ** 2))
    best = min(float(np.mean(fit.locations(LOSSES[n], data) ** 2)) for n in ("mse", "mae"))
    return Evidence(
        "huber",
        "beats mean and median with 5% outliers",
        "mean squared error of the estimate",
        mse,
        "the better of mean and median",
        best,
        mse < best,
    )


def _pinball(loss):
    """The 0.05- and 0.95-quantile fits on one sample cover about 90% of fresh draws."""
    rng = _rng(24)
    train, fresh = rng.gamma(2.0, 1.0, 4000), rng.gamma(2.0, 1.0, 40000)
    lo = fit.locations(loss, train[None, :], tau=0.05)[0]
    hi = fit.locations(loss, train[None, :], tau=0.95)[0]
    coverage = float(np.mean((fresh > lo) & (fresh < hi)))
    return Evidence(
        "pinball",
        "two fits make a 90% interval",
        "share of 40000 fresh draws covered",
        coverage,
        "the level asked for",
        0.90,
        abs(coverage - 0.90) < 0.02,
    )


def _log_cosh(loss):
    """A pull no larger than 1 (robust), yet a second derivative that never vanishes (Newton's method works)."""
    r = np.linspace(-10.0, 10.0, 2001)
    zero = np.zeros_like(r)
    curvature = float(np.min(loss.hess(zero, r)))
    huber = float(np.min(LOSSES["huber"].hess(zero, r)))
    bounded = bool(np.all(np.abs(loss.grad(zero, r)) <= 1.0))
    return Evidence(
        "log_cosh",
        "pull at most 1, yet curvature never 0",
        "smallest L'' for |r| ≤ 10",
        curvature,
        "Huber's",
        huber,
        bounded and curvature > huber,
    )


def _student_t(loss):
    """A far outlier is ignored: it moves the fit far less than it moves Huber's."""
    base = _rng(25).normal(0.0, 1.0, 50)
    moved = _shift(loss, base, 1e4)
    huber = _shift(LOSSES["huber"], base, 1e4)
    return Evidence(
        "student_t",
        "a gross outlier is ignored",
        "shift when a target of 1e4 joins 50",
        moved,
        "Huber's shift",
        huber,
        moved < 0.1 * huber,
    )


def _gaussian_nll(loss):
    """With known variances per point, the noisy points count less and the estimate is more precise."""
    var = np.r_[np.full(20, 0.1), np.full(20, 10.0)]
    draws = _rng(26).normal(0.0, np.sqrt(var), (1000, 40))
    est = fit.locations(loss, draws, var=np.broadcast_to(var, draws.shape).copy())
    ours, plain = float(np.var(est)), float(np.var(draws.mean(axis=1)))
    return Evidence(
        "gaussian_nll",
        "known variances make a better estimate",
        "variance of the estimate",
        ours,
        "the plain mean's",
        plain,
        ours < 0.5 * plain,
    )


def _poisson_nll(loss):
    """The best constant log-rate is the log of the mean count."""
    counts = _rng(27).poisson(3.5, 500).astype(float)
    rate = float(np.exp(fit.location(loss, counts)))
    mean = float(counts.mean())
    return Evidence(
        "poisson_nll",
        "the rate fitted is the mean count",
        "exp(best log-rate)",
        rate,
        "the mean count",
        mean,
        abs(rate - mean) < 1e-8 * mean,
    )


# ----------------------------------------------------------------------------------------------- two classes
ETAS = (0.1, 0.3, 0.6, 0.9)  # the probabilities of the positive class at which minimisers are found


def _binary_cross_entropy(loss):
    """The best logit's sigmoid is the probability of the positive class itself: calibrated."""
    found = np.array([sigmoid(fit.population_minimiser(loss, eta)) for eta in ETAS])
    return Evidence(
        "binary_cross_entropy",
        "the best logit gives back η",
        f"σ(best logit) at η = {ETAS[1]}",
        float(found[1]),
        "η",
        ETAS[1],
        bool(np.allclose(found, ETAS, atol=1e-6)),
    )


def _logistic(loss):
    """On labels ±1 the best score is the one binary cross-entropy finds on labels 0/1."""
    ours = np.array([fit.population_minimiser(loss, eta) for eta in ETAS])
    bce = np.array([fit.population_minimiser(LOSSES["binary_cross_entropy"], eta) for eta in ETAS])
    return Evidence(
        "logistic",
        "the same fit as binary cross-entropy",
        f"best score at η = {ETAS[1]}",
        float(ours[1]),
        "binary cross-entropy's",
        float(bce[1]),
        bool(np.allclose(ours, bce, atol=1e-6)),
    )


def _focal(loss):
    """1000 easy positives (p_t near 0.99) and 10 hard ones: the easy ones no longer dominate the gradient."""
    z = np.r_[np.full(1000, 4.6), np.full(10, -1.4)]
    y = np.ones_like(z)

    def easy_share(lo):
        g = np.abs(lo.grad(y, z))
        return float(g[:1000].sum() / g.sum())

    ours, bce = easy_share(loss), easy_share(LOSSES["binary_cross_entropy"])
    return Evidence(
        "focal",
        "easy examples stop swamping hard ones",
        "easy examples' share of the gradient",
        ours,
        "under binary cross-entropy",
        bce,
        ours < 0.01 < 0.5 < bce,
    )


def _cross_entropy(loss):
    """Fitted to labels alone (an intercept per class), the softmax gives back the class frequencies."""
    labels = _rng(28).choice(4, 1999, p=[0.1, 0.2, 0.3, 0.4])  # 1999: no frequency ends in a 5
    freq = np.bincount(labels, minlength=4) / labels.size
    w = fit.gradient_descent(loss, np.zeros((labels.size, 0)), labels, lr=2.0, steps=300).w
    p = softmax(w[0])
    return Evidence(
        "cross_entropy",
        "the fitted softmax is the class frequencies",
        "softmax of the commonest class",
        float(p[3]),
        "its frequency",
        float(freq[3]),
        bool(np.allclose(p, freq, atol=1e-6)),
    )


def _hinge(loss):
    """At the max-margin solution only the support vectors pull: the other points send no gradient at all,
    and refitting on the support vectors alone gives the same classifier."""
    rng = _rng(29)
    X = np.r_[rng.normal(0.0, 1.0, (30, 2)) + 1.5, rng.normal(0.0, 1.0, (30, 2)) - 1.5]
    y = np.r_[np.ones(30), -np.ones(30)]
    svm = fit.max_margin(X, y)
    again = fit.max_margin(X[svm.support], y[svm.support])
    rest = np.setdiff1d(np.arange(len(y)), svm.support)
    s = svm.decision(X)
    pull = float(np.abs(loss.grad(y[rest], s[rest])).sum())
    logistic = float(np.abs(LOSSES["logistic"].grad(y[rest], s[rest])).sum())
    same = np.allclose(svm.w, again.w, atol=1e-5) and abs(svm.b - again.b) < 1e-5
    return Evidence(
        "hinge",
        "the support vectors alone fix the fit",
        f"pull of the {len(rest)} other points",
        pull,
        "under the logistic loss",
        logistic,
        pull == 0.0 and logistic > 0 and same and len(svm.support) < len(y) // 2,
    )


def _squared_hinge(loss):
    """The gradient is continuous at margin 1, where the hinge's jumps."""
    at = np.array([1.0 - 1e-9, 1.0 + 1e-9])
    one = np.ones(2)
    jump = float(np.ptp(loss.grad(one, at)))
    hinge = float(np.ptp(LOSSES["hinge"].grad(one, at)))
    return Evidence(
        "squared_hinge",
        "a gradient with no jump at margin 1",
        "jump of the gradient across margin 1",
        jump,
        "the hinge's",
        hinge,
        jump < 1e-8 and hinge == 1.0,
        floor=1e-8,
    )


def _exponential(loss):
    """99 well-classified points and one mislabelled at margin -4: the one takes most of the gradient."""
    margins = np.r_[_rng(30).uniform(0.5, 3.0, 99), -4.0]
    y = np.ones_like(margins)

    def share(lo):
        g = np.abs(lo.grad(y, margins))
        return float(g[-1] / g.sum())

    ours, logistic = share(loss), share(LOSSES["logistic"])
    return Evidence(
        "exponential",
        "one mislabelled point dominates",
        "its share of the gradient (1 of 100)",
        ours,
        "under the logistic loss",
        logistic,
        ours > 0.5 and ours > 5 * logistic,
    )


# ----------------------------------------------------------------------------------------------- divergences
def _gaussian_kl(loss):
    """The closed form is the expected log-density ratio: sampling from q and averaging log q - log p agrees."""
    mu, var, prior_var, n = 0.8, 0.5, 2.0, 200_000
    z = mu + np.sqrt(var) * _rng(31).standard_normal(n)
    log_ratio = 0.5 * (np.log(prior_var / var) + z**2 / prior_var - (z - mu) ** 2 / var)  # log q(z) - log p(z)
    closed = float(loss(np.zeros(1), np.full(1, mu), var=var, prior_var=prior_var))
    sampled, se = float(log_ratio.mean()), float(log_ratio.std() / np.sqrt(n))
    return Evidence(
        "gaussian_kl",
        "it is E_q[log q − log p], the ELBO's KL term",
        f"average of log q − log p over {n} draws",
        sampled,
        "the closed form",
        closed,
        abs(sampled - closed) < 5 * se,
    )


def _from_noise_model(loss):
    """A likelihood loss with no experiment of its own: fitted to data its own noise model drew, the best constant
    prediction recovers the prediction that drew them (20000 draws at the model's defaults)."""
    from scipy.optimize import minimize_scalar

    from . import noise

    model = noise.get(loss.noise_model)
    if loss.row_logits:
        raise LookupError(f"{loss.name} predicts a vector of logits: give it an experiment of its own")
    lo, hi = model.pred_range
    f0 = lo + 0.6 * (hi - lo)
    y = model.sample(np.full(20_000, f0), _rng(32))
    params = {k: v for k, v in model.loss_params(**model.defaults).items() if k in loss.params}
    best = minimize_scalar(lambda c: float(loss(y, np.full_like(y, c), **params)), bounds=(lo, hi), method="bounded")
    return Evidence(
        loss.name,
        f"fitted to draws of its noise model ({model.name}), it finds what drew them",
        "best constant prediction (20000 draws)",
        float(best.x),
        "the prediction that drew them",
        float(f0),
        abs(best.x - f0) < 0.1,  # five standard errors and more for every model's default scale
    )


#: loss name -> the experiment behind its advice (a function of a loss, returning its Evidence)
EXPERIMENTS: dict[str, Callable[[Loss], Evidence]] = {
    "mse": _mse,
    "mae": _mae,
    "huber": _huber,
    "pinball": _pinball,
    "log_cosh": _log_cosh,
    "student_t": _student_t,
    "gaussian_nll": _gaussian_nll,
    "poisson_nll": _poisson_nll,
    "binary_cross_entropy": _binary_cross_entropy,
    "focal": _focal,
    "cross_entropy": _cross_entropy,
    "hinge": _hinge,
    "squared_hinge": _squared_hinge,
    "gaussian_kl": _gaussian_kl,
    "logistic": _logistic,
    "exponential": _exponential,
}


def experiment(name: str, loss: Loss | None = None) -> Evidence:
    """Run the experiment behind the advice of the loss ``name``, on that loss or on another ``loss`` (to see
    whether the claim would hold for it too). A likelihood loss with no experiment of its own is fitted to draws
    of its noise model; a loss that is no likelihood must have one."""
    loss = LOSSES[name] if loss is None else loss
    if name in EXPERIMENTS:
        return EXPERIMENTS[name](loss)
    if loss.noise_model is not None:
        return _from_noise_model(loss)
    raise LookupError(f"no experiment backs the advice of {name!r}; add one to lossnotes.evidence.EXPERIMENTS")


def advice(losses: dict | None = None) -> list[Evidence]:
    """The evidence for every registered loss (or for each loss of ``losses``, name -> loss), in registry order.

    Raises ``LookupError`` naming every loss with no experiment, before running any.
    """
    losses = LOSSES if losses is None else losses
    missing = [n for n, loss in losses.items() if n not in EXPERIMENTS and loss.noise_model is None]
    if missing:
        raise LookupError(
            f"no experiment backs the advice of {', '.join(missing)}; add one to lossnotes.evidence.EXPERIMENTS"
        )
    return [experiment(n, loss) for n, loss in losses.items()]
