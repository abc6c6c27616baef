"""The portal's own stylesheets parse as a whole: a rule left open swallows every rule after
it without any error in the browser."""

from pathlib import Path

import pytest

CSS = sorted((Path(__file__).resolve().parent.parent / "static" / "css").glob("*.css"))


def open_blocks(text):
    """The depth of { } at the end, comments left out; negative as soon as one closes early."""
    depth = 0
    in_comment = False
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if in_comment:
            if pair == "*/":
                in_comment, i = False, i + 2
                continue
        elif pair == "/*":
            in_comment, i = True, i + 2
            continue
        elif text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth < 0:
                return depth
        i += 1
    return depth


def test_open_blocks_counts_an_unclosed_rule():
    assert open_blocks(".a { color: red; } /* { */") == 0
    assert open_blocks(".a { color: red;\n.b { color: blue; }") == 1


@pytest.mark.parametrize("path", CSS, ids=[p.name for p in CSS])
def test_every_rule_is_closed(path):
    text = path.read_text(encoding="utf-8")
    assert open_blocks(text) == 0
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
