"""Header rows: clean, unique column names, and the extra header rows of the big survey
tools (Qualtrics, SurveyMonkey), found from their content.
"""

from __future__ import annotations

import json
import re


def clean_column_names(raw: list[object]) -> list[str]:
    """Trimmed, unique, non-empty names (blank -> ``Unnamed: i``; repeats get `` (2)``).

    >>> clean_column_names(["", "a", "a", " b "])
    ['Unnamed: 0', 'a', 'a (2)', 'b']
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(raw):
        text = "" if name is None else str(name).replace("\ufeff", "").strip()
        text = re.sub(r"[\x00-\x1f]", " ", text)
        if not text or text.lower() in {"nan", "none"}:
            text = f"Unnamed: {i}"
        key = text.lower()
        if key in seen:
            seen[key] += 1
            text = f"{text} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(text)
    return out


_SM_RESPONSE = {"response", "open-ended response", "other (please specify)"}


def multi_row_header(
    header: list[object], first: list[list[object]]
) -> tuple[int, str, list[object]]:
    """The extra header rows of the big survey tools, found from their content.

    Returns ``(extra rows, tool, column names)``:

    - Qualtrics: row 2 is the question text, row 3 ``{"ImportId": ...}`` JSON: names are the
      question texts (the short ids where a text is blank);
    - SurveyMonkey: row 2 names the sub-answer (``Response``, ``Open-Ended Response`` or a
      choice) and blank row-1 cells continue the question to their left: names are
      ``question`` or ``question – choice``.

    >>> multi_row_header(["Q1", "Q2"], [["How?", "Why?"], ['{"ImportId":"QID1"}', '{"ImportId":"QID2"}']])
    (2, 'Qualtrics', ['How?', 'Why?'])
    >>> multi_row_header(["Respondent ID", "Pick one", ""], [["", "A", "B"], ["1", "A", ""]])
    (1, 'SurveyMonkey', ['Respondent ID', 'Pick one – A', 'Pick one – B'])
    >>> multi_row_header(["a", "b"], [["1", "2"]])
    (0, '', ['a', 'b'])
    """
    texts = [[("" if v is None else str(v)).strip() for v in row] for row in first]
    head = [("" if v is None else str(v)).strip() for v in header]
    for k, row in enumerate(texts[:2]):
        filled = [v for v in row if v]
        if filled and sum(1 for v in filled if _import_id(v)) >= 0.5 * len(filled):
            question = texts[0] if k == 1 else [""] * len(head)
            names: list[object] = [
                (question[i] if i < len(question) and question[i] else head[i])
                for i in range(len(head))
            ]
            return k + 1, "Qualtrics", names
    if not texts:
        return 0, "", list(header)
    sub = texts[0] + [""] * (len(head) - len(texts[0]))
    blanks = [i for i, h in enumerate(head) if not h]
    says_response = any(v.lower() in _SM_RESPONSE for v in sub)
    continues = bool(blanks) and all(sub[i] for i in blanks) and 0 not in blanks
    if not (says_response or continues) or len(texts) < 2:
        return 0, "", list(header)
    out: list[object] = []
    question = ""
    for i, h in enumerate(head):
        grouped = (i + 1 < len(head) and not head[i + 1]) or not h
        question = h or question
        choice = sub[i]
        if not choice or choice.lower() in _SM_RESPONSE or not grouped:
            out.append(
                question
                if choice.lower() in _SM_RESPONSE or not choice
                else f"{question} – {choice}"
            )
        else:
            out.append(f"{question} – {choice}")
    return 1, "SurveyMonkey", out


def _import_id(text: str) -> bool:
    if not text.startswith("{") or "ImportId" not in text:
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
