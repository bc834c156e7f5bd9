"""Self-check questions: two to four short questions per chapter, each answer explained.

The questions of a chapter live in one file, ``book/selfcheck/NN_name.json``::

    {"chapter": "book/01_what_a_loss_is.ipynb",
     "groups": {"prices": [question, ...], "signals": [question, ...]}}

A group is shown right after the section it checks, by a cell ``show("selfcheck/NN_name.json", "prices")``. A
question is either a multiple choice (exactly one option has ``"correct": true``; every option carries a
``"feedback"`` that says why it is right or wrong)::

    {"type": "multiple_choice", "question": "...",
     "answers": [{"answer": "...", "correct": true, "feedback": "..."}, ...]}

or a number (``precision`` significant digits are compared; ``"value"`` answers name the right number and typical
wrong ones, each with its feedback; a ``"default"`` answer gives the feedback for any other number; ``"check"`` is
Python code in ``np`` and ``ln``, a string or a list of lines whose last line is an expression, that computes the
right number: the tests run it)::

    {"type": "numeric", "question": "...", "precision": 3, "check": "...",
     "answers": [{"type": "value", "value": 100, "correct": true, "feedback": "..."}, ...,
                 {"type": "default", "feedback": "..."}]}

The quiz is drawn by jupyterquiz (HTML and JavaScript, no kernel needed), so it works in the static book, in
JupyterLab and in Colab. What this module adds to it: the house colours (CSS variables that the book's stylesheet
sets for its light and dark modes, with fallbacks elsewhere), options in a fixed order, and the accessible names a
screen reader needs (each group of options is a radio group named by its question, a number field is labelled,
feedback is announced as it appears).
"""

from __future__ import annotations

import json
import random
import re
import urllib.request
from pathlib import Path

TYPES = ("multiple_choice", "numeric")
# When a chapter runs without the repository around it (a notebook opened on its own, as in Colab), its questions
# are read from the repository.
REPOSITORY_RAW = "https://raw.githubusercontent.com/lossnotes/lossnotes/main/book/"

# jupyterquiz's colour variables, pointed at the book's own (web/lossnotes.css sets them for light and dark mode);
# the fallbacks, used in JupyterLab and Colab, keep every text at a contrast of at least 4.5:1.
COLORS = {
    "--jq-multiple-choice-bg": "var(--ln-quiz-question-bg, #1d3b5c)",
    "--jq-many-choice-bg": "var(--ln-quiz-question-bg, #1d3b5c)",
    "--jq-numeric-bg": "var(--ln-quiz-question-bg, #1d3b5c)",
    "--jq-string-bg": "var(--ln-quiz-question-bg, #1d3b5c)",
    "--jq-text-color": "var(--ln-quiz-question-text, #ffffff)",
    "--jq-mc-button-bg": "var(--ln-quiz-option-bg, #f6f8fa)",
    "--jq-mc-button-border": "var(--ln-quiz-option-border, #6e7781)",
    "--jq-mc-button-inset-shadow": "var(--ln-quiz-option-border, #6e7781)",
    "--jq-numeric-input-bg": "var(--ln-quiz-input-bg, #ffffff)",
    "--jq-numeric-input-label": "var(--ln-quiz-question-text, #ffffff)",
    "--jq-numeric-input-shadow": "var(--ln-quiz-option-border, #6e7781)",
    "--jq-correct-color": "var(--ln-quiz-correct, #1a7f37)",
    "--jq-incorrect-color": "var(--ln-quiz-incorrect, #b42318)",
    "--jq-link-color": "var(--ln-quiz-question-text, #ffffff)",
}

# Run before the quiz is drawn. jupyterquiz typesets its text with the page's MathJax 3 and, if it finds a MathJax
# without `typeset` (the book's configuration before its deferred MathJax has loaded; JupyterLab's own global), it
# either calls it half-made or fetches a MathJax of its own from a CDN. The questions hold no TeX (the page's own
# MathJax would typeset them anyway), so jupyterquiz is left to see no MathJax while it draws, and AFTER puts it back.
BEFORE = """
if (window.MathJax && typeof window.MathJax.typeset !== 'function') {
  window.lnMathJax = window.MathJax; delete window.MathJax;
}
"""

# Run after the quiz is drawn: MathJax back, and names and roles for assistive technology on every
# quiz not yet seen.
AFTER = """
if (window.lnMathJax && !window.MathJax) { window.MathJax = window.lnMathJax; }
delete window.lnMathJax;
(function () {
  // an answer makes jupyterquiz typeset its feedback: hide a MathJax that cannot typeset during that handler
  function shield() {
    var m = window.MathJax;
    if (m && typeof m.typeset !== 'function' && delete window.MathJax) setTimeout(function () { window.MathJax = m; });
  }
  function fix() {
    document.querySelectorAll('.Quiz:not([data-ln-a11y])').forEach(function (quiz) {
      quiz.setAttribute('data-ln-a11y', '1');
      quiz.addEventListener('click', shield, true);
      quiz.addEventListener('keypress', shield, true);
      // JupyterLab: the arrow keys move between the options here, not between the notebook's cells
      quiz.setAttribute('data-lm-suppress-shortcuts', 'true');
      quiz.addEventListener('keydown', function (e) { if (/^Arrow| |Enter/.test(e.key)) e.stopPropagation(); });
      quiz.setAttribute('role', 'group');
      var question = quiz.querySelector('[id^="quizQn"]');
      var answers = quiz.querySelector('.Answer');
      var feedback = quiz.querySelector('.Feedback');
      if (question) quiz.setAttribute('aria-labelledby', question.id);
      if (feedback) { feedback.setAttribute('role', 'status'); feedback.setAttribute('aria-live', 'polite'); }
      if (!answers) return;
      var input = answers.querySelector('input.Input-text');
      if (input) {
        var label = answers.querySelector('label.InpLabel');
        label.htmlFor = input.id;
        label.textContent = 'Your answer (a number; press Enter to check it):';
        input.setAttribute('inputmode', 'decimal');
        input.setAttribute('autocomplete', 'off');
      } else {
        answers.setAttribute('role', 'radiogroup');
        if (question) answers.setAttribute('aria-labelledby', question.id);
      }
    });
  }
  fix();
  setTimeout(fix, 300);
  setTimeout(fix, 1500);
})();
"""


def _problems(question, where):
    """What is wrong with one question (a list of sentences; empty when it is well formed)."""
    problems = []
    kind = question.get("type")
    if kind not in TYPES:
        return [f"{where}: type {kind!r} is not one of {TYPES}"]
    if not str(question.get("question", "")).strip():
        problems.append(f"{where}: no question text")
    answers = question.get("answers")
    if not isinstance(answers, list) or not answers:
        return problems + [f"{where}: no answers"]
    if kind == "multiple_choice":
        right = [a for a in answers if a.get("correct") is True]
        if len(right) != 1:
            problems.append(f"{where}: {len(right)} correct options (exactly one is needed)")
        if len(answers) < 3:
            problems.append(f"{where}: {len(answers)} options (at least three are needed)")
        for j, answer in enumerate(answers):
            if not str(answer.get("answer", "")).strip():
                problems.append(f"{where}, option {j + 1}: no text")
            if not str(answer.get("feedback", "")).strip():
                problems.append(f"{where}, option {j + 1}: no feedback")
    else:
        values = [a for a in answers if a.get("type") == "value"]
        right = [a for a in values if a.get("correct") is True]
        if len(right) != 1:
            problems.append(f"{where}: {len(right)} correct values (exactly one is needed)")
        if not [a for a in values if a.get("correct") is False]:
            problems.append(f"{where}: no typical wrong value with its feedback")
        if not [a for a in answers if a.get("type") == "default" and str(a.get("feedback", "")).strip()]:
            problems.append(f"{where}: no default feedback for other numbers")
        for j, answer in enumerate(values):
            if not isinstance(answer.get("value"), int | float) or isinstance(answer.get("value"), bool):
                problems.append(f"{where}, answer {j + 1}: value {answer.get('value')!r} is not a number")
            if not str(answer.get("feedback", "")).strip():
                problems.append(f"{where}, answer {j + 1}: no feedback")
        if not isinstance(question.get("precision"), int) or question["precision"] < 1:
            problems.append(f"{where}: precision must be a whole number of significant digits")
        if not "".join(question.get("check") or []).strip():
            problems.append(f"{where}: no check (a Python expression that computes the right number)")
    return problems


def validate(data, name="questions"):
    """Check a chapter's question file as loaded from JSON; raise ValueError listing every problem."""
    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict) or not data["groups"]:
        raise ValueError(f"{name}: needs a 'groups' object mapping a group name to its list of questions")
    problems = []
    for group, questions in data["groups"].items():
        if not isinstance(questions, list) or not questions:
            problems.append(f"{name}, group {group!r}: no questions")
            continue
        for i, question in enumerate(questions):
            problems += _problems(question, f"{name}, group {group!r}, question {i + 1}")
    if problems:
        raise ValueError("; ".join(problems))
    return data


def load(path):
    """A chapter's questions: the file at `path` (relative to the notebook), or the same file in the repository
    when the notebook runs on its own. Raises ValueError when the file is malformed."""
    if not isinstance(path, str | Path):
        raise ValueError(f"path must be a file name, not {type(path).__name__}")
    local = Path(path)
    if local.is_file():
        text = local.read_text(encoding="utf-8")
    else:
        with urllib.request.urlopen(REPOSITORY_RAW + Path(path).as_posix(), timeout=30) as response:
            text = response.read().decode("utf-8")
    return validate(json.loads(text), name=str(path))


def questions(path, group):
    """The questions of one group, as jupyterquiz reads them (without the tests' `check` expressions)."""
    data = load(path)
    if group not in data["groups"]:
        raise ValueError(f"group {group!r} is not in {path} (it has {sorted(data['groups'])})")
    return [{k: v for k, v in q.items() if k != "check"} for q in data["groups"][group]]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#$])")


def _md(text):
    """Plain text as Markdown that shows it unchanged (the characters Markdown would read as markup escaped)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def printed(chosen):
    """A group of questions as Markdown, for a page where the quiz cannot answer back (the PDF book): the questions
    with their options lettered, then each right answer with the feedback that says why it is right."""
    lines, answers = ["**Check yourself.** In the HTML book and in Jupyter these questions answer back.", ""], []
    for i, q in enumerate(chosen, start=1):
        lines.append(f"{i}. {_md(q['question'])}")
        if q["type"] == "multiple_choice":
            lines.append("")
            for letter, a in zip("abcdefgh", q["answers"], strict=False):
                lines.append(f"   - ({letter}) {_md(a['answer'])}")
                if a.get("correct"):
                    answers.append(f"{i} ({letter}): {_md(a['feedback'])}")
        else:
            if not re.search(r"significant|whole number", q["question"]):
                lines[-1] += f" (A number, to {q['precision']} significant digits.)"
            right = next(a for a in q["answers"] if a.get("type") == "value" and a.get("correct"))
            answers.append(f"{i} ({right['value']:g}): {_md(right['feedback'])}")
        lines.append("")
    return "\n".join([*lines, "*Answers.* " + " ".join(answers)]) + "\n"


def show(path, group):
    """Display one group of self-check questions (options in the order written).

    The quiz is jupyterquiz's HTML; its output also carries the questions as Markdown (``printed``), which the PDF
    book shows where it cannot run the quiz (HTML and Jupyter prefer the HTML).
    """
    from IPython.display import Javascript, display
    from IPython.utils.capture import capture_output
    from jupyterquiz import display_quiz

    chosen = questions(path, group)
    display(Javascript(BEFORE))
    state = random.getstate()
    random.seed(f"{path}:{group}")  # the quiz's element id, the same on every run
    try:
        with capture_output(stdout=False, stderr=False) as quiz:
            display_quiz(chosen, shuffle_answers=False, colors=dict(COLORS), max_width=688, border_radius=8)
    finally:
        random.setstate(state)
    for output in quiz.outputs:
        data = dict(output.data)
        if "text/html" in data:
            data["text/markdown"] = printed(chosen)
        display(data, metadata=output.metadata, raw=True)
    display(Javascript(AFTER))
