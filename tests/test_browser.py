"""The built HTML book, read in a real browser with the network switched off.

Every page in the table of contents is opened from file:// in Chromium, with every request that is not for a local
file refused (and counted). The tests assert what a reader sees: the math typeset by MathJax, every image loaded,
the explorers drawn from the widget state embedded in the page, copy buttons on code cells, the download and launch
(Binder, Colab) buttons, and no JavaScript errors. On every chapter they also check the page as a reader meets it
(the conventions in CONTRIBUTING.md), at 1280 x 800 and on a 390 x 844 phone:

- accessibility: axe-core 4 (vendored in web/node_modules, WCAG 2.1 A and AA rules) finds no violation inside the
  chapter's article; violations of the theme outside it are allowed only when listed in THEME_VIOLATIONS, each with
  its reason;
- visible code (code input areas that are not folded away) is at most 25 % of the article's height;
- nothing in the article is wider than its column, and nothing scrolls sideways there (display math, tables,
  figures, code);
- no test markers in the text, every image has an alt text that is not a file path, every figure has a caption;
- the text in every figure (the smallest font size that lossnotes.plots.style() stamps into each PNG, scaled by the
  width the image is shown at) is at least 11 CSS px at 1280 px and at least 9 px on the phone;
- on the phone, every slider of an explorer keeps a track of at least 100 px;
- every control of every explorer is moved through all its values, and each move changes the picture shown (its
  source and its alt text) within a generous 5 s; how fast it does is a speed figure, measured and reported by
  benchmarks/bench_explorers.py (make bench), not asserted here.

Screenshots of every chapter (desktop full page, phone full page, dark mode) go to test-artifacts/, with a summary
of the measurements (reader-report.json). Three more tests check the theme's search page, dark mode and
bibliography.

The browser tests read the test copy of the book that `make test` builds from the committed notebooks
(_build/test/_build/html, set by LOSSNOTES_HTML), or the book of `make book` (_build/html) when there is no test copy.
Chromium is found, or installed, by web/provision.py (LOSSNOTES_CHROMIUM overrides it). Nothing here is skipped: a
missing book or browser fails with the reason.
"""

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEST_COPY = ROOT / "_build" / "test" / "_build" / "html"
HTML = Path(
    os.environ.get("LOSSNOTES_HTML")
    or (TEST_COPY if (TEST_COPY / "index.html").is_file() else ROOT / "_build" / "html")
)
ARTIFACTS = ROOT / "test-artifacts"
# Full-page screenshots cost about 2 s each: taken when LOSSNOTES_SCREENSHOTS is set (make screenshots)
SCREENSHOTS = bool(os.environ.get("LOSSNOTES_SCREENSHOTS"))


def screenshot(target, path, **options):
    """Save a screenshot into test-artifacts/ when screenshots are asked for."""
    if SCREENSHOTS:
        target.screenshot(path=path, **options)


CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TIMEOUT_MS = 20_000

# Chapters with an ipywidgets explorer: their pages must embed its state and draw it without a kernel.
EXPLORER_PAGES = {"book/03_noise_models", "book/05_output_units", "book/06_margins", "book/10_generative_models"}

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
    sys.path.insert(0, str(ROOT / "web"))
    from provision import find_chromium

    found = find_chromium()
    if not found:
        pytest.fail(
            "No Chromium found for the browser tests. `make test` installs one (web/provision.py); or install "
            "Debian's package (`sudo apt-get install chromium`), or point LOSSNOTES_CHROMIUM at a Chromium or Chrome "
            "binary.",
            pytrace=False,
        )
    return found


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
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `make test`, or `npm ci` in web/.", pytrace=False)
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


def open_reader(browser, path, where, viewport=None, **context_options):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, **context_options)
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
    images: Array.from(document.querySelectorAll('.widget-subarea img')).map(i => i.complete && i.naturalWidth > 0),
    controls: document.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-radio, '
      + '.widget-checkbox, .widget-button, .widget-radio-box').length,
  };
}"""


def wait_until_drawn(reader):
    """Wait for MathJax's first typesetting pass, the widgets drawn from the embedded state, and every image."""
    page = reader.page
    # MathJax is loaded only on pages with math; wait for its first typesetting pass to finish.
    if page.locator("script[src*='mathjax']").count():
        reader.wait("() => window.MathJax && MathJax.startup && MathJax.startup.promise", "MathJax did not start")
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    widgets = page.evaluate(WIDGET_STATE)
    if widgets["state"]:
        reader.wait(
            "() => document.querySelectorAll('.widget-subarea .jupyter-widgets').length > 0"
            " && Array.from(document.querySelectorAll('.widget-subarea img')).every(i => i.complete)",
            "the widget manager drew no widget from the embedded state",
        )
        widgets = page.evaluate(WIDGET_STATE)
    reader.wait("() => Array.from(document.images).every(img => img.complete)", "images still loading")
    page.wait_for_timeout(200)  # let the last layout settle before the screenshot
    return widgets


@pytest.fixture(scope="module", autouse=True)
def reader_report():
    yield REPORT
    if REPORT:
        save_report(REPORT)


def save_report(report):
    """Write this process's measurements into test-artifacts/reader-report.json. Under pytest-xdist the pages of one
    run are read by several workers: each merges its pages into what the others of the same run wrote (the run's id
    is kept beside the file), and a file from an earlier run is replaced."""
    import fcntl

    ARTIFACTS.mkdir(exist_ok=True)
    path, run = ARTIFACTS / "reader-report.json", os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    with open(ARTIFACTS / ".reader-report.run", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        same_run = run and lock.read() == run and path.is_file()
        merged = json.loads(path.read_text()) if same_run else {}
        for docname, measured in report.items():
            merged.setdefault(docname, {}).update(measured)
        path.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
        lock.seek(0)
        lock.truncate()
        lock.write(run)


# `make test` reads the pages that are not chapters and the chapters with an explorer at 1280 px; the other
# chapters' desktop checks are marked slow and run in `make test-slow` (.ci/run), as their phone checks are
AT_A_DESK = [p if p not in CHAPTERS or p in EXPLORER_PAGES else pytest.param(p, marks=pytest.mark.slow) for p in PAGES]


@pytest.mark.parametrize("docname", AT_A_DESK)
def test_page_reads_offline(browser, docname):
    chapter = docname in CHAPTERS
    reader = open_reader(browser, f"{docname}.html", where=docname, viewport=DESKTOP if chapter else None)
    page = reader.page
    widgets = wait_until_drawn(reader)
    stem = docname.replace("/", "-")
    screenshot(page, ARTIFACTS / f"{stem}.png", full_page=True)

    reader_problems = []
    if chapter:  # the reader's page: measured before anything below can stop the test
        page.add_script_tag(path=str(AXE))
        axe = page.evaluate(AXE_RUN, AXE_TAGS)
        state = page.evaluate(READER_STATE)
        smallest, figure_problems = smallest_figure_text(page, state, "desktop")
        reader_problems = reader_checks(page, docname, state, axe) + figure_problems
        if smallest is not None and smallest < MIN_FIGURE_PX["desktop"]:
            reader_problems.append(f"figure text {smallest:.1f} px at 1280 px (at least {MIN_FIGURE_PX['desktop']})")
        explorer = cycle_explorer_controls(page) if docname in EXPLORER_PAGES else {"controls": 0, "steps": []}
        stuck = [s["label"] for s in explorer["steps"] if s["ms"] is None]
        same_alt = [s["label"] for s in explorer["steps"] if s["ms"] is not None and not s["altChanged"]]
        if docname in EXPLORER_PAGES and not explorer["steps"]:
            reader_problems.append("the explorer has no control that changes anything")
        reader_problems += [f"the picture did not change: {label}" for label in stuck]
        reader_problems += [f"the picture changed but its alt text did not: {label}" for label in same_alt]
        times = sorted(s["ms"] for s in explorer["steps"] if s["ms"] is not None)
        REPORT.setdefault(docname, {}).update(
            code_share=round(state["codeHeight"] / state["articleHeight"], 3),
            visible_code_cells=state["codeCells"],
            figure_text_px_desktop=smallest and round(smallest, 1),
            axe_inside=sorted({f"{v['rule']}" for v in axe if v["inside"]}),
            axe_inside_nodes=sum(v["inside"] for v in axe),
            axe_outside=sorted({f"{v['rule']} {v['selector']}" for v in axe if not v["inside"]}),
            overflow=state["overflow"],
            widget_state_bytes=state["widgetStateBytes"],
            explorer_controls=explorer["controls"],
            explorer_steps=len(explorer["steps"]),
            explorer_slowest_ms=times and round(times[-1], 1),
            problems=reader_problems,
        )
        # the same page in dark mode (the theme's switch sets data-theme on <html>), at its first figure
        page.evaluate(
            "() => { document.documentElement.dataset.theme = 'dark'; document.documentElement.dataset.mode = 'dark'; }"
        )
        page.evaluate("() => document.querySelector('article.bd-article .cell_output img')?.scrollIntoView()")
        page.wait_for_timeout(100)
        screenshot(page, ARTIFACTS / f"{stem}-dark.png")

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
        screenshot(explorer, ARTIFACTS / f"{docname.replace('/', '-')}-explorer.png")

    if docname in CHAPTERS:
        check_chapter_buttons(page, docname)

    assert not reader.unexpected_errors(), "JavaScript errors:\n" + "\n".join(reader.unexpected_errors())
    assert not reader.blocked, f"the page tried to reach the network: {reader.blocked}"
    page.context.close()
    assert not reader_problems, f"{docname} as a reader meets it:\n- " + "\n- ".join(reader_problems)


# `make test` reads the chapters with an explorer on a phone (controls, pictures and equations together); the
# other chapters' phone checks are marked slow and run in `make test-slow` (.ci/run), to keep `make test` short
ON_A_PHONE = [c if c in EXPLORER_PAGES else pytest.param(c, marks=pytest.mark.slow) for c in CHAPTERS]


@pytest.mark.parametrize("docname", ON_A_PHONE)
def test_chapter_reads_on_a_phone(browser, docname):
    """At 390 x 844: figure text readable (at least 9 CSS px), sliders with a usable track, display equations that
    scroll inside their own box rather than being cut off, explorer controls at least 24 x 24 px; a full-page
    screenshot."""
    reader = open_reader(browser, f"{docname}.html", where=docname, viewport=PHONE, is_mobile=True, has_touch=True)
    page = reader.page
    wait_until_drawn(reader)
    screenshot(page, ARTIFACTS / f"{docname.replace('/', '-')}-phone.png", full_page=True)
    state = page.evaluate(READER_STATE)
    smallest, problems = smallest_figure_text(page, state, "phone")
    if smallest is not None and smallest < MIN_FIGURE_PX["phone"]:
        problems.append(f"figure text {smallest:.1f} px on a 390 px phone (at least {MIN_FIGURE_PX['phone']})")
    short = [f"{s['label'].strip() or 'a slider'}: {s['track']:.0f} px" for s in state["sliders"]]
    short = [text for text, s in zip(short, state["sliders"], strict=True) if s["track"] < MIN_SLIDER_TRACK_PX]
    if short:
        problems.append(f"slider tracks shorter than {MIN_SLIDER_TRACK_PX} px on the phone: {short}")
    wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if wide > 1:
        problems.append(f"the whole page scrolls sideways by {wide} px on the phone (only figures may)")
    phone = page.evaluate(PHONE_STATE)
    problems += [f"a display equation is cut off on the phone: {m}" for m in phone["clipped"]]
    problems += [f"a control smaller than 24 x 24 px (WCAG 2.2 target size): {t}" for t in phone["small"]]
    REPORT.setdefault(docname, {}).update(
        figure_text_px_phone=smallest and round(smallest, 1),
        slider_tracks_phone=[round(s["track"]) for s in state["sliders"]],
        equations_scrolling_phone=phone["scrolling"],
        smallest_target_phone=phone["smallest"],
        problems_phone=problems,
    )
    assert not reader.unexpected_errors(), "JavaScript errors:\n" + "\n".join(reader.unexpected_errors())
    assert not reader.blocked, f"the page tried to reach the network: {reader.blocked}"
    page.context.close()
    assert not problems, f"{docname} on a phone:\n- " + "\n- ".join(problems)


PHONE_STATE = """() => {
  const article = document.querySelector('article') || document.body;
  const shown = e => e.checkVisibility() && e.getBoundingClientRect().width > 0;
  const clipped = [], scrolling = [];
  for (const m of article.querySelectorAll('mjx-container[display="true"]')) {
    if (!shown(m) || m.scrollWidth <= m.clientWidth + 1) continue;
    const how = getComputedStyle(m).overflowX;
    if (how === 'auto' || how === 'scroll') scrolling.push(m.textContent.slice(0, 40));
    else clipped.push(m.textContent.slice(0, 60));
  }
  const targets = Array.from(article.querySelectorAll('.widget-subarea .widget-radio-box label, '
    + '.widget-subarea select, .widget-subarea button, .widget-subarea .noUi-handle')).filter(shown);
  const sizes = targets.map(t => { const r = t.getBoundingClientRect(); return [r.width, r.height, t.textContent]; });
  const small = sizes.filter(([w, h]) => w < 24 || h < 24).map(([w, h, text]) =>
    `${text.trim().slice(0, 30) || 'a control'} (${w.toFixed(0)} x ${h.toFixed(0)})`);
  const smallest = sizes.length ? Math.min(...sizes.map(([w, h]) => Math.min(w, h))) : null;
  return {clipped, scrolling: scrolling.length, small, smallest};
}"""


def check_chapter_buttons(page, chapter):
    """Copy buttons on the code cells; download, Binder and Colab buttons for the chapter's notebook."""
    if page.locator(".cell_input div.highlight").count():
        page.wait_for_function("() => document.querySelectorAll('button.copybtn').length > 0")
    cells = page.locator(".cell_input div.highlight").count()
    buttons = page.locator(".cell_input div.highlight button.copybtn").count()
    assert buttons == cells, f"{buttons} copy buttons for {cells} code cells"  # a chapter may show no code at all

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
    screenshot(page, ARTIFACTS / "search.png")
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
    screenshot(page, ARTIFACTS / "dark-mode.png")
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


# ---------------------------------------------------------------------------------------------------------------
# The chapter as a reader meets it (CONTRIBUTING.md, "The page a reader sees")

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MAX_CODE_SHARE = 0.25
MIN_FIGURE_PX = {"desktop": 11.0, "phone": 9.0}
MIN_SLIDER_TRACK_PX = 100
REPORT = {}  # docname -> measurements, written to test-artifacts/reader-report.json

# Violations of the theme (sphinx-book-theme 1.3 / pydata-sphinx-theme 0.17) outside the chapter's article that stay,
# each with its reason: (axe rule id, CSS selector of the element as axe reports it, as a regex, why it stays).
# Inside the article no violation is allowed.
THEME_VIOLATIONS = [
    (
        "label-content-name-mismatch",
        r"\.search-button__button\[aria-label=\"Search\"\]",
        "pydata-sphinx-theme's search buttons (top bar and sidebar) are named 'Search' while they show 'Search' and "
        "the shortcut 'Ctrl+K'; speech input by the visible word 'Search' still reaches them. The markup is the "
        "theme's template; the theme's own issue tracker holds the fix.",
    ),
    (
        "label-content-name-mismatch",
        r"^\.theme-switch-button$",
        "the theme's light/dark switch is named 'Color mode' while its visible content is an icon whose title is "
        "the current mode ('Light', 'Dark', 'System Settings'); there is no visible word a speech user could say "
        "that the name leaves out. The markup is the theme's template.",
    ),
]

PATH_LIKE_ALT = re.compile(r"\.(png|jpe?g|svg|gif)\b|_build|_images|(^|\s)\.{0,2}/\S", re.I)
TEST_MARKERS = re.compile(r"nbval", re.I)

READER_STATE = """() => {
  const article = document.querySelector('article.bd-article');
  const box = article.getBoundingClientRect();
  const style = getComputedStyle(article);
  const left = box.left + parseFloat(style.paddingLeft), right = box.right - parseFloat(style.paddingRight);
  const visible = e => e.checkVisibility() && e.getBoundingClientRect().height > 0;
  const code = Array.from(article.querySelectorAll('div.cell_input')).filter(visible);
  const codeHeight = code.reduce((sum, e) => sum + e.getBoundingClientRect().height, 0);
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string'
    ? '.' + e.className.trim().split(/\\s+/).slice(0, 2).join('.') : '') + ' "' + (e.textContent || e.alt || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 60) + '"';
  const overflow = [];
  const candidates = article.querySelectorAll('mjx-container[display], div.math, table, img, pre, div.highlight, '
    + 'figure, div.cell_output, div.output, div.widget-subarea, .jupyter-widgets');
  for (const e of candidates) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.right > right + 1 || r.left < left - 1) overflow.push(`${name(e)} spans ${Math.round(r.left - left)}..`
      + `${Math.round(r.right - left)} px of a ${Math.round(right - left)} px column`);
    else if (e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
      overflow.push(`${name(e)} scrolls sideways (${e.scrollWidth} px in ${e.clientWidth} px)`);
  }
  const images = Array.from(article.querySelectorAll('img')).filter(i => i.getBoundingClientRect().width > 0)
    .map(i => ({src: i.currentSrc || i.src, alt: i.getAttribute('alt'), shown: i.getBoundingClientRect().width,
      natural: i.naturalWidth, widget: i.classList.contains('widget-image'), figure: !!i.closest('figure'),
      output: !!i.closest('.cell_output')}));
  const figures = Array.from(article.querySelectorAll('figure')).map(f => {
    const caption = f.querySelector('figcaption');
    return caption ? caption.textContent.trim() : '';
  });
  const sliders = Array.from(article.querySelectorAll('.widget-hslider, .widget-slider')).filter(visible).map(s => {
    const track = s.querySelector('.noUi-target, .slider, input[type=range]');
    return {label: (s.querySelector('.widget-label') || {}).textContent || '',
            track: track ? track.getBoundingClientRect().width : 0};
  });
  const state = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]'))
    .reduce((sum, s) => sum + s.textContent.length, 0);
  return {articleHeight: box.height, column: right - left, codeHeight, codeCells: code.length, overflow, images,
          figures, sliders, widgetStateBytes: state, text: article.innerText};
}"""

AXE_RUN = """async (tags) => {
  // the WCAG 2.1 A/AA rules, without axe's experimental ones (off by default in axe, not part of its standard set)
  const rules = axe.getRules(tags).filter(r => !r.tags.includes('experimental')).map(r => r.ruleId);
  // preload: false: axe would fetch every stylesheet by XHR (for css-orientation-lock), which file:// refuses
  const result = await axe.run(document, {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations'],
                                          preload: false});
  const out = [];
  for (const v of result.violations) for (const node of v.nodes) {
    const selector = node.target.join(' ');
    let inside = false;
    try { const e = document.querySelector(node.target[0]); inside = !!(e && e.closest('article.bd-article')); }
    catch (err) { inside = false; }
    out.push({rule: v.id, impact: v.impact, selector, inside, html: node.html.slice(0, 160),
              summary: (node.failureSummary || '').split('\\n').slice(1, 2).join('').trim().slice(0, 160)});
  }
  return out;
}"""


def figure_text_px(page, image):
    """The smallest text in a figure in CSS px: the font size stamped in its PNG (pt at its dpi), scaled to the
    width the image is shown at. None when the PNG carries no stamp (not drawn with lossnotes.plots.style())."""
    import base64
    import io
    from urllib.parse import unquote, urlparse

    from PIL import Image

    src = image["src"]
    if src.startswith("file:"):
        data = Path(unquote(urlparse(src).path)).read_bytes()
    elif src.startswith("data:"):
        data = base64.b64decode(src.split(",", 1)[1])
    else:  # blob: (widget images)
        encoded = page.evaluate(
            """async (src) => { const b = await (await fetch(src)).arrayBuffer();
               let s = ''; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); }""",
            src,
        )
        data = base64.b64decode(encoded)
    info = Image.open(io.BytesIO(data)).info
    if "lossnotes:min-font-pt" not in info or "lossnotes:dpi" not in info:
        return None
    pt, dpi = float(info["lossnotes:min-font-pt"]), float(info["lossnotes:dpi"])
    return pt / 72 * dpi * image["shown"] / image["natural"]


def smallest_figure_text(page, state, where):
    """(smallest px over the chapter's figures, problems)."""
    sizes, problems = [], []
    for image in state["images"]:
        if not image["output"] and not image["widget"]:
            continue  # logos and icons of the theme
        px = figure_text_px(page, image)
        if px is None:
            what = image["alt"] or image["src"][-50:]
            problems.append(f"{where}: a figure without the font stamp of lossnotes.plots.style(): {what!r}")
        else:
            sizes.append(px)
    return (min(sizes) if sizes else None), problems


def reader_checks(page, docname, state, axe):
    """Every rule of the reader's page that can be read off the desktop page; returns the list of problems."""
    problems = []
    share = state["codeHeight"] / state["articleHeight"]
    if share > MAX_CODE_SHARE:
        problems.append(f"visible code is {share:.0%} of the page (at most {MAX_CODE_SHARE:.0%})")
    problems += [f"wider than the column: {o}" for o in state["overflow"]]
    markers = sorted(set(TEST_MARKERS.findall(state["text"])))
    if markers:
        lines = [line.strip()[:80] for line in state["text"].splitlines() if TEST_MARKERS.search(line)]
        problems.append(f"test markers in the page text ({len(lines)} lines), e.g. {lines[:3]}")
    for image in state["images"]:
        if not (image["output"] or image["widget"]):
            continue
        alt = (image["alt"] or "").strip()
        if not alt:
            problems.append(f"an image without alt text: {image['src'][-60:]}")
        elif PATH_LIKE_ALT.search(alt):
            problems.append(f"an alt text that is a path, not a description: {alt[:80]!r}")
        if image["output"] and not image["widget"] and not image["figure"]:
            problems.append(f"an image outside a figure (no caption): {alt[:60]!r}")
    problems += ["a figure without a caption" for caption in state["figures"] if not caption]
    inside = [v for v in axe if v["inside"]]
    outside = [v for v in axe if not v["inside"]]
    problems += [f"axe {v['rule']} ({v['impact']}) in the article at {v['selector']}: {v['summary']}" for v in inside]
    for v in outside:
        if not any(rule == v["rule"] and re.search(sel, v["selector"]) for rule, sel, _ in THEME_VIOLATIONS):
            problems.append(f"axe {v['rule']} outside the article (not in THEME_VIOLATIONS): {v['selector']}")
    return problems


def cycle_explorer_controls(page):
    """Move every control of every explorer through all its values, one control at a time (dropdown options; slider
    steps with the arrow keys; toggle buttons), then back. Each move must change the picture shown (the visible
    widget image's src) and its alt text; the time to the new picture is recorded (for the report and the benchmark).
    Returns {"controls": n, "steps": [{"label", "ms" (None: never changed), "altChanged"}]}."""
    return page.evaluate(
        """async () => {
      const frame = () => Array.from(document.querySelectorAll('.widget-subarea img'))
        .filter(i => i.checkVisibility() && i.getBoundingClientRect().width > 0)
        .map(i => [(i.currentSrc || i.src), (i.getAttribute('alt') || '')]);
      const key = f => f.map(x => x[0]).join(' ');
      const alt = f => f.map(x => x[1]).join(' ');
      const settle = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)));
      let stuck = 0;  // moves of the current control that left the picture as it was
      async function move(label, act, moved) {
        const before = frame(), t0 = performance.now();
        act();
        if (moved && !moved()) return false;  // the control was at its end: no new value
        while (performance.now() - t0 < 5000) {  // generous: a busy machine is slow, not wrong
          const now = frame();
          if (key(now) !== key(before)) {
            steps.push({label, ms: performance.now() - t0, altChanged: alt(now) !== alt(before)});
            return true;
          }
          await new Promise(r => requestAnimationFrame(r));
        }
        steps.push({label, ms: null, altChanged: false});
        stuck += 1;
        return stuck < 3;  // after three moves without a new picture, the control is not tried further
      }
      const steps = [];
      const controls = Array.from(document.querySelectorAll('.widget-subarea select, '
        + '.widget-subarea .noUi-handle[role=slider], .widget-subarea .widget-toggle-buttons, '
        + '.widget-subarea .widget-radio-box'));
      for (const control of controls) {
        stuck = 0;
        const box = control.closest('.widget-radio, .widget-toggle-buttons, .widget-dropdown, .widget-slider');
        const name = (box && box.querySelector('.widget-label')?.textContent) || control.getAttribute('aria-label')
          || control.textContent || control.tagName;
        if (control.tagName === 'SELECT') {
          const start = control.selectedIndex;
          const order = [...Array(control.options.length).keys()].filter(i => i !== start).concat([start]);
          for (const i of order) if (!await move(`${name} = ${control.options[i].text}`, () => {
            control.selectedIndex = i; control.dispatchEvent(new Event('change', {bubbles: true})); })) break;
          control.selectedIndex = start; control.dispatchEvent(new Event('change', {bubbles: true}));
        } else if (control.getAttribute('role') === 'slider') {
          const press = k => () => { control.focus();
            control.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true, cancelable: true})); };
          const value = () => control.getAttribute('aria-valuenow');
          const start = value();
          press('Home')(); await settle();
          for (let guard = 0; guard < 400; guard++) {
            const v = value();
            if (!await move(`${name} -> next after ${v}`, press('ArrowRight'), () => value() !== v)) break;
          }
          press('Home')();
          for (let guard = 0; guard < 400 && value() !== start; guard++) press('ArrowRight')();
          await settle();
        } else {  // a group of toggle buttons or radio buttons: press each in turn, then the one pressed first
          const items = Array.from(control.querySelectorAll('button, input[type=radio]'));
          const on = i => i.tagName === 'INPUT' ? i.checked : i.classList.contains('mod-active');
          const start = Math.max(0, items.findIndex(on));
          const order = items.map((_, i) => i).filter(i => i !== start).concat([start]);
          for (const i of order) {
            const label = items[i].textContent || items[i].parentElement.textContent;
            if (!await move(`${name} = ${label.trim()}`, () => items[i].click())) break;
          }
          items[start].click(); await settle();
        }
      }
      return {controls: controls.length, steps};
    }"""
    )
