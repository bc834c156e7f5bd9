"""Grading that is fair at class scale, and a score that cannot be bought from inside the notebook.

One batch is graded per run, every submission chosen for what it shows:

- for every assignment, every answer that is right but written differently (with ordinary notebook habits and a
  trailing star import) scores full marks; an assignment's typical mistakes score below full marks on every
  question; one untouched student notebook scores 0 on every question;
- the file layouts of a real download: a solution in a per-student subfolder, renamed by Colab and with an upper-case
  extension; one exported as a .py script; one saved under another assignment's name (graded by its metadata, and
  flagged); a file that is not a notebook (listed, not graded);
- hostile notebooks: the typical mistakes plus every trick that bought a score before (rewriting and restoring the
  test files with NumPy, patching Otter and NumPy through aliases, reading the test files, answers whose type rigs
  comparison) score exactly what the mistakes score alone; a notebook that starts a background process and then
  kills its own kernel keeps the points of the questions it answered before, and leaves no process behind.

Each assignment's solved notebook is also replayed once in this process: against it every solution passes its
hidden tests and every typical mistake loses points on them, the right answer passes the public checks and the
typical mistake fails them with its hint.
They also run on a simulated Colab. The timeout test uses a short limit. Installing the autograder zip's stack in a
clean environment needs the package registry, so it is not here: `make test-zip` runs it (tests/zip_install.py).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "exercises"
NAMES = [m.stem for m in sorted((EX / "source").glob("[0-9][0-9]_*.ipynb"))]
sys.path.insert(0, str(EX))
import assign  # noqa: E402
import grade  # noqa: E402

# exercise 09 q4: a stable distillation loss; its mistakes change the arguments, the reduction or the factor
DISTIL = (
    "def distillation_loss(student_logits, teacher_logits, temperature):\n    def ls(z, t):\n"
    "        z = np.asarray(z, dtype=float) / t\n        z = z - z.max(axis=1, keepdims=True)\n"
    "        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))\n\n    T = temperature\n"
    "    lp, lq = ls({teacher}), ls({student})\n    E = np.exp(lp) * (lp - lq)\n    KL = E.sum(axis=1)\n"
    "    return float({loss})"
)
DISTIL_T2 = "T**2 * np.mean(KL)"

# question -> (right but written differently, a typical mistake, a phrase of the public check's hint for it)
VARIANTS = {
    "02_maximum_likelihood": {
        "q1": (
            "nll_bernoulli = sp.log(1 + sp.exp(f)) - y * f",
            "nll_bernoulli = sp.log(p**y * (1 - p) ** (1 - y))",
            "did you take minus the log?",
        ),
        "q2": (
            "def gaussian_mle(sample):\n    s = np.asarray(sample, dtype=float)\n"
            "    return float(s.mean()), float(s.std())",
            "def gaussian_mle(sample):\n    s = np.asarray(sample, dtype=float)\n"
            "    return float(np.mean(s)), float(np.std(s, ddof=1))",
            "check the denominator",
        ),
        "q3": (
            "from scipy.special import rel_entr\n\n"
            "best_model = min(candidates, key=lambda k: -np.sum(p_data * np.log(candidates[k])))\n"
            "kl_best = float(np.sum(rel_entr(p_data, candidates[best_model])))",
            "kl_best = float(np.sum(candidates[best_model] * np.log(candidates[best_model] / p_data)))",
            "kl_best is not KL(p_data || q)",
        ),
    },
    "03_noise_models": {
        "q1": (
            "nll_laplace = sp.log(2) + sp.log(b) + sp.Abs(y - f) / b",
            "nll_laplace = sp.log(sp.exp(-sp.Abs(y - f) / b) / (2 * b))",
            "did you take minus the log",
        ),
        "q2": (
            "from scipy import stats\n\nnoise_guess = {\n"
            "    k: 'cauchy' if stats.kurtosis(r) > 50 else 'laplace' if stats.kurtosis(r) > 1.5 else 'gaussian'\n"
            "    for k, r in residuals.items()\n}",
            "noise_guess = {'A': 'gaussian', 'B': 'cauchy', 'C': 'gaussian'}",
            "use each name once",
        ),
        "q3": (
            "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n"
            "    return np.divide(np.clip(r, -delta, delta), r, out=np.ones_like(r), where=r != 0)",
            "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n"
            "    return np.where(r == 0, 1.0, np.clip(r, -delta, delta) / r)",
            "avoid the division there",
        ),
        "q4": (
            "def pull_share(r, name, **params):\n    r = np.asarray(r, dtype=float)\n"
            "    size = np.abs(ln.losses.LOSSES[name].grad(np.zeros_like(r), r, **params))\n"
            "    return float(size[-1] / np.sum(size))\n\n\n"
            "r = r_crowd\npulls = {'mse': np.abs(2 * r), 'mae': np.ones_like(r), 'huber': np.minimum(np.abs(r), 1.0)}\n"
            "outlier_pull = {k: float(v[-1] / v.sum()) for k, v in pulls.items()}",
            "def pull_share(r, name, **params):\n    r = np.asarray(r, dtype=float)\n"
            "    loss = ln.losses.LOSSES[name]\n"
            "    v = loss(np.zeros_like(r), r, reduction='none', **params)\n    return float(v[-1] / v.sum())\n\n\n"
            "outlier_pull = {k: pull_share(r_crowd, k, **p)\n"
            "                for k, p in [('mse', {}), ('mae', {}), ('huber', {'delta': 1.0})]}",
            "share of the loss",
        ),
        "q6": (
            "fisher_laplace = b**-2\nare_median = 0.6366",
            "fisher_laplace = 1 / b\nare_median = 2 / np.pi",
            "not its size",
        ),
    },
    "04_conditional_statistics": {
        "q1": (
            "from scipy.optimize import minimize_scalar\n\n"
            "def fitted(loss, **kw):\n"
            "    res = minimize_scalar(lambda c: loss(incomes, np.full_like(incomes, c), **kw),\n"
            "                          bounds=(incomes.min(), incomes.max()), method='bounded',\n"
            "                          options={'xatol': 1e-10})\n"
            "    return res.x\n\n"
            "best = {'mse': fitted(ln.losses.mse), 'mae': fitted(ln.losses.mae),\n"
            "        'pinball_0.9': fitted(ln.losses.pinball, tau=0.9)}",
            "best = {'mse': float(np.mean(incomes)), 'mae': float(np.median(incomes)),\n"
            "        'pinball_0.9': float(np.quantile(incomes, 0.1))}",
            "its minimiser lies above the median",
        ),
        "q2": (
            "def pinball_loss(y, pred, tau):\n    if not (0 < tau < 1):\n        raise ValueError('tau')\n"
            "    u = np.asarray(y, dtype=float) - np.asarray(pred, dtype=float)\n"
            "    return np.where(u >= 0, tau * u, (tau - 1) * u)",
            "def pinball_loss(y, pred, tau):\n    if not (0 < tau < 1):\n        raise ValueError('tau')\n"
            "    u = np.asarray(pred, dtype=float) - np.asarray(y, dtype=float)\n"
            "    return np.maximum(tau * u, (tau - 1) * u)",
            "check the sign of y - pred",
        ),
        "q3": ("q_exp = -sp.log(1 - tau) / lam", "q_exp = sp.log(1 - tau) / lam", "a quantile of a positive variable"),
        "q5": ("eff_median = 2 / np.pi", "eff_median = np.pi / 2", "lies in (0, 1]"),
        "q6": (
            "from scipy.optimize import brentq\n\n"
            "def expectile(y, tau):\n    y = np.asarray(y, dtype=float)\n"
            "    gap = lambda c: tau * np.mean(np.maximum(y - c, 0)) - (1 - tau) * np.mean(np.maximum(c - y, 0))\n"
            "    return brentq(gap, y.min(), y.max(), xtol=1e-14)",
            "def expectile(y, tau):\n    return float(np.quantile(y, tau))",
            "half the squared error",
        ),
    },
    "05_output_units": {
        "q1": (
            "def stable_bce(y, z):\n    y, z = np.asarray(y, dtype=float), np.asarray(z, dtype=float)\n"
            "    return y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)",
            "def stable_bce(y, z):\n    y, z = np.asarray(y, dtype=float), np.asarray(z, dtype=float)\n"
            "    softplus = np.maximum(z, 0) + np.log(1 + np.exp(-np.abs(z)))\n    return softplus - y * z",
            "1 + tiny rounds to 1",
        ),
        "q2": (
            "from scipy.special import logsumexp\n\n"
            "def ce_grad(z, labels):\n    z = np.asarray(z, dtype=float)\n"
            "    g = np.exp(z - logsumexp(z, axis=1, keepdims=True))\n"
            "    g[np.arange(len(labels)), labels] -= 1\n    return g",
            "def ce_grad(z, labels):\n    e = np.exp(np.asarray(z, dtype=float))\n"
            "    p = e / e.sum(axis=1, keepdims=True)\n    p[np.arange(len(labels)), labels] -= 1\n    return p",
            "softmax is shift invariant",
        ),
        "q3": (
            "from scipy.optimize import minimize\n\n"
            "res = minimize(lambda w: ln.losses.cross_entropy(classes, np.tile(w, (classes.size, 1))),\n"
            "               np.zeros(4), jac=lambda w: ln.losses.cross_entropy.grad(classes, "
            "np.tile(w, (classes.size, 1))).mean(axis=0), tol=1e-12)\n"
            "p_fit = ln.units.softmax(res.x)",
            "p_fit = np.array([0.1, 0.2, 0.3, 0.4])",
            "the probabilities that drew the labels",
        ),
        "q4": (
            "sig = 1 / (1 + sp.exp(-z))\ngrad_sq = 2 * (sig - 1) * sig * (1 - sig)\ngrad_bce = sig - 1",
            "grad_bce = sp.diff(sp.log(sig), z)",
            "its derivative is negative",
        ),
        "q6": (
            "from scipy.special import softmax\n\n"
            "def distill_grad(z_s, z_t, T):\n"
            "    return (softmax(np.asarray(z_s) / T, axis=1) - softmax(np.asarray(z_t) / T, axis=1)) / T",
            "def distill_grad(z_s, z_t, T):\n    def sm(a):\n        e = np.exp(a - a.max(axis=1, keepdims=True))\n"
            "        return e / e.sum(axis=1, keepdims=True)\n\n"
            "    return sm(np.asarray(z_s, dtype=float) / T) - sm(np.asarray(z_t, dtype=float) / T)",
            "brings a factor 1/T",
        ),
    },
    "06_margins": {
        "q1": (
            "removable = np.ones(n, dtype=bool)\nremovable[svm.support] = False",
            "removable = margins >= 1 - 1e-6",
            "cannot be removed",
        ),
        "q2": (
            "def squared_hinge_grad(y, s):\n    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)\n"
            "    if not np.all(np.isin(y, [-1.0, 1.0])):\n        raise ValueError('labels are -1 or +1')\n"
            "    m = 1 - y * s\n    return np.where(m > 0, -2 * y * m, 0.0)",
            "def squared_hinge_grad(y, s):\n    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)\n"
            "    return -2.0 * y * np.maximum(0.0, 1.0 - y * s)",
            "raise ValueError",
        ),
        "q3": (  # exactly -1 / (1 + e^m), but its float value at m = 30 cancels: graded exactly, it scores full marks
            "dlogistic = sp.diff(sp.log(sp.exp(mm) + 1) - mm, mm)\n"
            "tail_ratio = sp.N(sp.limit(dlogistic / sp.exp(-mm), mm, sp.oo))",
            "dlogistic = sp.diff(sp.log(1 + sp.exp(mm)), mm)",
            "the derivative is negative",
        ),
        "q4": (
            "f_star_exp = sp.atanh(2 * eta - 1)\nrecovers_eta = set(['squared', 'logistic', 'exponential'])",
            "f_star_exp = sp.log(eta / (1 - eta))",
            "not 0",
        ),
        "q5": (
            "def crammer_singer(y, s):\n    y, s = np.asarray(y), np.asarray(s, dtype=float)\n"
            "    if not np.all(np.isin(y, np.arange(s.shape[1]))):\n        raise ValueError('labels 0 .. K - 1')\n"
            "    out = []\n    for yi, si in zip(y.astype(int), s):\n"
            "        out.append(max(0.0, 1.0 + max(np.delete(si, yi)) - si[yi]))\n    return np.array(out)\n\n\n"
            "risk_tie = 1.0\nrisk_ahead = float(0.4 * 0 + 0.6 * 2)",
            "def crammer_singer(y, s):\n    y, s = np.asarray(y), np.asarray(s, dtype=float)\n"
            "    if not np.all(np.isin(y, np.arange(s.shape[1]))):\n        raise ValueError('labels 0 .. K - 1')\n"
            "    return np.maximum(0.0, 1.0 + s.max(axis=1) - s[np.arange(len(y)), y.astype(int)])",
            "the other classes k != y",
        ),
    },
    "07_loss_vs_metric": {
        "q1": (
            "def auc(y, score):\n    y, score = np.asarray(y), np.asarray(score)\n"
            "    pos, neg = score[y == 1], score[y == 0]\n"
            "    return float(np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])))",
            "def auc(y, score):\n    y, score = np.asarray(y), np.asarray(score)\n"
            "    pos, neg = score[y == 1], score[y == 0]\n    return float(np.mean(pos[:, None] > neg[None, :]))",
            "ties count one half",
        ),
        "q2": (
            "acc_const = 1.0 - float(np.mean(y_rare))\nrecall_const = float(0)\n"
            "p_brier_const = float(y_rare.sum() / y_rare.size)\nbrier_const = p_brier_const * (1 - p_brier_const)",
            "p_brier_const = 0.0\nbrier_const = float(np.mean(y_rare))",
            "the best constant does better",
        ),
        "q3": (
            "log_score = -(p * sp.log(q) + (1 - p) * sp.log(1 - q))\nq_star_log = p\n"
            "q_star_brier = sp.solve(sp.diff(brier, q), q)[0]",
            "log_score = p * sp.log(q) + (1 - p) * sp.log(1 - q)\nq_star_log = sp.solve(sp.diff(log_score, q), q)[0]",
            "check the sign",
        ),
        "q4": (
            "def ece(y, prob, n_bins=10):\n    y, prob = np.asarray(y, dtype=float), np.asarray(prob, dtype=float)\n"
            "    conf = np.where(prob > 0.5, prob, 1 - prob)\n    right = ((prob > 0.5) == (y == 1)).astype(float)\n"
            "    idx = np.clip(np.floor(conf * n_bins).astype(int), 0, n_bins - 1)\n"
            "    gap = np.bincount(idx, weights=right, minlength=n_bins)\n"
            "    gap -= np.bincount(idx, weights=conf, minlength=n_bins)\n"
            "    return float(np.abs(gap).sum() / y.size)",
            "def ece(y, prob, n_bins=10):\n    y, prob = np.asarray(y, dtype=float), np.asarray(prob, dtype=float)\n"
            "    conf = np.maximum(prob, 1 - prob)\n    right = ((prob > 0.5) == (y == 1)).astype(float)\n"
            "    idx = np.minimum((conf * n_bins).astype(int), n_bins - 1)\n"
            "    return float(np.mean([abs(right[idx == b].mean() - conf[idx == b].mean()) for b in np.unique(idx)]))",
            "weight each bin's gap",
        ),
        "q5": (
            "from scipy.optimize import minimize_scalar\n\n\n"
            "def fit_temperature(y, logits):\n    z = np.asarray(logits, dtype=float)\n"
            "    nll = lambda t: float(np.mean(-ln.units.log_softmax(z / t)[np.arange(len(y)), y]))\n"
            "    return float(minimize_scalar(nll, bounds=(0.01, 50.0), method='bounded', "
            "options={'xatol': 1e-10}).x)\n\n\nT_held = fit_temperature(y_held, z_held)",
            "from scipy.optimize import minimize_scalar\n\n\n"
            "def fit_temperature(y, logits):\n    z = np.asarray(logits, dtype=float)\n"
            "    nll = lambda t: float(ln.losses.cross_entropy(y, z * t))\n"
            "    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method='bounded').x)\n\n\n"
            "T_held = fit_temperature(y_held, z_held)",
            "does not multiply them",
        ),
        "q6": (
            "def bayes_threshold(c_fp, c_fn):\n    if min(c_fp, c_fn) <= 0:\n        raise ValueError('costs > 0')\n"
            "    return 1 / (1 + c_fn / c_fp)",
            "def bayes_threshold(c_fp, c_fn):\n    if min(c_fp, c_fn) <= 0:\n        raise ValueError('costs > 0')\n"
            "    return c_fn / (c_fp + c_fn)",
            "should need a higher probability",
        ),
    },
    "09_losses_in_your_framework": {
        "q1": (
            "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T / temperature\n"
            "    return float(np.mean(-np.diag(ln.units.log_softmax(s, axis=1))))",
            "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T / temperature\n"
            "    return float(ln.losses.cross_entropy(np.zeros(len(s), dtype=int), s))",
            "the labels are 0, 1, ..., n - 1",
        ),
        "q2": (
            "rows = np.arange(labels.size)\nloss_right = float(np.mean(-ln.units.log_softmax(logits)[rows, labels]))\n"
            "loss_wrong = float(np.mean(-ln.units.log_softmax(ln.units.softmax(logits))[rows, labels]))",
            "loss_right, loss_wrong = loss_wrong, loss_right",
            "so something else went in",
        ),
        "q3": ("sigma_forward = 10**0.5\nmode_seeking = 'reverse'", "sigma_forward = 1.0", "cover both modes"),
        "q4": (
            "def distillation_loss(student_logits, teacher_logits, temperature):\n"
            "    zs = np.asarray(student_logits, dtype=float) / temperature\n"
            "    zt = np.asarray(teacher_logits, dtype=float) / temperature\n"
            "    ls = zs - zs.max(axis=1, keepdims=True)\n    ls = ls - np.log(np.exp(ls).sum(axis=1, keepdims=True))\n"
            "    lt = zt - zt.max(axis=1, keepdims=True)\n    lt = lt - np.log(np.exp(lt).sum(axis=1, keepdims=True))\n"
            "    return float(temperature**2 * (np.exp(lt) * (lt - ls)).sum() / len(zt))",
            DISTIL.format(teacher="teacher_logits, T", student="student_logits, T", loss="np.mean(KL)"),
            "multiply it by T^2",
        ),
    },
    "10_generative_models": {
        "q1": (
            "kl_term = sp.log(1 / s) + (s**2 + m**2) / 2 - sp.Rational(1, 2)",
            "kl_term = (s + m**2 - 1) / 2 - sp.log(s)",
            "the variance of N(m, s^2) is s**2",
        ),
        "q2": (
            "from scipy.special import expit\n\n"
            "def non_saturating_grad(logit):\n    return -expit(-np.asarray(logit, dtype=float))",
            "def non_saturating_grad(logit):\n    return -1 / (1 + np.exp(np.asarray(logit, dtype=float)))",
            "never exponentiate a large positive number",
        ),
        "q3": (
            "x = np.linspace(-12, 12, 240_001)\njs_pq = ln.generative.js_divergence(p_data(x), q_gen(x), x)\n"
            "v_star = ln.generative.gan_value(p_data(x), q_gen(x), x)",
            "v_star = 2 * js_pq",
            "did you forget the - log 4",
        ),
        "q4": (
            "def best_denoiser(x_noisy, mu, tau, sigma):\n    x = np.asarray(x_noisy, dtype=float)\n"
            "    score = -(x - mu) / (tau**2 + sigma**2)  # the noisy values are N(mu, tau^2 + sigma^2)\n"
            "    return ln.generative.tweedie_denoiser(x, score, sigma)",
            "def best_denoiser(x_noisy, mu, tau, sigma):\n"
            "    return mu + tau / (tau + sigma) * (np.asarray(x_noisy, dtype=float) - mu)",
            "not their standard deviations",
        ),
    },
}

# more typical mistakes, each answered by a public check with a hint that names its cause:
# assignment -> question -> [(the mistake, a phrase of the hint), ...] (each question's first mistake is in VARIANTS)
TYPICAL_MISTAKES = {
    "02_maximum_likelihood": {
        "q2": [
            (
                "def gaussian_mle(sample):\n    s = np.asarray(sample, dtype=float)\n"
                "    return float(np.mean(s)), float(np.var(s))",
                "sigma is the standard deviation",
            ),
        ],
    },
    "03_noise_models": {
        "q1": [
            ("nll_laplace = sp.Abs(y - f) / b", "did you drop the log(2b) term?"),
            ("nll_laplace = sp.log(2 * b) + (y - f) ** 2 / b", "did you square the error"),
        ],
        "q4": [
            (
                "def pull_share(r, name, **params):\n    r = np.asarray(r, dtype=float)\n"
                "    g = ln.losses.LOSSES[name].grad(np.zeros_like(r), r, **params)\n"
                "    return float(g[-1] / g.sum())\n\n\n"
                "outlier_pull = {k: pull_share(r_crowd, k, **p)\n"
                "                for k, p in [('mse', {}), ('mae', {}), ('huber', {'delta': 1.0})]}",
                "signed gradients cancel",
            ),
        ],
        "q6": [
            ("fisher_laplace = b**2\nare_median = 2 / np.pi", "the information is its inverse"),
            ("fisher_laplace = 1 / b**2\nare_median = np.pi / 2", "divide the median's variance"),
        ],
        "q3": [
            (
                "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n    big = np.abs(r) > delta\n"
                "    return np.where(big, delta / np.where(big, r, 1.0), 1.0)",
                "did you forget an abs?",
            ),
            (
                "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n    big = r > delta\n"
                "    return np.where(big, delta / np.where(big, r, 1.0), 1.0)",
                "did you forget an abs?",
            ),
        ],
    },
    "04_conditional_statistics": {
        "q3": [("tau, lam = sp.symbols('tau lam')\nq_exp = -sp.log(1 - tau) / lam", "positive=True")],
        "q6": [
            (
                "from scipy.optimize import minimize_scalar\n\ndef expectile(y, tau):\n"
                "    y = np.asarray(y, dtype=float)\n"
                "    risk = lambda c: np.mean(np.abs(tau - (y > c)) * (y - c) ** 2)\n"
                "    return minimize_scalar(risk, bounds=(y.min(), y.max()), method='bounded').x",
                "check which side gets tau",
            ),
        ],
    },
    "05_output_units": {
        "q2": [
            (
                "def ce_grad(z, labels):\n    z = np.asarray(z, dtype=float)\n"
                "    e = np.exp(z - z.max(axis=1, keepdims=True))\n    p = e / e.sum(axis=1, keepdims=True)\n"
                "    return np.eye(z.shape[1])[labels] - p",
                "check the sign",
            ),
        ],
        "q4": [("grad_sq = 2 * (sig - 1)\ngrad_bce = sp.diff(-sp.log(sig), z)", "apply the chain rule")],
    },
    "06_margins": {
        "q2": [
            (
                "def squared_hinge_grad(y, s):\n    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)\n"
                "    if np.any(np.abs(y) != 1):\n        raise ValueError('labels are -1 or +1')\n"
                "    return -y * np.maximum(0.0, 1.0 - y * s)",
                "brings down a factor 2",
            ),
            (
                "def squared_hinge_grad(y, s):\n    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)\n"
                "    if np.any(np.abs(y) != 1):\n        raise ValueError('labels are -1 or +1')\n"
                "    return -2.0 * np.maximum(0.0, 1.0 - y * s)",
                "not with respect to the margin",
            ),
        ],
    },
    "07_loss_vs_metric": {
        "q6": [("def bayes_threshold(c_fp, c_fn):\n    return c_fp / (c_fp + c_fn)", "raise ValueError")],
    },
    "09_losses_in_your_framework": {
        "q1": [
            (
                "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T\n"
                "    return float(ln.losses.cross_entropy(np.arange(len(s)), s))",
                "not divided by the temperature",
            ),
            (
                "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T * temperature\n"
                "    return float(ln.losses.cross_entropy(np.arange(len(s)), s))",
                "a b^T / T divides by the temperature",
            ),
            (
                "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T / temperature\n"
                "    return float(ln.losses.cross_entropy(np.arange(len(s)), s, reduction='sum'))",
                "return their mean",
            ),
            (
                "def info_nce(a, b, temperature):\n    s = np.asarray(a) @ np.asarray(b).T / temperature\n"
                "    return float(np.mean(np.log(np.exp(s).sum(axis=1)) - np.diag(s)))",
                "exp overflows",
            ),
        ],
        "q4": [
            (DISTIL.format(teacher="student_logits, T", student="teacher_logits, T", loss=DISTIL_T2), "the wrong way"),
            (DISTIL.format(teacher="teacher_logits, T", student="student_logits, 1.0", loss=DISTIL_T2), "student's"),
            (
                DISTIL.format(teacher="teacher_logits, T", student="student_logits, T", loss="T**2 * np.mean(E)"),
                "you averaged over every entry",
            ),
            (DISTIL.format(teacher="teacher_logits, T", student="student_logits, T", loss="T * np.mean(KL)"), "is T:"),
            (
                DISTIL.replace("        z = z - z.max(axis=1, keepdims=True)\n", "").format(
                    teacher="teacher_logits, T", student="student_logits, T", loss=DISTIL_T2
                ),
                "exp overflows",
            ),
        ],
    },
    "10_generative_models": {
        "q1": [
            ("kl_term = (s**2 + m**2 - 1) / 2 + sp.log(s)", "check the sign of the log term"),
            ("kl_term = s**2 + m**2 - 1 - 2 * sp.log(s)", "did you forget the factor 1/2?"),
            ("kl_term = (s**2 + m**2 - 1) / 2 - 2 * sp.log(s)", "check how the variance and the log term enter"),
            (
                "m, s = sp.symbols('m s')\nkl_term = (s**2 + m**2 - 1) / 2 - sp.log(s)",
                "with the symbols m and s of the setup cell",
            ),
        ],
        "q2": [
            (
                "def non_saturating_grad(logit):\n    z = np.asarray(logit, dtype=float)\n    e = np.exp(-np.abs(z))\n"
                "    return -np.where(z >= 0, 1 / (1 + e), e / (1 + e))",
                "the derivative of the saturating loss",
            ),
            (
                "from scipy.special import expit\n\n"
                "def non_saturating_grad(logit):\n    return -(1 - expit(np.asarray(logit, dtype=float)))",
                "1 - sigma(z) cancels to 0",
            ),
            (
                "def non_saturating_grad(logit):\n    z = np.asarray(logit, dtype=float)\n    e = np.exp(-np.abs(z))\n"
                "    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))",
                "check the sign",
            ),
        ],
        "q3": [("js_pq = js_pq / np.log(2)", "did you use log2 (bits)")],
        "q4": [
            (
                "def best_denoiser(x_noisy, mu, tau, sigma):\n"
                "    return tau**2 / (tau**2 + sigma**2) * np.asarray(x_noisy, dtype=float)",
                "the best guess is the prior mean mu",
            ),
            (
                "def best_denoiser(x_noisy, mu, tau, sigma):\n"
                "    return mu + sigma**2 / (tau**2 + sigma**2) * (np.asarray(x_noisy, dtype=float) - mu)",
                "the best guess is the noisy value itself",
            ),
        ],
    },
}

# a mistake the question forbids although the values come out right: silencing NumPy instead of avoiding 0 / 0
SILENCED = (
    "def huber_weight(r, delta):\n    r = np.asarray(r, dtype=float)\n"
    "    with np.errstate(divide='ignore', invalid='ignore'):\n        w = np.clip(r, -delta, delta) / r\n"
    "    return np.where(r == 0, 1.0, w)"
)

# what students do that is not cheating: graded normally, never flagged
HABITS = [
    'print("all tests pass")',
    'model_path = "model.py"',
    "%matplotlib inline",
    "%timeit -n 2 -r 2 np.sqrt(2.0)",
    "np.quantile?",
    "sum = 0.0\nfor value in [1.0, 2.0, 3.0]:\n    sum += value",
    "first_tries = rng.normal(size=5)  # trying things on a few draws",
]


def _run(*args, timeout=900, env=None):
    proc = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def _check_index(nb, q):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source == f'grader.check("{q}")')


def submission(built, name, answers=(), extra=(), last=()):
    """The solved notebook as a student hands it in (the Colab cell first), with `answers` (question -> code)
    run just before that question's check, `extra` cells after the setup and `last` cells at the end."""
    nb = nbformat.read(built / f"{name}-solution.ipynb", as_version=4)
    for q, code in answers:
        nb.cells.insert(_check_index(nb, q), nbformat.v4.new_code_cell(code))
    setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "import lossnotes as ln" in c.source)
    for k, code in enumerate(extra):
        nb.cells.insert(setup + 1 + k, nbformat.v4.new_code_cell(code))
    nb.cells += [nbformat.v4.new_code_cell(code) for code in last]
    nb.cells.insert(0, nbformat.v4.new_code_cell(assign.colab_setup_source(grader=True)))
    return nb


def points(built, name):
    m = json.loads((built / f"{name}.json").read_text())
    return {q["name"]: q["points"] for q in m["questions"] if not q["manual"]}


def mistakes(name):
    return [(q, v[1]) for q, v in VARIANTS[name].items()]


# the tricks that bought points before, all in one cell after the last answer (tests/qN.py in the sandbox are the
# public checks only; Otter and NumPy are patched through the names the notebook already has)
TRICKS = """
import ast as _ast
_tf = np.fromfile("tests/q1.py", dtype=np.uint8)
_seen = _ast.literal_eval(repr(bytes(_tf).decode()))  # the test file's text, read without open()
np.frombuffer(b"OK_FORMAT = False\\nname = 'q1'\\npoints = 0\\n", dtype=np.uint8).tofile("tests/q1.py")
import otter

_o = otter
_o.test_files.ExceptionTestFile.run = lambda self, env: None
_o.test_files.abstract_test.TestFile.score = property(lambda self: 10.0)
_m = np
_m.allclose = lambda *a, **k: True
_m.isclose = lambda *a, **k: True
_tf.tofile("tests/q1.py")  # restored before the run ends
"""

# answers whose type rigs comparison: equal to anything, so a test comparing the object itself would pass
RIGGED_Q2 = """
class _Anything(dict):
    def __eq__(self, other):
        return True

    __hash__ = None


noise_guess = _Anything({"A": "gaussian", "B": "gaussian", "C": "cauchy"})
"""
RIGGED_Q4 = """
class _Close(float):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__
    __hash__ = float.__hash__


def pull_share(r, name, **params):
    return _Close(0.9)


outlier_pull = {k: _Close(0.9) for k in ("mse", "mae", "huber")}
"""

# starts a process meant to outlive grading; KILLER, placed after q1 and q2 of 09, kills the kernel
BACKGROUND = "import subprocess\n\n_sleeper = subprocess.Popen(['sleep', '600'])"
KILLER = "import os\nimport signal\n\nos.kill(os.getpid(), signal.SIGKILL)"


# Loaded by every Python started with it on PYTHONPATH; kills a Jupyter kernel as it starts, before it answers, when
# the notebook in its folder says "dies always" (every start) or "dies twice" (its first two starts).
DYING_KERNEL = """
import glob
import os
import sys

if any("ipykernel" in a for a in sys.orig_argv):
    text = "".join(open(p).read() for p in glob.glob("*.ipynb"))
    deaths = len(open(".deaths").read()) if os.path.exists(".deaths") else 0
    if "kernel dies always" in text or ("kernel dies twice" in text and deaths < 2):
        open(".deaths", "a").write("x")
        sys.stderr.write("this kernel was told to die\\n")
        os._exit(3)
"""


@pytest.fixture(scope="module")
def batch(built, tmp_path_factory):
    """Every submission of the batch (file name -> notebook or text), graded once by `make grade`'s script."""
    subs = tmp_path_factory.mktemp("submissions")
    files = {}
    for name in NAMES:
        right = [(q, v[0]) for q, v in VARIANTS[name].items()]
        files[f"{name}-different.ipynb"] = submission(built, name, right, extra=HABITS, last=["from sympy import *"])
    files["05_output_units-mistakes.ipynb"] = submission(built, "05_output_units", mistakes("05_output_units"))
    files["ada/Copy of 02_maximum_likelihood.IPYNB"] = submission(built, "02_maximum_likelihood")
    files["bob/07_loss_vs_metric-bob.ipynb"] = submission(built, "06_margins")  # metadata: 06
    files["05_output_units-untouched.ipynb"] = nbformat.read(built / "students" / "05_output_units.ipynb", 4)
    files["05_output_units-hostile.ipynb"] = submission(built, "05_output_units", mistakes("05_output_units"),
                                                        last=[TRICKS])  # fmt: skip
    rigged = [(q, c) for q, c in mistakes("03_noise_models") if q not in ("q2", "q4")]
    files["03_noise_models-rigged.ipynb"] = submission(
        built, "03_noise_models", rigged + [("q2", RIGGED_Q2), ("q4", RIGGED_Q4)]
    )
    files["09_losses_in_your_framework-crash.ipynb"] = submission(
        built, "09_losses_in_your_framework", extra=[BACKGROUND], last=[]
    )
    crash = files["09_losses_in_your_framework-crash.ipynb"]
    crash.cells.insert(_check_index(crash, "q3"), nbformat.v4.new_code_cell(KILLER))  # after q1 and q2
    crash.cells.insert(_check_index(crash, "q3"), nbformat.v4.new_code_cell("sigma_forward = 0.0"))  # q3 wrong
    for rel, nb in files.items():
        (subs / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, subs / rel)
    py = submission(built, "04_conditional_statistics")
    (subs / "carol").mkdir()
    (subs / "carol" / "04_conditional_statistics.py").write_text(
        "\n\n".join(f"# %%\n{c.source}" for c in py.cells if c.cell_type == "code")
    )
    (subs / "notes.txt").write_text("this is not a notebook")
    for case in ("twice", "always"):  # kernels that die as they start (DYING_KERNEL)
        dying = submission(built, "02_maximum_likelihood", last=[f"# the kernel dies {case}"])
        nbformat.write(dying, subs / f"02_maximum_likelihood-dies-{case}.ipynb")
    site = tmp_path_factory.mktemp("site")
    (site / "sitecustomize.py").write_text(DYING_KERNEL)
    out = _run(EX / "grade.py", subs, "--build", built, "--timeout", 150, "--jobs", 2, env={"PYTHONPATH": str(site)})
    with open(subs / "grades.csv", newline="") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    return rows, out, subs


def _full(row, built, name):
    assert row["assignment"] == name, row
    for q, pts in points(built, name).items():
        assert float(row[q]) == pts > 0, (q, row)
    assert float(row["score"]) == float(row["max"]), row


def test_every_question_has_a_right_answer_and_a_mistake():
    for name in NAMES:
        auto = [q["name"] for q in assign.questions(EX / "source" / f"{name}.ipynb") if not q["manual"]]
        assert sorted(VARIANTS[name]) == sorted(auto), name


def test_every_file_gets_a_row(batch):
    rows, out, subs = batch
    on_disk = sorted(p.relative_to(subs).as_posix() for p in subs.rglob("*") if p.is_file() and p.name != "grades.csv")
    assert sorted(rows) == on_disk
    columns = list(next(iter(rows.values())))
    assert columns[:4] == ["file", "assignment", "score", "max"] and columns[-3:] == ["status", "flags", "seconds"]
    assert rows["notes.txt"]["status"] == "not graded: not a notebook or a .py export (.txt)"
    assert f"graded {len(rows) - 1} submission(s)" in out and "1 file(s) not graded" in out


@pytest.mark.parametrize("name", NAMES)
def test_right_answers_written_differently_score_full_marks(batch, built, name):
    rows, _, _ = batch
    r = rows[f"{name}-different.ipynb"]
    assert r["status"] == "ok" and r["flags"] == "", r
    _full(r, built, name)


def test_a_kernel_that_dies_starting_is_started_again(batch, built):
    """A kernel that dies before it answers ran none of the student's code: the submission is graded in a new one;
    a machine whose kernels never start gets a status that says so, and no points."""
    rows, _, _ = batch
    name = "02_maximum_likelihood"
    twice, always = rows[f"{name}-dies-twice.ipynb"], rows[f"{name}-dies-always.ipynb"]
    _full(twice, built, name)
    assert twice["status"] == "ok", twice
    assert float(always["score"]) == 0 and "did not start in 3 attempts" in always["status"], always
    assert "this kernel was told to die" in always["status"], always


def test_solutions_score_full_marks_whatever_their_file(batch, built):
    rows, _, _ = batch
    renamed = rows["ada/Copy of 02_maximum_likelihood.IPYNB"]  # subfolder, Colab's name, upper-case extension
    assert renamed["status"] == "ok" and renamed["flags"] == "", renamed
    _full(renamed, built, "02_maximum_likelihood")
    exported = rows["carol/04_conditional_statistics.py"]  # a .py export: no metadata, graded by its file name
    assert exported["status"] == "ok" and "graded from a .py export" in exported["flags"], exported
    _full(exported, built, "04_conditional_statistics")
    misnamed = rows["bob/07_loss_vs_metric-bob.ipynb"]  # 06's notebook under 07's name: its metadata decides
    assert "file name says 07_loss_vs_metric but the notebook's metadata says 06_margins" in misnamed["flags"]
    _full(misnamed, built, "06_margins")


def test_typical_mistakes_lose_points_through_the_grader(batch, built):
    rows, _, _ = batch
    r = rows["05_output_units-mistakes.ipynb"]
    assert r["flags"] == "", r
    for q, pts in points(built, "05_output_units").items():
        assert float(r[q]) < pts, (q, r)


def _hidden_score(replayed, built, name, q, code=""):
    """The score of question q's tests (hidden ones included) on the solved notebook's environment, with `code` run
    first: the same test files the grader runs, here against the objects themselves (as Otter runs them)."""
    from otter.test_files import ExceptionTestFile

    tf = ExceptionTestFile.from_string(grade.load_assignment(built / f"{name}-autograder.zip")["tests"][q])
    _with_answer(replayed, built, name, code, tf.run)
    return tf.score


def _with_answer(replayed, built, name, code, then):
    """Run `code` in a copy of the solved notebook's environment (in the students' folder, where Otter finds the
    notebook), then call `then(env)` there and return what it returns."""
    _, env = replayed[name]
    env = {k: copy.copy(v) if isinstance(v, dict | list) else v for k, v in env.items()}
    cwd = os.getcwd()
    os.chdir(built / "students")
    try:
        exec(compile(code, "<answer>", "exec"), env)
        return then(env)
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("name", NAMES)
def test_every_solution_passes_its_hidden_tests(replayed, built, name):
    for q, pts in points(built, name).items():
        assert _hidden_score(replayed, built, name, q) == pts, (name, q)


@pytest.mark.parametrize("name", NAMES)
def test_typical_mistakes_lose_points_on_every_question(replayed, built, name):
    for q, code in mistakes(name):
        assert _hidden_score(replayed, built, name, q, code) < points(built, name)[q], (name, q)


def test_an_untouched_notebook_scores_zero(batch, built):
    rows, _, _ = batch
    r = rows["05_output_units-untouched.ipynb"]
    assert r["flags"] == "" and all(float(r[q]) == 0 for q in points(built, "05_output_units")), r


def test_tricks_buy_nothing_and_are_flagged(batch, built):
    rows, _, _ = batch
    plain, hostile = rows["05_output_units-mistakes.ipynb"], rows["05_output_units-hostile.ipynb"]
    assert [hostile[q] for q in points(built, "05_output_units")] == [
        plain[q] for q in points(built, "05_output_units")
    ]
    for what in ("uses .fromfile", "uses .tofile", "assigns into a module through the alias _o",
                 "assigns into a module through the alias _m"):  # fmt: skip
        assert what in hostile["flags"], hostile["flags"]


def test_answers_that_rig_comparison_score_their_values(batch, built):
    rows, _, _ = batch
    r = rows["03_noise_models-rigged.ipynb"]
    assert float(r["q2"]) < points(built, "03_noise_models")["q2"], r  # the values are wrong, whatever __eq__ says
    assert float(r["q4"]) < points(built, "03_noise_models")["q4"], r


def test_a_crash_keeps_the_points_before_it_and_no_process_outlives_grading(batch, built):
    rows, _, subs = batch
    name = "09_losses_in_your_framework"
    r = rows[f"{name}-crash.ipynb"]
    pts = points(built, name)
    assert float(r["q1"]) == pts["q1"] and float(r["q2"]) == pts["q2"] and float(r["q3"]) < pts["q3"], r
    assert "stopped the kernel" in r["status"] + r["flags"], r
    sleepers = [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "600"]]
    assert not sleepers, f"a process the submission started is still running: {sleepers}"


@pytest.mark.parametrize("code", HABITS + ["from sympy import *", "import numpy as np\nfrom scipy import stats"])
def test_habits_raise_no_flag(code):
    assert grade.flags(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])) == []


@pytest.mark.parametrize(
    ("code", "flag"),
    [
        ("with open('tests/q1.py', 'w') as fh:\n    fh.write('')", "uses open"),
        ("!cat tests/q1.py", "uses .system"),
        ("%%writefile tests/q1.py\nOK_FORMAT = True", "runs %writefile"),
        ("import subprocess", "imports subprocess"),
        ("from otter.execute import Checker", "imports otter.execute"),
        ("otter.Notebook.check = print", "assigns into otter"),
        ("np.allclose = lambda *a, **k: True", "assigns into np"),
        ("_m = np\n_m.allclose = lambda *a, **k: True", "assigns into a module through the alias _m"),
        ("x = eval('1 + 1')", "uses eval"),
        ("e = sp.sympify('x**2')", "uses .sympify"),
        ("().__class__.__base__.__subclasses__()", "uses .__class__"),
        ("a = np.fromfile('tests/q1.py', dtype=np.uint8)", "uses .fromfile"),
    ],
)
def test_suspicious_patterns_are_flagged(code, flag):
    found = grade.flags(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]))
    assert any(flag in f for f in found), found


@pytest.fixture(scope="module")
def replayed(built):
    """Each assignment's solved notebook run once in this process (past the Colab cell and Otter's own): its
    global environment, copied for each question's public check."""
    import otter

    envs = {}
    cwd = os.getcwd()
    os.chdir(built / "students")
    try:
        for name in NAMES:
            nb = submission(built, name)
            env = {}
            for cell in nb.cells[2:]:
                if cell.cell_type == "code" and not cell.source.startswith("grader.check"):
                    exec(compile(cell.source, "<cell>", "exec"), env)
            envs[name] = (otter.Notebook(f"{name}.ipynb"), env)
    finally:
        os.chdir(cwd)
    return envs


def _public_check(replayed, built, name, q, code):
    """Otter's `grader.check` for question q, with `code` run in a copy of the solved notebook's environment."""
    grader, _ = replayed[name]
    return _with_answer(replayed, built, name, code, lambda env: grader.check(q, global_env=env))


QUESTIONS = [(n, q) for n in NAMES for q in VARIANTS[n]]


@pytest.mark.parametrize(("name", "q"), QUESTIONS, ids=[f"{n}-{q}" for n, q in QUESTIONS])
def test_public_checks_pass_right_answers_and_hint_at_mistakes(replayed, built, name, q):
    right, wrong, hint = VARIANTS[name][q]
    assert _public_check(replayed, built, name, q, right).passed_all
    result = _public_check(replayed, built, name, q, wrong)
    assert not result.passed_all
    lines = [ln.strip() for ln in str(result).splitlines() if ln.strip().startswith("AssertionError: ")]
    assert lines and hint in lines[0], str(result)
    assert "Traceback" not in str(result)


MISTAKES = [(n, q, code, hint) for n, qs in TYPICAL_MISTAKES.items() for q, ms in qs.items() for code, hint in ms]


def test_typical_mistakes_are_of_auto_graded_questions():
    for name, qs in TYPICAL_MISTAKES.items():
        assert name in VARIANTS and set(qs) <= set(VARIANTS[name]), name


@pytest.mark.parametrize(
    ("name", "q", "code", "hint"), MISTAKES, ids=[f"{n}-{q}-{k}" for k, (n, q, _, _) in enumerate(MISTAKES)]
)
def test_public_checks_hint_at_typical_mistakes(replayed, built, name, q, code, hint):
    result = _public_check(replayed, built, name, q, code)
    assert not result.passed_all
    lines = [ln.strip() for ln in str(result).splitlines() if ln.strip().startswith("AssertionError: ")]
    assert lines and hint in lines[0], str(result)
    assert "Traceback" not in str(result)


def test_silencing_numpy_gets_a_hint(replayed, built):
    result = _public_check(replayed, built, "03_noise_models", "q3", SILENCED)
    assert not result.passed_all and "instead of silencing what NumPy says" in str(result)


def test_a_loop_is_stopped_at_the_time_limit(built, tmp_path):
    name = "02_maximum_likelihood"
    nb = nbformat.read(built / "students" / f"{name}.ipynb", as_version=4)
    nb.cells = [nbformat.v4.new_code_cell("nll_bernoulli = 1"), nbformat.v4.new_code_cell("while True:\n    pass")]
    nbformat.write(nb, tmp_path / f"{name}-loop.ipynb")
    t0 = time.perf_counter()
    _run(EX / "grade.py", tmp_path, "--build", built, "--timeout", 2, "--jobs", 1)
    with open(tmp_path / "grades.csv", newline="") as fh:
        (loop,) = list(csv.DictReader(fh))
    assert loop["status"].startswith("error: cell 2: interrupted at the time limit"), loop
    assert float(loop["score"]) == 0 and time.perf_counter() - t0 < 60, loop


FAKE_COLAB = {
    "google/__init__.py": "",
    "google/colab/__init__.py": "",
    "google/colab/_message.py": """
        import json
        import os


        def blocking_request(kind):
            assert kind == "get_ipynb"
            with open(os.environ["FAKE_COLAB_NOTEBOOK"]) as fh:
                return {"ipynb": json.load(fh)}
    """,
    "google/colab/_shell.py": """
        from ipykernel.zmqshell import ZMQInteractiveShell


        class Shell(ZMQInteractiveShell):
            def init_magics(self):
                super().init_magics()
                self.register_magic_function(lambda line: print("(pip: not on this machine)"), "line", "pip")
    """,
    "google/colab/_kernel.py": """
        from ipykernel.ipkernel import IPythonKernel
        from traitlets import Type

        from google.colab._shell import Shell


        class Kernel(IPythonKernel):
            shell_class = Type(Shell)
    """,
}


def test_public_checks_run_on_colab(built, tmp_path):
    """Colab as Otter detects it (the shell's class lives in google.colab), with the notebook alone: the Colab
    cell writes the public checks from the notebook's metadata to ./tests and grader.check runs them."""
    from nbclient import NotebookClient

    for rel, text in FAKE_COLAB.items():
        (tmp_path / "fake" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fake" / rel).write_text(textwrap.dedent(text).lstrip())
    name = "05_output_units"
    student = built / "students" / f"{name}.ipynb"
    nb = nbformat.read(student, as_version=4)
    cut = _check_index(nb, "q1")
    right, wrong, hint = VARIANTS[name]["q1"]
    check = nb.cells[cut].source
    cells = nb.cells[: cut - 1] + [nbformat.v4.new_code_cell(wrong), nbformat.v4.new_code_cell(check)]
    cells += [nbformat.v4.new_code_cell(c) for c in (right, check, "print(grader.interpreter)")]
    nb.cells = cells
    work = tmp_path / "content"  # Colab's working folder: the notebook itself is not in it
    work.mkdir()
    env = {"PYTHONPATH": str(tmp_path / "fake"), "FAKE_COLAB_NOTEBOOK": str(student)}
    os.environ.update(env)
    try:
        client = NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(work)}},
            extra_arguments=["--IPKernelApp.kernel_class=google.colab._kernel.Kernel"],
        )  # fmt: skip
        client.execute()
    finally:
        for k in env:
            os.environ.pop(k)

    def text(cell):
        return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)

    assert "IPythonInterpreter.COLAB" in text(nb.cells[-1])
    assert sorted(p.name for p in (work / "tests").iterdir()) == sorted(f"{q}.py" for q in points(built, name))
    assert hint in text(nb.cells[-4]) and "❌" in text(nb.cells[-4]), text(nb.cells[-4])
    assert "passed" in text(nb.cells[-2]) and "❌" not in text(nb.cells[-2])


@pytest.mark.parametrize(
    ("name", "q", "code"),
    [
        ("07_loss_vs_metric", "q1", "def auc(y, score):\n    return float(ln.metrics.auc(y, score))"),
        ("07_loss_vs_metric", "q4", "def ece(y, prob, n_bins=10):\n    return float(ln.metrics.ece(y, prob, n_bins))"),
        (
            "07_loss_vs_metric",
            "q5",
            "def fit_temperature(y, logits):\n    return float(ln.metrics.fit_temperature(y, logits))",
        ),
        (
            "05_output_units",
            "q1",
            "def stable_bce(y, z):\n    return ln.losses.binary_cross_entropy(y, z, reduction='none')",
        ),
        (
            "10_generative_models",
            "q2",
            "def non_saturating_grad(logit):\n    return ln.generative.generator_loss_grad(logit)",
        ),
    ],
)
def test_an_implement_answer_that_calls_lossnotes_loses_a_point(replayed, built, name, q, code):
    assert _hidden_score(replayed, built, name, q, code) < points(built, name)[q]
