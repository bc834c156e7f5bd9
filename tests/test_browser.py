"""The built HTML book, read in a real browser with the network switched off.

Every page in the table of contents is opened from file:// in Chromium, with every request that is not for a local
file refused (and counted). The tests assert what a reader sees: the math typeset by MathJax, every image loaded,
the explorers' initial view drawn from the widget state embedded in the page, copy buttons on code cells, the
download and launch (Binder, Colab) buttons, and no JavaScript errors. A full-page screenshot of each page is saved
in test-artifacts/. Three more tests check the theme's search page, dark mode and bibliography.

The book must be built first (`make test` builds it when it is missing or older than its sources; `make book`
always rebuilds it). Chromium is Debian's package (`apt-get install chromium`); set LOSSNOTES_CHROMIUM to use
another Chromium or Chrome binary. Nothing here is skipped: a missing book or browser fails with the reason.
"""

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TIMEOUT_MS = 20_000

# Chapters with an ipywidgets explorer: their pages must embed its state and draw it without a kernel.
EXPLORER_PAGES = {"book/03_noise_models", "book/05_output_units", "book/06_margins"}

# Errors that come from upstream code, are harmless, and are allowed only where they occur.
# (pages it may occur on or "*", "pageerror" or "console", the exact message as a regex, why it is harmless)
UPSTREAM_ERRORS = [
    (
        "*",
        "pageerror",
        r"Identifier 'THEBE_JS_URL' has already been declared",
        "sphinx-thebe (part of Jupyter Book) adds an inline `const THEBE_JS_URL = ...` script after the builder "
        "started; Sphinx 7.4 adds it to the builder then (file name None) and again in prepare_writing (file name "
        "''), and its de-duplication sees two different scripts. Every page carries both, identical; the second "
        "`const` fails, the first already set the same values, which are read only when live code (thebe) is "
        "launched, which this book does not enable.",
    ),
    (
        "search",
        "console",
        r"Access to fetch at 'file://[^']+\.html' from origin 'null' has been blocked by CORS policy: .* @ .*",
        "Sphinx's search page fetches each result page to show a snippet under its title. Browsers refuse fetch() "
        "on file:// URLs, so offline the results are listed without snippets (over http they have them).",
    ),
    (
        "search",
        "console",
        r"Failed to load resource: net::ERR_FAILED @ file://\S+\.html",
        "the same refused snippet fetch, as reported by the browser's network layer",
    ),
    ("search", "pageerror", r"Failed to fetch", "the same refused snippet fetch, rejected in Sphinx's searchtools.js"),
]


def toc_pages():
    """The docnames in _toc.yml, in reading order (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", page) for page in pages]


PAGES = toc_pages()
CHAPTERS = [page for page in PAGES if re.match(r"book/\d\d_", page)]


def chromium_path():
    candidates = [os.environ.get("LOSSNOTES_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "No Chromium found for the browser tests. Install Debian's package (`apt-get install chromium`; .ci/run "
        "does this in CI) or point LOSSNOTES_CHROMIUM at a Chromium or Chrome binary.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser():
    if not (HTML / "index.html").is_file():
        pytest.fail(f"The book is not built ({HTML} is missing): run `make book` (or `make test`).", pytrace=False)
    built = [HTML / f"{page}.html" for page in PAGES if (HTML / f"{page}.html").is_file()]
    if any(re.search(r"<script[^>]+src=\"https?://[^\"]*(mathjax|html-manager)", p.read_text()) for p in built):
        pytest.fail(
            "The book was built without the vendored MathJax and widget manager (npm was missing, so it loads them "
            "from CDNs and cannot be read offline). Install Node.js/npm and run `make book` again.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path())
        yield chromium
        chromium.close()


@dataclass
class Reader:
    """One browser tab on one page of the book, offline, recording what goes wrong."""

    page: object
    where: str
    blocked: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def wait(self, condition, failure):
        """Wait until the JavaScript condition holds; fail with `failure` and what went wrong if it never does."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(condition)
        except PlaywrightTimeout:
            found = self.unexpected_errors() + [f"refused: {url}" for url in self.blocked]
            pytest.fail(f"{self.where}: {failure} within {TIMEOUT_MS // 1000} s. " + "; ".join(found), pytrace=False)

    def unexpected_errors(self):
        def allowed(kind, text):
            return any(
                (pages == "*" or pages == self.where) and kind == k and re.fullmatch(pattern, text, flags=re.S)
                for pages, k, pattern, _why in UPSTREAM_ERRORS
            )

        return [f"{kind}: {text}" for kind, text in self.errors if not allowed(kind, text)]


def open_reader(browser, path, where, **context_options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    reader = Reader(page, where)

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            request_route.continue_()
        else:
            reader.blocked.append(url)
            request_route.abort("internetdisconnected")

    page.route("**/*", route)
    page.on("pageerror", lambda error: reader.errors.append(("pageerror", str(error.message))))

    def console(message):
        if message.type == "error":
            reader.errors.append(("console", f"{message.text} @ {message.location.get('url')}"))

    page.on("console", console)
    page.goto((HTML / path).as_uri() if "?" not in path else (HTML.as_uri() + "/" + path), wait_until="load")
    return reader


MATH_STATE = """() => {
  const math = Array.from(document.querySelectorAll('.math'));
  const article = document.querySelector('article') || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, .highlight, script, style, mjx-container').forEach(e => e.remove());
  const text = prose.textContent;
  const raw = ['\\\\(', '\\\\)', '\\\\[', '\\\\]', '$$', '\\\\begin{'].filter(d => text.includes(d));
  return {
    math: math.length,
    untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    containers: document.querySelectorAll('mjx-container').length,
    errors: Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent.slice(0, 80)),
    raw: raw,
  };
}"""

IMAGE_STATE = """() => Array.from(document.images).map(img => ({
  src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0,
  figure: !!img.closest('.cell_output, figure'), widget: img.classList.contains('widget-image'),
}))"""

WIDGET_STATE = """() => {
  const views = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
  return {
    state: document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').length,
    views: views.length,
    drawn: views.filter(s => {
      const area = s.previousElementSibling;
      return area && area.classList.contains('widget-subarea') && area.querySelector('.jupyter-widgets');
    }).length,
    images: Array.from(document.querySelectorAll('img.widget-image')).map(i => i.complete && i.naturalWidth > 0),
    controls: document.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-radio, '
      + '.widget-checkbox, .widget-button').length,
  };
}"""


@pytest.mark.parametrize("docname", PAGES)
def test_page_reads_offline(browser, docname):
    reader = open_reader(browser, f"{docname}.html", where=docname)
    page = reader.page

    # MathJax is loaded only on pages with math; wait for its first typesetting pass to finish.
    if page.locator("script[src*='mathjax']").count():
        reader.wait("() => window.MathJax && MathJax.startup && MathJax.startup.promise", "MathJax did not start")
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    widgets = page.evaluate(WIDGET_STATE)
    if widgets["state"]:
        reader.wait(
            "() => document.querySelectorAll('.widget-subarea .jupyter-widgets').length > 0"
            " && Array.from(document.querySelectorAll('img.widget-image')).every(i => i.complete)",
            "the widget manager drew no widget from the embedded state",
        )
        widgets = page.evaluate(WIDGET_STATE)
    reader.wait("() => Array.from(document.images).every(img => img.complete)", "images still loading")
    page.wait_for_timeout(200)  # let the last layout settle before the screenshot
    page.screenshot(path=ARTIFACTS / f"{docname.replace('/', '-')}.png", full_page=True)

    math = page.evaluate(MATH_STATE)
    images = page.evaluate(IMAGE_STATE)
    print(
        f"{docname}: {math['containers']} typeset formulas, {len(images)} images, {widgets['views']} widget views, "
        f"{len(reader.blocked)} network requests refused"
    )

    assert not math["untypeset"], f"math left untypeset: {math['untypeset']}"
    assert not math["raw"], f"raw TeX delimiters {math['raw']} left in the text"
    assert not math["errors"], f"MathJax could not typeset: {math['errors']}"
    if math["math"]:
        assert math["containers"] >= math["math"], "MathJax did not typeset every formula"

    broken = [image["src"] for image in images if not image["loaded"]]
    assert not broken, f"images that did not load: {broken}"
    if docname in CHAPTERS:
        assert any(image["figure"] for image in images), "a chapter page without a single figure"

    if docname in EXPLORER_PAGES:
        assert widgets["state"] and widgets["views"], (
            "this chapter's explorer is missing from the page: the notebook must be executed with its widget state "
            "stored (metadata.widgets), which the build embeds"
        )
    if widgets["views"]:
        assert widgets["state"], "widget views without widget state: the reader would see nothing"
        assert widgets["drawn"] == widgets["views"], f"{widgets['views'] - widgets['drawn']} widget(s) not drawn"
    if docname in EXPLORER_PAGES:
        assert widgets["images"] and all(widgets["images"]), "the explorer's picture did not load"
        assert widgets["controls"], "the explorer shows no controls"
        explorer = page.locator(".widget-subarea").first
        explorer.screenshot(path=ARTIFACTS / f"{docname.replace('/', '-')}-explorer.png")

    if docname in CHAPTERS:
        check_chapter_buttons(page, docname)

    assert not reader.unexpected_errors(), "JavaScript errors:\n" + "\n".join(reader.unexpected_errors())
    assert not reader.blocked, f"the page tried to reach the network: {reader.blocked}"
    page.context.close()


def check_chapter_buttons(page, chapter):
    """Copy buttons on the code cells; download, Binder and Colab buttons for the chapter's notebook."""
    page.wait_for_function("() => document.querySelectorAll('button.copybtn').length > 0")
    cells = page.locator(".cell_input div.highlight").count()
    buttons = page.locator(".cell_input div.highlight button.copybtn").count()
    assert cells and buttons == cells, f"{buttons} copy buttons for {cells} code cells"

    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert f"../_sources/{chapter}.ipynb" in hrefs, "no download button for the notebook"
    notebook = json.loads((HTML / "_sources" / f"{chapter}.ipynb").read_text())
    assert notebook["cells"], "the downloadable notebook is empty"
    repository = CONFIG["repository"]
    owner_repo = repository["url"].rstrip("/").removeprefix("https://github.com/")
    branch = repository.get("branch", "main")
    binder = f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{chapter}.ipynb"
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{chapter}.ipynb"
    assert binder in hrefs, f"no Binder launch button ({binder})"
    assert colab in hrefs, f"no Colab launch button ({colab})"


def test_search_works_offline(browser):
    reader = open_reader(browser, "search.html?q=gradient", where="search")
    page = reader.page
    reader.wait(
        "() => /Search finished/.test(document.querySelector('#search-results')?.textContent || '')",
        "the search did not finish",
    )
    results = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    page.screenshot(path=ARTIFACTS / "search.png")
    assert results, "the search for 'gradient' found nothing"
    assert any(href.endswith("book/intro.html") for href in results), results
    assert not reader.unexpected_errors(), "\n".join(reader.unexpected_errors())
    assert not reader.blocked, reader.blocked
    page.context.close()


def test_dark_mode_switch(browser):
    first = CHAPTERS[0] if CHAPTERS else PAGES[0]
    reader = open_reader(browser, f"{first}.html", where=first, color_scheme="light")
    page = reader.page

    def background():
        rgb = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        return sum(int(c) for c in re.findall(r"\d+", rgb)[:3]) / 3

    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    assert background() > 200
    for _ in range(3):  # the switch cycles light / dark / auto
        if page.evaluate("() => document.documentElement.dataset.theme") == "dark":
            break
        page.locator(".theme-switch-button").first.click()
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert background() < 60, "the page background did not turn dark"
    page.screenshot(path=ARTIFACTS / "dark-mode.png")
    assert not reader.unexpected_errors(), "\n".join(reader.unexpected_errors())
    page.context.close()


def test_bibliography_lists_every_entry(browser):
    bibliography = next(page for page in PAGES if page.endswith("bibliography"))
    entries = re.findall(r"^@\w+\s*\{", (ROOT / "book" / "references.bib").read_text(), flags=re.M)
    reader = open_reader(browser, f"{bibliography}.html", where=bibliography)
    texts = reader.page.eval_on_selector_all(".citation[role='doc-biblioentry']", "es => es.map(e => e.innerText)")
    assert len(texts) == len(entries), f"{len(texts)} entries shown, {len(entries)} in references.bib"
    assert all(re.search(r"\b(19|20)\d\d\b", text) for text in texts), "an entry without a year"
    assert not reader.unexpected_errors(), "\n".join(reader.unexpected_errors())
    reader.page.context.close()
