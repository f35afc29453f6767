"""nbconvert's last pass over an HTML page, done piece by piece and remembered.

HTMLExporter reads the whole rendered page into BeautifulSoup (html.parser), gives images
without alt text a default one, makes notebook inputs and outputs focusable and writes the
tree back out: most of the cost of a feedback page. The page head (the CSS) and most cells
are the same on every student's page, so each is put through the pass alone, once per
process. That is exact only where html.parser reads the piece alone as it would inside the
page; `_Reader` checks that, and a page where any check fails gets the pass on the whole page.
"""

from __future__ import annotations

import functools
import re
import secrets

from bs4 import BeautifulSoup, Comment
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder

ALT = "No description has been provided for this image"
FOCUSABLE = (".jp-Notebook div.jp-Cell-inputWrapper", ".jp-Notebook div.jp-OutputArea-output")

# Where the pieces are (classic and nbgrader feedback templates). Only speed depends on these:
# whatever they find is checked.
_CELL = re.compile(r'^<div (?:id="[^"<>]*" )?class="cell border-box-sizing ', re.MULTILINE)
_CELLS_END = "\n      </div>\n    </div>\n  </main>\n</body>"
_SPACE = " \t\n\r\f"
# Elements whose content html.parser or BeautifulSoup treat apart (whitespace kept, raw text)
_SPECIAL = set(HTMLParserTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS) | set(
    HTMLParserTreeBuilder.DEFAULT_STRING_CONTAINERS)

# A start tag that ends at its own '>' whatever follows: quotes only around values. html.parser
# reads an unclosed quote up to the next quote in the page, wherever that is.
_WHOLE_TAG = re.compile(
    r"""<[a-zA-Z][^\t\n\r\f />\x00]*"""  # name
    r"""(?:\s+[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""  # attributes
    r"""\s*/?>""")
# Markers standing for the pieces in the rest of the page; unguessable, so no student's
# output can contain one.
_MARK = f"grader-piece-{secrets.token_hex(16)}"
_MARKS = re.compile(f"<!--{_MARK}:(\\d+)-->")


def whole(html: str) -> str:
    """The pass as nbconvert does it, on a whole page."""
    return _decorated(BeautifulSoup(html, features="html.parser"))


def transform(html: str) -> str:
    """The pass on a whole page, from remembered pieces where that is provably the same."""
    pieces = _pieces(html)
    return (pieces and _assembled(html, pieces)) or whole(html)


def _decorated(soup: BeautifulSoup) -> str:
    for image in soup.select("img:not([alt])"):
        image.attrs["alt"] = ALT
    for selector in FOCUSABLE:
        for element in soup.select(selector):
            element.attrs["tabindex"] = "0"
    return str(soup)


def _pieces(html: str) -> list[tuple[int, int]]:
    """(start, end) of the <head> element and of each notebook cell, in page order."""
    head, head_end = html.find("<head>"), html.find("</head>")
    starts = [match.start() for match in _CELL.finditer(html)]
    cells_end = html.rfind(_CELLS_END)
    if head < 0 or head_end < head or not starts or cells_end < starts[-1] \
            or starts[0] < head_end:
        return []
    pieces = [(head, head_end + len("</head>"))]
    for start, end in zip(starts, [*starts[1:], cells_end], strict=True):
        pieces.append((start, start + len(html[start:end].rstrip(_SPACE))))
    return pieces


def _assembled(html: str, pieces: list[tuple[int, int]]) -> str | None:
    """The page's pass from its pieces' and its frame's (the page with a marker for each
    piece), or None where that could differ from the pass on the whole page."""
    done = [_piece(html[start:end]) for start, end in pieces]
    if None in done:
        return None
    frame, last = [], 0
    for number, (start, end) in enumerate(pieces):
        frame += [html[last:start], f"<!--{_MARK}:{number}-->"]
        last = end
    frame.append(html[last:])
    soup = _read("".join(frame))
    if soup is None:
        return None
    marks = [text for text in soup.find_all(string=lambda s: isinstance(s, Comment))
             if text.startswith(_MARK)]
    if sorted(marks) != sorted(f"{_MARK}:{n}" for n in range(len(pieces))) \
            or not all(_neutral(mark) for mark in marks):
        return None
    out = _decorated(soup)
    if len(_MARKS.findall(out)) != len(pieces):
        return None
    return _MARKS.sub(lambda match: done[int(match[1])], out)


@functools.lru_cache(maxsize=4096)
def _piece(text: str) -> str | None:
    """The pass on one piece read alone (None: it might read differently inside a page)."""
    soup = _read(text)
    if soup is None or soup.contents[:1] == [] or soup.contents[0].name is None \
            or soup.contents[-1].name is None:  # starts and ends with an element
        return None
    return _decorated(soup)


def _neutral(mark: Comment) -> bool:
    """Whether the page around a piece changes nothing in how the piece is read and decorated:
    no whitespace-keeping or raw-text element, no .jp-Notebook above it."""
    return not any(parent.name in _SPECIAL or "jp-notebook" in
                   [name.lower() for name in parent.get("class") or []]
                   for parent in mark.parents)


def _read(markup: str) -> BeautifulSoup | None:
    """BeautifulSoup(markup, "html.parser"), or None where html.parser might read `markup`
    differently with other markup around it."""
    builder = _CheckedBuilder()
    try:
        soup = BeautifulSoup(markup, builder=builder)
    except Exception:  # rejected alone: the whole page decides  # noqa: BLE001
        return None
    return soup if builder.sound else None


class _Reader(BeautifulSoupHTMLParser):
    """BeautifulSoup's html.parser, noting what would make a piece read differently in a page:
    a start tag whose extent depends on what follows it, an end tag that closes anything but
    the innermost open element, an element left open, or input left over at the end (an
    unfinished tag, comment, character reference or raw-text element)."""

    def handle_starttag(self, tag, attrs, handle_empty_element=True):
        if not _WHOLE_TAG.fullmatch(self.get_starttag_text() or ""):
            self.soup.builder.sound = False
        return super().handle_starttag(tag, attrs, handle_empty_element)

    def handle_endtag(self, tag, check_already_closed=True):
        current = self.soup.currentTag
        if check_already_closed and (current is self.soup or current.name != tag):
            self.soup.builder.sound = False  # in the markup, not closing the innermost element
        return super().handle_endtag(tag, check_already_closed)

    def close(self):
        if self.rawdata or self.cdata_elem or self.soup.currentTag is not self.soup:
            self.soup.builder.sound = False
        super().close()


class _CheckedBuilder(HTMLParserTreeBuilder):
    """html.parser's tree builder reading through `_Reader`; `sound` says what it found."""

    def feed(self, markup, _parser_class=_Reader):
        self.sound = True
        super().feed(markup, _parser_class)
