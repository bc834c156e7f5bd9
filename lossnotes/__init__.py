"""lossnotes: choose the noise model; the loss follows.

``import lossnotes as ln`` gives ``ln.units`` (stable output units), ``ln.losses`` (the losses and their
gradients), ``ln.noise`` (noise models as SymPy densities), ``ln.symbolic`` (derive a loss from a noise model
and check it against the numeric code), ``ln.fit`` (small fitters driven by any loss's gradient),
``ln.plots`` and ``ln.widgets`` (figures and explorers; matplotlib and ipywidgets load on first use).
"""

from . import fit, losses, mixture, noise, plots, symbolic, units, widgets

__all__ = ["units", "losses", "noise", "symbolic", "fit", "mixture", "plots", "widgets"]
__version__ = "0.1.0"
