"""The self-check questions: two to four per chapter, each answer explained, working in the static page.

The files (book/selfcheck/NN_name.json, read by lossnotes.selfcheck): every chapter in _toc.yml has one, with 2-4
questions; every multiple-choice question has exactly one correct option and feedback on every option; every numeric
question's right answer is what its `check` code computes with lossnotes and NumPy (at the precision the page
compares), no wrong answer it lists rounds to the right one, and every group in a file is shown once in its chapter.

In the built book (the browser fixtures of test_browser.py, offline: every request that is not for a local file is
refused), every question of every chapter is answered wrong and then right, as a reader would: a multiple choice by
clicking a wrong option and then reaching the right one with the arrow keys (a focus ring must show on it), a number
by typing it and pressing Enter. The feedback shown must be the file's feedback for that answer. axe-core finds no
violation in the quizzes after they are answered, in light and in dark mode (colour contrast included).
"""

import json
import re

import numpy as np
import pytest
from test_browser import (  # noqa: F401  (browser is a fixture)
    ARTIFACTS,
    AXE,
    AXE_TAGS,
    CHAPTERS,
    PHONE,
    ROOT,
    browser,
    open_reader,
    screenshot,
    wait_until_drawn,
)

import lossnotes as ln
from lossnotes import selfcheck

FILES = {chapter: ROOT / "book" / "selfcheck" / f"{chapter.split('/')[-1]}.json" for chapter in CHAPTERS}
SHOW = re.compile(r"""show\(\s*["']([^"']+)["']\s*,\s*["']([\w-]+)["']\s*\)""")


def data(chapter):
    return selfcheck.validate(json.loads(FILES[chapter].read_text(encoding="utf-8")), name=FILES[chapter].name)


def every_question(chapter):
    return [(group, q) for group, questions in data(chapter)["groups"].items() for q in questions]


def shown_groups(chapter):
    """(file, group) of each self-check cell in the chapter's notebook, in page order."""
    import nbformat

    nb = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    return [match for cell in nb.cells if cell.cell_type == "code" for match in SHOW.findall(cell.source)]


def run_check(code):
    lines = [code] if isinstance(code, str) else list(code)
    scope = {"np": np, "ln": ln}
    exec("\n".join(lines[:-1]), scope)  # noqa: S102 (the course's own files)
    return float(eval(lines[-1], scope))  # noqa: S307


def rounded(value, precision):
    """What the page compares: the number at `precision` significant digits (JavaScript's toPrecision)."""
    return float(f"{value:.{precision}g}")


def test_the_chapters_are_chapters_1_to_10():
    numbers = [int(re.match(r"book/(\d\d)_", c).group(1)) for c in CHAPTERS]
    assert numbers == list(range(1, 11)), f"chapters in _toc.yml: {CHAPTERS}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_two_to_four_well_formed_questions(chapter):
    assert FILES[chapter].is_file(), f"{chapter} has no self-check file {FILES[chapter].relative_to(ROOT)}"
    content = data(chapter)  # validate: one correct option, feedback on every option, checks present
    assert content.get("chapter") == f"{chapter}.ipynb", "the file names another chapter"
    count = len(every_question(chapter))
    assert 2 <= count <= 4, f"{count} questions (two to four a chapter)"
    for group, question in every_question(chapter):
        assert "$" not in json.dumps(question), f"{group}: TeX in a question (write math in Unicode: r², σ, ≤)"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_numeric_answers_are_what_the_library_computes(chapter):
    numeric = [(g, q) for g, q in every_question(chapter) if q["type"] == "numeric"]
    for group, question in numeric:
        precision = question["precision"]
        computed = run_check(question["check"])
        (right,) = [a for a in question["answers"] if a.get("type") == "value" and a["correct"]]
        assert rounded(computed, precision) == rounded(right["value"], precision), (
            f"{group}: {question['question'][:60]!r}: the file says {right['value']}, the library computes {computed}"
        )
        for wrong in (a for a in question["answers"] if a.get("type") == "value" and not a["correct"]):
            assert rounded(wrong["value"], precision) != rounded(right["value"], precision), (
                f"{group}: the wrong answer {wrong['value']} rounds to the right one at {precision} digits"
            )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_group_is_shown_once_in_its_chapter(chapter):
    shown = shown_groups(chapter)
    expected = f"selfcheck/{FILES[chapter].name}"
    assert all(path == expected for path, _ in shown), f"cells read other files: {shown}"
    groups = [group for _, group in shown]
    assert sorted(groups) == sorted(data(chapter)["groups"]), (
        f"groups shown {groups}, groups in the file {sorted(data(chapter)['groups'])} (insert the missing cells)"
    )


def _rendered_text(markdown):
    """What a reader sees of Markdown as the book renders it (MyST's parser), tags stripped, spaces collapsed."""
    import html

    from markdown_it import MarkdownIt

    out = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", out)).split())


def _printed_parts(questions):
    """Every text the printed version must show unchanged: each question, option and right answer's feedback."""
    for q in questions:
        yield q["question"]
        for a in q["answers"]:
            if q["type"] == "multiple_choice":
                yield a["answer"]
            if a.get("correct"):
                yield a["feedback"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_printed_questions_read_as_written_with_their_answers(chapter):
    """Where the quiz cannot run (the PDF), the questions print as Markdown: the text as written (nothing read as
    markup), options lettered, and each right answer with the feedback that explains it. The notebook's committed
    output carries exactly that, beside the quiz's HTML."""
    import nbformat

    outputs = {}
    for cell in nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4).cells:
        found = SHOW.findall(cell.source) if cell.cell_type == "code" else []
        if found:
            outputs[found[0][1]] = [o for o in cell.get("outputs", []) if "text/markdown" in o.get("data", {})]
    for group, questions in data(chapter)["groups"].items():
        shown = selfcheck.questions(FILES[chapter], group)
        markdown = selfcheck.printed(shown)
        seen = _rendered_text(markdown)
        for part in _printed_parts(questions):
            assert " ".join(part.split()) in seen, f"{group}: {part!r} does not read as written in {seen!r}"
        letters = re.findall(r"\b(\d+) \(([a-h]|[-\d.e+]+)\):", seen.split("Answers.")[-1])
        assert [int(n) for n, _ in letters] == list(range(1, len(questions) + 1)), seen
        for (_, mark), q in zip(letters, questions, strict=True):
            if q["type"] == "multiple_choice":
                right = next(i for i, a in enumerate(q["answers"]) if a["correct"])
                assert mark == "abcdefgh"[right], (group, mark, q["question"])
        assert group in outputs and len(outputs[group]) == 1, f"{chapter} shows {group} without a printed version"
        assert outputs[group][0]["data"]["text/markdown"] == markdown, f"{group}: re-execute {chapter}"


def test_the_printed_version_escapes_what_markdown_would_read_as_markup():
    tricky = {"type": "multiple_choice", "question": "Is *a* [b](c) <d> | e_f_ `g` $h$ # i ~~j~~ a choice?",
              "answers": [{"answer": "**yes**", "correct": True, "feedback": "<b>because</b> \\ so"},
                          {"answer": "no", "correct": False, "feedback": "n"},
                          {"answer": "1. maybe", "correct": False, "feedback": "m"}]}  # fmt: skip
    seen = _rendered_text(selfcheck.printed([tricky]))
    for part in _printed_parts([tricky]):
        assert part in seen, (part, seen)
    assert "(a) **yes**" in seen and "1 (a): <b>because</b> \\ so" in seen, seen


def test_malformed_questions_are_refused_with_the_reason():
    good = json.loads((ROOT / "book" / "selfcheck" / "01_what_a_loss_is.json").read_text())
    assert selfcheck.validate(good)
    mc = next(q for qs in good["groups"].values() for q in qs if q["type"] == "multiple_choice")
    two_right = {"groups": {"g": [{**mc, "answers": [{**a, "correct": True} for a in mc["answers"]]}]}}
    with pytest.raises(ValueError, match="correct options"):
        selfcheck.validate(two_right)
    silent = {"groups": {"g": [{**mc, "answers": [{**a, "feedback": ""} for a in mc["answers"]]}]}}
    with pytest.raises(ValueError, match="no feedback"):
        selfcheck.validate(silent)
    with pytest.raises(ValueError, match="groups"):
        selfcheck.validate([mc])
    with pytest.raises(ValueError, match="is not in"):
        selfcheck.questions(ROOT / "book" / "selfcheck" / "01_what_a_loss_is.json", "no such group")


# ---------------------------------------------------------------------------------------------------------------
# In the built book

QUIZ_STATE = """() => Array.from(document.querySelectorAll('article.bd-article .Quiz')).map(q => ({
  kind: q.querySelector('.NumericQn') ? 'numeric' : 'multiple_choice',
  question: (q.querySelector('[id^="quizQn"]') || {}).textContent,
  options: Array.from(q.querySelectorAll('label.MCButton')).map(l => l.textContent.trim()),
  group: q.getAttribute('role'), named: !!q.getAttribute('aria-labelledby'),
  radiogroup: !!q.querySelector('.Answer[role=radiogroup][aria-labelledby]'),
  live: (q.querySelector('.Feedback') || {getAttribute: () => null}).getAttribute('aria-live'),
}))"""

AXE_ON_QUIZZES = """async (tags) => {
  const rules = axe.getRules(tags).filter(r => !r.tags.includes('experimental')).map(r => r.ruleId);
  const quizzes = Array.from(document.querySelectorAll('article.bd-article .Quiz'));
  const result = await axe.run({include: quizzes}, {runOnly: {type: 'rule', values: rules},
                                resultTypes: ['violations'], preload: false});
  return result.violations.flatMap(v => v.nodes.map(n => `${v.id}: ${n.target.join(' ')}: `
    + (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim().slice(0, 160)));
}"""


def feedback_of(quiz):
    return quiz.locator(".Feedback").inner_text().strip()


def answer_numeric(page, quiz, value):
    field = quiz.locator("input.Input-text")
    field.click()  # the field empties itself on focus
    page.keyboard.type(f"{value:g}")
    page.keyboard.press("Enter")


# every chapter's questions take a minute and a half in the browser: `make test` answers chapter 1's, and
# `make test-slow` (which .ci/run calls) the others
ANSWERED = [CHAPTERS[0]] + [pytest.param(c, marks=pytest.mark.slow) for c in CHAPTERS[1:]]


@pytest.mark.parametrize("chapter", ANSWERED)
def test_questions_answer_offline_with_feedback(browser, chapter):  # noqa: F811
    expected = [q for path, group in shown_groups(chapter) for q in data(chapter)["groups"][group]]
    reader = open_reader(browser, f"{chapter}.html", where=chapter)
    page = reader.page
    wait_until_drawn(reader)
    state = page.evaluate(QUIZ_STATE)
    assert len(state) == len(expected), f"{len(state)} questions on the page, {len(expected)} in the chapter's cells"
    assert 2 <= len(state) <= 4, f"{len(state)} self-check questions on the page (two to four a chapter)"
    problems = []
    for i, (shown, question) in enumerate(zip(state, expected, strict=True)):
        quiz = page.locator("article.bd-article .Quiz").nth(i)
        quiz.scroll_into_view_if_needed()
        where = f"question {i + 1} ({question['question'][:50]!r})"
        if shown["kind"] != question["type"] or shown["question"].strip() != question["question"]:
            problems.append(f"{where}: the page shows {shown['question']!r}")
            continue
        if not (shown["group"] == "group" and shown["named"] and shown["live"] == "polite"):
            problems.append(f"{where}: not a named group with a live feedback region: {shown}")
        answers = question["answers"]
        if question["type"] == "multiple_choice":
            if not shown["radiogroup"]:
                problems.append(f"{where}: the options are not a named radio group")
            if shown["options"] != [a["answer"] for a in answers]:
                problems.append(f"{where}: options {shown['options']} differ from the file's")
                continue
            right = next(j for j, a in enumerate(answers) if a["correct"])
            wrong = next(j for j, a in enumerate(answers) if not a["correct"])
            quiz.locator("label.MCButton").nth(wrong).click()  # by pointer
            if feedback_of(quiz) != answers[wrong]["feedback"]:
                problems.append(f"{where}: after the wrong option the page says {feedback_of(quiz)!r}")
            for _ in range((right - wrong) % len(answers)):  # by keyboard: the arrows move and choose
                page.keyboard.press("ArrowDown")
            if feedback_of(quiz) != answers[right]["feedback"]:
                problems.append(f"{where}: after the right option (keyboard) the page says {feedback_of(quiz)!r}")
            ring = quiz.locator("label.MCButton").nth(right).evaluate("l => getComputedStyle(l).outlineStyle")
            if ring == "none":
                problems.append(f"{where}: no focus ring on the option reached by keyboard")
        else:
            values = [a for a in answers if a.get("type") == "value"]
            right = next(a for a in values if a["correct"])
            wrong = next(a for a in values if not a["correct"])
            for answer, verdict in ((wrong, "incorrect"), (right, "correct")):
                answer_numeric(page, quiz, answer["value"])
                classes = quiz.locator(".Feedback").get_attribute("class")
                if feedback_of(quiz) != answer["feedback"] or verdict not in classes.split():
                    problems.append(f"{where}: after typing {answer['value']} the page says {feedback_of(quiz)!r}")
            if not quiz.locator("label.InpLabel").evaluate("l => !!l.control"):
                problems.append(f"{where}: the number field has no label")
    stem = chapter.replace("/", "-")
    first = page.locator("article.bd-article .Quiz").first
    screenshot(first, ARTIFACTS / f"{stem}-selfcheck.png")
    page.add_script_tag(path=str(AXE))
    problems += [f"axe (light): {v}" for v in page.evaluate(AXE_ON_QUIZZES, AXE_TAGS)]
    page.evaluate("() => { const root = document.documentElement; root.dataset.theme = root.dataset.mode = 'dark'; }")
    page.wait_for_timeout(100)
    problems += [f"axe (dark): {v}" for v in page.evaluate(AXE_ON_QUIZZES, AXE_TAGS)]
    screenshot(first, ARTIFACTS / f"{stem}-selfcheck-dark.png")
    assert not reader.unexpected_errors(), "JavaScript errors:\n" + "\n".join(reader.unexpected_errors())
    assert not reader.blocked, f"the page tried to reach the network: {reader.blocked}"
    page.context.close()
    assert not problems, f"{chapter}, self-check:\n- " + "\n- ".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS[:1])
def test_questions_fit_a_phone(browser, chapter):  # noqa: F811
    """At 390 px the options stack in one column, each at least 44 px tall, and nothing is wider than the screen."""
    reader = open_reader(browser, f"{chapter}.html", where=chapter, viewport=PHONE, is_mobile=True, has_touch=True)
    page = reader.page
    wait_until_drawn(reader)
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('article.bd-article .Quiz')).map(q => ({
      right: q.getBoundingClientRect().right, width: document.documentElement.clientWidth,
      options: Array.from(q.querySelectorAll('label.MCButton')).map(l => l.getBoundingClientRect())
        .map(r => [r.left, r.height])}))"""
    )
    first = page.locator("article.bd-article .Quiz").first
    first.scroll_into_view_if_needed()
    screenshot(first, ARTIFACTS / f"{chapter.replace('/', '-')}-selfcheck-phone.png")
    page.context.close()
    assert sizes, "no self-check questions on the page"
    for i, quiz in enumerate(sizes):
        assert quiz["right"] <= quiz["width"] + 1, f"question {i + 1} is wider than the phone's screen"
        assert len({round(left) for left, _ in quiz["options"]}) <= 1, f"question {i + 1}: options side by side"
        assert all(h >= 44 for _, h in quiz["options"]), f"question {i + 1}: an option under 44 px tall"
