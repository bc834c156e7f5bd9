r"""The losses of generative models that chapter 10 derives: the GAN's generator and discriminator losses from
logits, the optimal discriminator and the Jensen–Shannon divergence it measures, the ELBO of a Gaussian VAE and
Tweedie's denoiser.

These are not in ``lossnotes.losses``: their arguments are not a target and a prediction of it (a generator
loss has only the discriminator's logit of a generated sample; the ELBO compares a data point with a decoder
and an encoder). They follow the same rules: NumPy only, finite and accurate for every finite float64 input
where the exact value is representable, and a ``ValueError`` that names the argument for bad input.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import trapezoid
from scipy.special import xlogy

from . import _checks as chk
from .units import sigmoid, softplus

__all__ = [
    "generator_loss",
    "generator_loss_grad",
    "discriminator_loss",
    "optimal_discriminator",
    "js_divergence",
    "gan_value",
    "elbo_gaussian",
    "tweedie_denoiser",
]

# a density on a grid must integrate to 1 within this, or the grid misses part of its mass
MASS_TOLERANCE = 1e-3


def _finite(x, name: str) -> np.ndarray:
    arr = chk.as_float(x, name)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} must be finite, got {name}{chk.first_bad(bad, arr)}")
    return arr


def _flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def generator_loss(logit, *, saturating=False, reduction="mean"):
    r"""The GAN generator's loss from the discriminator's logit :math:`z` of generated samples, :math:`D = \sigma(z)`.

    The non-saturating form (the default), :math:`-\log D = \zeta(-z)`, is the binary cross-entropy of the
    generated sample against the label 1 ("real"). The saturating form, ``saturating=True``, is the generator's
    side of the minimax game, :math:`\log(1 - D) = -\zeta(z)`. Both fall as the discriminator is fooled
    (:math:`z` grows), but their gradients differ where the discriminator is confident that the sample is fake
    (:math:`z \to -\infty`): see :func:`generator_loss_grad`. :math:`\zeta` is the softplus, computed without
    forming :math:`D`, so nothing overflows and the tails keep their digits.

    Parameters
    ----------
    logit : array_like
        The discriminator's logits of generated samples, finite.
    saturating : bool, default False
        Use :math:`\log(1 - D)` instead of :math:`-\log D`.
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    float or ndarray
        The loss, reduced as asked (elementwise with ``"none"``, the shape of ``logit``).

    Accuracy
    --------
    Within 8 eps (relative) of the exact value for every finite float64 logit where it is a normal number, tested
    against 60-digit mpmath.

    References
    ----------
    Goodfellow et al., "Generative adversarial nets", NeurIPS (2014), section 3.
    """
    z = _finite(logit, "logit")
    how = chk.reduction(reduction)
    values = -softplus(z) if _flag(saturating, "saturating") else softplus(-z)
    return chk.reduce(values, how)


def generator_loss_grad(logit, *, saturating=False):
    r"""Elementwise derivative of :func:`generator_loss` (unreduced) with respect to the logit.

    Non-saturating: :math:`-\sigma(-z) = D - 1`, near :math:`-1` when the discriminator rejects the sample.
    Saturating: :math:`-\sigma(z) = -D`, which vanishes there: a confident discriminator teaches the generator
    nothing, the same saturation as a sigmoid trained under squared error (chapter 5).

    Parameters
    ----------
    logit : array_like
        The discriminator's logits of generated samples, finite.
    saturating : bool, default False

    Returns
    -------
    ndarray
        The derivative, the shape of ``logit``, in [−1, 0] (exactly −1 or 0 only where σ rounds to 1 or 0).

    Accuracy
    --------
    Within 8 eps (relative) of the exact value for every finite float64 logit where it is a normal number, tested
    against 60-digit mpmath.
    """
    z = _finite(logit, "logit")
    return -sigmoid(z) if _flag(saturating, "saturating") else -sigmoid(-z)


def discriminator_loss(real_logit, fake_logit, *, reduction="mean"):
    r"""The GAN discriminator's loss: binary cross-entropy with label 1 on real and 0 on generated samples.

    :math:`\zeta(-z_\text{real}) + \zeta(z_\text{fake})` per sample, with :math:`\zeta` the softplus. With
    ``reduction="mean"`` each part is averaged over its own samples and the two averages are added (the negated
    value :math:`V(D, G)` of the minimax game, estimated from samples); ``"sum"`` adds every term. The two arrays
    may differ in shape.

    Parameters
    ----------
    real_logit, fake_logit : array_like
        The discriminator's logits of real and of generated samples, finite, not empty.
    reduction : {"mean", "sum"}, default "mean"

    Returns
    -------
    float

    References
    ----------
    Goodfellow et al., "Generative adversarial nets", NeurIPS (2014), equation (1).
    """
    real = _finite(real_logit, "real_logit")
    fake = _finite(fake_logit, "fake_logit")
    if reduction not in ("mean", "sum"):
        raise ValueError(
            f"reduction must be 'mean' or 'sum', got {reduction!r} (real and fake samples need not pair up, "
            "so there is no elementwise loss)"
        )
    for arr, name in ((real, "real_logit"), (fake, "fake_logit")):
        if arr.size == 0:
            raise ValueError(f"{name} is empty: the discriminator's loss needs samples of both kinds")
    parts = (softplus(-real), softplus(fake))
    if reduction == "sum":
        return np.float64(parts[0].sum() + parts[1].sum())
    return np.float64(parts[0].mean() + parts[1].mean())


def _densities(p, q, names=("p", "q")) -> tuple[np.ndarray, np.ndarray]:
    p = _finite(p, names[0])
    q = _finite(q, names[1])
    if p.shape != q.shape:
        raise ValueError(f"{names[0]} has shape {p.shape} but {names[1]} has shape {q.shape}; they must match")
    for arr, name in ((p, names[0]), (q, names[1])):
        if (arr < 0).any():
            raise ValueError(f"{name} must be a density, >= 0, got {name}{chk.first_bad(arr < 0, arr)}")
    return p, q


def optimal_discriminator(p, q):
    r"""The discriminator that maximises the GAN's value for fixed densities: :math:`D^*(x) = p(x)/(p(x) + q(x))`.

    Pointwise, :math:`D^*` maximises :math:`p \log D + q \log(1 - D)`. It is undefined where both densities are
    0 (no sample ever lands there), and refused there.

    Parameters
    ----------
    p, q : array_like
        The data's and the generator's density values at the same points, >= 0, the same shape.

    Returns
    -------
    ndarray
        :math:`D^*` in [0, 1], the shape of ``p``.

    References
    ----------
    Goodfellow et al., "Generative adversarial nets", NeurIPS (2014), proposition 1.
    """
    p, q = _densities(p, q)
    total = p + q
    if (total == 0).any():
        raise ValueError(
            f"p and q are both 0 at index {tuple(int(i) for i in np.argwhere(total == 0)[0])}: "
            "the optimal discriminator is undefined where neither density puts mass"
        )
    return p / total


def _grid(x, p, q) -> np.ndarray:
    x = _finite(x, "x")
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points, got shape {x.shape}")
    if not (np.diff(x) > 0).all():
        raise ValueError("x must be strictly increasing")
    if p.shape != x.shape:
        raise ValueError(f"p and q must be the densities at the grid x, shape {x.shape}; got shape {p.shape}")
    for arr, name in ((p, "p"), (q, "q")):
        mass = trapezoid(arr, x)
        if abs(mass - 1.0) > MASS_TOLERANCE:
            raise ValueError(
                f"{name} integrates to {mass:.6g} on x, not 1: the grid must cover the density's mass "
                f"(within {MASS_TOLERANCE:g}) and be fine enough to integrate it"
            )
    return x


def js_divergence(p, q, x):
    r"""The Jensen–Shannon divergence of two densities given on a grid, in nats, by the trapezoid rule.

    :math:`\mathrm{JS}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) + \tfrac12 \mathrm{KL}(q \,\|\, m)` with
    :math:`m = (p + q)/2`; :math:`0 \le \mathrm{JS} \le \log 2`, with :math:`\log 2` exactly when the supports are
    disjoint (then it no longer depends on how far apart they are). Terms with a zero density count 0
    (:math:`0 \log 0 = 0`).

    Parameters
    ----------
    p, q : array_like
        Density values on the grid, >= 0, each integrating to 1 on ``x`` within 1e-3.
    x : array_like
        The grid, 1-D and strictly increasing.

    Returns
    -------
    float
        JS in [0, log 2] (clipped to it: the quadrature's error is the only thing outside).

    Accuracy
    --------
    That of the trapezoid rule on the grid: the error falls as the square of the spacing for smooth densities.

    References
    ----------
    Lin, "Divergence measures based on the Shannon entropy", IEEE Trans. Information Theory 37 (1991).
    """
    p, q = _densities(p, q)
    x = _grid(x, p, q)
    total = p + q
    safe = np.where(total > 0, total, 1.0)
    integrand = 0.5 * (xlogy(p, 2.0 * p / safe) + xlogy(q, 2.0 * q / safe))
    return float(np.clip(trapezoid(integrand, x), 0.0, np.log(2.0)))


def gan_value(p, q, x, d=None):
    r"""The GAN's value :math:`V(D, G) = \mathbb E_p[\log D] + \mathbb E_q[\log(1 - D)]`, by quadrature on a grid.

    ``d`` defaults to the optimal discriminator :math:`p/(p + q)`, where :math:`V = 2\,\mathrm{JS}(p\,\|\,q) - \log 4`
    (then :math:`\log D^*` and :math:`\log(1 - D^*)` are formed as :math:`\log(p/(p+q))` and :math:`\log(q/(p+q))`,
    with no cancellation). A discriminator that puts :math:`D = 0` where :math:`p > 0` (or 1 where :math:`q > 0`)
    has value :math:`-\infty`.

    Parameters
    ----------
    p, q : array_like
        Density values on the grid, >= 0, each integrating to 1 on ``x`` within 1e-3.
    x : array_like
        The grid, 1-D and strictly increasing.
    d : array_like, optional
        The discriminator's probabilities on the grid, in [0, 1].

    Returns
    -------
    float

    References
    ----------
    Goodfellow et al., "Generative adversarial nets", NeurIPS (2014), theorem 1.
    """
    p, q = _densities(p, q)
    x = _grid(x, p, q)
    if d is None:
        total = np.where(p + q > 0, p + q, 1.0)
        log_d, log_1md = np.log(np.where(p > 0, p, 1.0) / total), np.log(np.where(q > 0, q, 1.0) / total)
    else:
        d = _finite(d, "d")
        if d.shape != x.shape:
            raise ValueError(f"d must be the discriminator on the grid x, shape {x.shape}; got shape {d.shape}")
        out = (d < 0) | (d > 1)
        if out.any():
            raise ValueError(f"d must be probabilities in [0, 1], got d{chk.first_bad(out, d)}")
        with np.errstate(divide="ignore"):
            log_d, log_1md = np.log(d), np.log1p(-d)
    integrand = np.where(p > 0, p * log_d, 0.0) + np.where(q > 0, q * log_1md, 0.0)
    return float(trapezoid(integrand, x))


def elbo_gaussian(x, x_mean, z_mean, z_var, *, noise_var=1.0):
    r"""The ELBO of a VAE with a Gaussian encoder and decoder, per data point, at one sample of the latent.

    With the encoder :math:`q(z \mid x) = \mathcal N(\mu, \mathrm{diag}\, s^2)` (``z_mean``, ``z_var``), the prior
    :math:`\mathcal N(0, I)` and the decoder :math:`p(x \mid z) = \mathcal N(\hat x, v I)` (``x_mean`` = the
    decoder's output at a sample of :math:`q`, ``noise_var`` = :math:`v`),

    .. math:: \mathrm{ELBO} = \log p(x \mid z) - \mathrm{KL}\big(q(z \mid x) \,\|\, p(z)\big)
              = -\sum_j \mathrm{NLL}_\text{Gauss}(x_j; \hat x_j, v) - \sum_k \mathrm{KL}_k,

    the reconstruction term being :func:`lossnotes.losses.gaussian_nll` (squared error up to a constant and a
    scale) and the KL term :func:`lossnotes.losses.gaussian_kl` against the prior. Averaged over samples of
    :math:`z`, it is a lower bound of :math:`\log p(x)`.

    Parameters
    ----------
    x, x_mean : array_like
        Data and decoder means, the same shape ``(..., D)``.
    z_mean, z_var : array_like
        The encoder's means and variances (> 0), the same shape ``(..., K)``, with the leading shape of ``x``.
    noise_var : float or array_like, default 1.0
        The decoder's variance, > 0 (a number or the shape of ``x``).

    Returns
    -------
    ndarray
        The ELBO of each data point, shape ``x.shape[:-1]``.

    References
    ----------
    Kingma and Welling, "Auto-encoding variational Bayes", ICLR (2014), equation (10) and appendix B.
    """
    from .losses import gaussian_kl, gaussian_nll

    x = _finite(x, "x")
    x_mean = _finite(x_mean, "x_mean")
    z_mean = _finite(z_mean, "z_mean")
    z_var = _finite(z_var, "z_var")
    if x.ndim == 0 or z_mean.ndim == 0:
        raise ValueError("x and z_mean need a last axis: the coordinates of one data point and of its latent")
    if x_mean.shape != x.shape:
        raise ValueError(f"x has shape {x.shape} but x_mean has shape {x_mean.shape}; they must match exactly")
    if z_var.shape != z_mean.shape:
        raise ValueError(f"z_mean has shape {z_mean.shape} but z_var has shape {z_var.shape}; they must match")
    if z_mean.shape[:-1] != x.shape[:-1]:
        raise ValueError(
            f"x has data points of shape {x.shape[:-1]} but z_mean has {z_mean.shape[:-1]}: one latent per data point"
        )
    z_var = chk.positive(z_var, "z_var", shape=z_mean.shape)
    noise_var = chk.positive(noise_var, "noise_var", shape=x.shape)
    recon = gaussian_nll(x, x_mean, var=noise_var, reduction="none").sum(axis=-1)
    kl = gaussian_kl(np.zeros_like(z_mean), z_mean, var=z_var, prior_var=1.0, reduction="none").sum(axis=-1)
    return -recon - kl


def tweedie_denoiser(x_noisy, score, sigma):
    r"""Tweedie's formula: :math:`\mathbb E[x \mid \tilde x] = \tilde x + \sigma^2\,\nabla\log p(\tilde x)`.

    For :math:`\tilde x = x + \sigma \varepsilon` with Gaussian :math:`\varepsilon`, the best denoiser under squared
    error is the noisy point moved along the score of the *noisy* density :math:`p` (the data's density blurred by
    the noise). Denoising score matching turns this around: a network trained by squared error to denoise learns
    the score.

    Parameters
    ----------
    x_noisy, score : array_like
        Noisy points and the score of the noisy density at them, the same shape.
    sigma : float
        The noise's standard deviation, > 0.

    Returns
    -------
    ndarray
        The posterior means, the shape of ``x_noisy``.

    References
    ----------
    Efron, "Tweedie's formula and selection bias", JASA 106 (2011); Vincent, "A connection between score matching
    and denoising autoencoders", Neural Computation 23 (2011).
    """
    x = _finite(x_noisy, "x_noisy")
    s = _finite(score, "score")
    if s.shape != x.shape:
        raise ValueError(f"x_noisy has shape {x.shape} but score has shape {s.shape}; they must match exactly")
    sigma = chk.positive(sigma, "sigma")
    return x + sigma * sigma * s
