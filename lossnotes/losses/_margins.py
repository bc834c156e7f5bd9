r"""Losses of a real-valued score for labels -1 and +1, functions of the margin :math:`m = y s`: the hinge and
squared hinge (no likelihood), the logistic loss (the Bernoulli likelihood), and AdaBoost's exponential loss."""

from __future__ import annotations

import numpy as np

from ..units import sigmoid
from ._base import Accuracy, Loss, register, softplus
from ._targets import SIGN

__all__ = ["Hinge", "SquaredHinge", "Logistic", "Exponential"]


@register
class Hinge(Loss):
    r"""Hinge loss, :math:`\max(0, 1 - y s)` for labels :math:`y \in \{-1, +1\}` and scores :math:`s`.

    It prices only the margin :math:`ys` and is zero past margin 1. Convex; the loss of the soft-margin support
    vector machine.
    """

    name = "hinge"
    target = SIGN
    minimiser = r":math:`\operatorname{sign}(2\eta - 1)`, the Bayes classifier, with no probability attached"
    gradient = r":math:`-y` where :math:`ys < 1`, else 0 (a subgradient at the kink). No second derivative."
    references = 'Cortes and Vapnik, "Support-vector networks", Machine Learning 20 (1995).'
    gradient_behaviour = "−y while the margin y·s is below 1 and exactly 0 beyond: points past the margin stop teaching"
    use_when = "only the predicted class matters, not a probability; the fit depends on the support vectors alone"

    def _value(self, y, s):
        return np.maximum(0.0, 1.0 - y * s)

    def _grad(self, y, s):
        return np.where(y * s < 1.0, -y, 0.0)


@register
class SquaredHinge(Loss):
    r"""Squared hinge loss, :math:`\max(0, 1 - y s)^2` for labels :math:`y \in \{-1, +1\}`.

    Unlike the hinge it has a continuous derivative, but only one: its second derivative jumps from 2 to 0 at
    margin 1. The scores can be read back as :math:`\eta`, since the population minimiser is :math:`2\eta - 1`.
    """

    name = "squared_hinge"
    target = SIGN
    minimiser = r":math:`2\eta - 1`, clipped to [-1, 1]"
    gradient = (
        r":math:`-2y\max(0, 1 - ys)`, continuous, zero past margin 1. Second derivative 2 inside the margin, 0 past"
        " it."
    )
    references = (
        'Zhang, "Statistical behavior and consistency of classification methods based on convex risk minimization",\n'
        "Annals of Statistics 32 (2004)."
    )
    gradient_behaviour = "−2y times the shortfall of the margin below 1: it fades continuously to 0 at margin 1"
    use_when = (
        "a margin classifier for a solver that needs a continuous gradient (L-BFGS); it is differentiable once, not"
        " twice, so Newton steps meet a jump in the curvature at margin 1"
    )

    def _value(self, y, s):
        return np.maximum(0.0, 1.0 - y * s) ** 2

    def _grad(self, y, s):
        return -2.0 * y * np.maximum(0.0, 1.0 - y * s)

    def _hess(self, y, s):
        return np.where(y * s < 1.0, 2.0, 0.0)


@register
class Logistic(Loss):
    r"""Logistic loss on the margin, :math:`\log(1 + e^{-y s})` for labels :math:`y \in \{-1, +1\}`.

    The Bernoulli negative log-likelihood with :math:`P(y \mid s) = \sigma(y s)`: binary cross-entropy written
    for labels -1 and +1, ``logistic(2*b - 1, s) == binary_cross_entropy(b, s)`` for labels b in {0, 1}. Its
    population minimiser is the log-odds :math:`\log(\eta/(1 - \eta))`.
    """

    name = "logistic"
    target = SIGN
    noise_model = "bernoulli_margin"
    pred_doc = "Real-valued scores (logits), the same shape as ``y``."
    gradient = r":math:`-y\,\sigma(-y s)`; second derivative :math:`\sigma(s)\,\sigma(-s)`."
    accuracy = Accuracy(grad=True)
    references = (
        'Friedman, Hastie and Tibshirani, "Additive logistic regression: a statistical view of boosting", Annals of\n'
        "Statistics 28 (2000)."
    )
    gradient_behaviour = "−y·σ(−y·s): shrinks smoothly as the margin grows, but never reaches zero"
    use_when = "two classes labelled −1 and +1, when probabilities are wanted: the same fit as binary cross-entropy"

    def _value(self, y, s):
        return softplus(-y * s)

    def _grad(self, y, s):
        return -y * sigmoid(-y * s)

    def _hess(self, y, s):
        return sigmoid(s) * sigmoid(-s)


@register
class Exponential(Loss):
    r"""Exponential loss, :math:`e^{-y s}` for labels :math:`y \in \{-1, +1\}`: AdaBoost's loss.

    A badly misclassified point costs exponentially much, which makes it sensitive to label noise. A value beyond
    the largest double (margin below about -709.78) is ``inf``, and only there.
    """

    name = "exponential"
    target = SIGN
    minimiser = r":math:`\tfrac12\log(\eta/(1 - \eta))`, half the log-odds"
    gradient = r":math:`-y\,e^{-y s}`; second derivative :math:`e^{-y s}`."
    accuracy = Accuracy(grad=True, note="wherever the true value is a finite double")
    references = (
        'Freund and Schapire, "A decision-theoretic generalization of on-line learning and an application to\n'
        'boosting", JCSS 55 (1997); Friedman, Hastie and Tibshirani (2000).'
    )
    gradient_behaviour = "−y·e^(−y·s): grows exponentially as the margin turns negative, so one bad point can dominate"
    use_when = "boosting (AdaBoost); avoid it when labels are noisy, since mislabelled points get exponential weight"

    def _value(self, y, s):
        return np.exp(-y * s)

    def _grad(self, y, s):
        return -y * np.exp(-y * s)

    def _hess(self, y, s):
        return np.exp(-y * s)
