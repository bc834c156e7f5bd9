"""Argument checks shared by the library: every public function validates here.

Each check raises a ``ValueError`` or ``TypeError`` whose message names the argument and says what is wrong,
so that bad input never turns into a silent wrong number or an unexplained NumPy traceback.
"""

from __future__ import annotations

import numpy as np

REDUCTIONS = ("mean", "sum", "none")


def as_float(x, name: str) -> np.ndarray:
    """Return ``x`` as a float64 array, or raise ``TypeError`` naming ``name`` if it is not real numbers."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of real numbers; could not convert it: {exc}") from None
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be an array of real numbers, got objects such as {arr.flat[0]!r}") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def same_shape(y: np.ndarray, pred: np.ndarray) -> None:
    """Refuse to broadcast: the classic silent bug is a (n, 1) column against a (n,) vector."""
    if y.shape != pred.shape:
        hint = ""
        if sorted(y.shape, reverse=True)[:1] == sorted(pred.shape, reverse=True)[:1] and 1 in (y.shape + pred.shape):
            hint = " (a column against a vector would broadcast to an n-by-n matrix; reshape one of them)"
        raise ValueError(
            f"y has shape {y.shape} but pred has shape {pred.shape}; they must match exactly, "
            f"lossnotes never broadcasts y against pred{hint}"
        )


def reduction(value) -> str:
    if not isinstance(value, str) or value not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {value!r}")
    return value


def reduce(values: np.ndarray, how: str):
    """Apply a reduction to elementwise losses; an empty mean is refused rather than returned as nan."""
    if how == "none":
        return values
    if how == "sum":
        return np.float64(values.sum())
    if values.size == 0:
        raise ValueError("cannot take the mean of an empty loss: y and pred are empty; use reduction='sum' or 'none'")
    return np.float64(values.mean())


def positive(value, name: str, *, shape: tuple | None = None) -> np.ndarray | float:
    """A parameter that must be > 0 and finite: a scalar, or (when ``shape`` is given) an array of that shape."""
    arr = as_float(value, name)
    if arr.ndim and shape is None:
        raise ValueError(f"{name} must be a scalar, got an array of shape {arr.shape}")
    if arr.ndim and arr.shape != shape:
        raise ValueError(f"{name} must be a scalar or have the shape of y {shape}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        bad = arr[~(np.isfinite(arr) & (arr > 0))] if arr.ndim else arr
        raise ValueError(f"{name} must be > 0 and finite, got {float(np.ravel(bad)[0])!r}")
    return arr if arr.ndim else float(arr)


def open_unit(value, name: str) -> float:
    """A scalar parameter in the open interval (0, 1)."""
    arr = as_float(value, name)
    if arr.ndim:
        raise ValueError(f"{name} must be a scalar, got an array of shape {arr.shape}")
    if not 0.0 < float(arr) < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {float(arr)!r}")
    return float(arr)


def closed_unit(value, name: str) -> float:
    """A scalar parameter in the closed interval [0, 1]."""
    arr = as_float(value, name)
    if arr.ndim:
        raise ValueError(f"{name} must be a scalar, got an array of shape {arr.shape}")
    if not 0.0 <= float(arr) <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {float(arr)!r}")
    return float(arr)


def first_bad(mask: np.ndarray, values: np.ndarray) -> str:
    """Describe the first offending entry of ``values`` where ``mask`` is True, e.g. 'y[3] = 0.5'."""
    idx = tuple(int(i) for i in np.argwhere(mask)[0])
    where = "" if not idx else "[" + ", ".join(map(str, idx)) + "]"
    return f"{where} = {values[idx].item()!r}" if idx else f" = {values[()].item()!r}"


def nonnegative(value, name: str) -> float:
    """A scalar parameter that must be >= 0 and finite."""
    arr = as_float(value, name)
    if arr.ndim:
        raise ValueError(f"{name} must be a scalar, got an array of shape {arr.shape}")
    if not (np.isfinite(arr) and arr >= 0):
        raise ValueError(f"{name} must be >= 0 and finite, got {float(arr)!r}")
    return float(arr)
