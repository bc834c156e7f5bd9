"""Sphinx extension: the API page's list of losses, from the registry.

``.. lossnotes-losses::`` (inside an ``{eval-rst}`` block of book/api.md, after ``automodule:: lossnotes.losses``)
writes an autosummary table and one ``autofunction`` entry per loss in ``lossnotes.losses.LOSSES``, in the order
the losses are defined, so that a new loss appears on the page without editing it.
"""

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


class LossRegistry(SphinxDirective):
    def run(self):
        from lossnotes.losses import LOSSES

        lines = [".. autosummary::", ""] + [f"   {name}" for name in LOSSES] + [""]
        lines += [f".. autofunction:: lossnotes.losses.{name}" for name in LOSSES]
        holder = nodes.section()
        holder.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="lossnotes.losses.LOSSES"), holder)
        return holder.children


def setup(app):
    app.add_directive("lossnotes-losses", LossRegistry)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
