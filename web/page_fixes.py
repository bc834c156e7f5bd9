"""A Sphinx extension for the book's pages (listed in _config.yml under sphinx.local_extensions).

myst-nb folds a `hide-input` cell into ``<details><summary aria-label="Toggle hidden content">`` whose visible text
is "Show code cell source". The aria-label replaces the visible text as the control's accessible name, so a
speech-input user who says what they see ("show code cell source") does not reach it (WCAG 2.1 success criterion
2.5.3, Label in Name; axe rule label-content-name-mismatch). Dropping the aria-label makes the visible text the name.
"""

import re

FOLD_LABEL = re.compile(r'(<summary\b[^>]*?)\s+aria-label="Toggle hidden content"')


def label_in_name(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and "Toggle hidden content" in body:
        context["body"] = FOLD_LABEL.sub(r"\1", body)


def setup(app):
    app.connect("html-page-context", label_in_name)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
