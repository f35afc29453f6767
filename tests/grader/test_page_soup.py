"""Feedback pages put together from remembered pieces are byte for byte nbconvert's, whatever
HTML a student's outputs or markdown hold, and whatever pages were rendered before."""

from __future__ import annotations

import base64
import copy
import logging

import pytest
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from grader import course, feedback, page_soup
from grader.notebook_io import read_notebook

OURS = course.default_assignment()
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()

# What a student can make a page show: each lands as raw HTML somewhere in the page
ODD = {
    "unbalanced": "<b>bold <i>never closed",
    "closes the page": "</div></div></div></main></body>after",
    "unterminated quote": '<span title= "no end>text</span>',
    "unterminated quote, spaced": '<span title = "no end>text</span>',
    "images": '<img src="x.png"><img src=y.png alt="given"><img/>',
    "entities": "&#39; &quot; &amp; &#x27; &nbsp; &notanentity; &#xZZ; & < > &#182",
    "focusable": '<div class="jp-Notebook"><div class="jp-Cell-inputWrapper">in</div>'
                 '<div class="jp-OutputArea-output">out</div></div>',
    "jp-Notebook left open": '<div class="JP-NOTEBOOK"><div class="x">',
    "script left open": '<script>var x = "</div>";',
    "comment left open": "<!-- never closed",
    "whitespace kept": "<pre>  keep   spaces  </pre>\n\n   <textarea>  <b>raw</b>",
    "stray end tags": "<br></br><p></p></p></img>",
    "declarations": "<![CDATA[ x ]]> <?pi x?> <!DOCTYPE html> <!weird>",
    "bad character reference": "&#x; text &# more",
    "ends mid-tag": '<div class="a',
}


@pytest.fixture(scope="module")
def exporters():
    """(ours, nbconvert's), configured as GenerateFeedback configures its exporter."""
    config = OURS.course.nbgrader_config(OURS.course.root, "sqlite://")
    converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
    converter.log.setLevel(logging.ERROR)
    return (feedback._SameWorkOnce(parent=converter, config=converter.config),
            HTMLExporter(parent=converter, config=converter.config))


@pytest.fixture(scope="module")
def notebook():
    """The released notebook, run and scored: its code cells print, as a student's would."""
    nb = read_notebook(OURS.release_notebook)
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:  # what GetGrades puts there
            cell.metadata.nbgrader.update(score=1.0, points=2.0, comment="Look again.")
    for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.outputs = [new_output("stream", name="stdout", text=f"cell {n} ran\n")]
    return nb


def page(exporter, nb) -> str:
    resources = {"unique_key": OURS.notebook, "output_files_dir": f"{OURS.notebook}_files",
                 "nbgrader": {"student": "s", "assignment": OURS.name,
                              "notebook": OURS.notebook, "score": 7, "max_score": 100,
                              "late_penalty": 0}}
    return exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)[0]


def with_html(nb, html: str):
    """`nb` with `html` as a code cell's HTML output (mid-page) and in a markdown cell."""
    nb = copy.deepcopy(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    code[len(code) // 2].outputs.append(
        new_output("display_data", data={"text/html": html, "text/plain": "html"}))
    code[1].outputs.append(new_output("display_data", data={"image/png": PNG}))
    nb.cells.insert(3, new_markdown_cell(f"A student's note: {html}"))
    return nb


def test_a_plain_page_is_assembled_from_pieces(exporters, notebook, monkeypatch):
    ours, stock = exporters
    expected = page(stock, notebook)
    monkeypatch.setattr(page_soup, "whole", lambda html: pytest.fail("whole-page pass used"))
    page_soup._piece.cache_clear()
    assert page(ours, notebook) == expected  # cold
    assert page(ours, notebook) == expected  # every piece remembered


@pytest.mark.parametrize("odd", ODD.values(), ids=ODD.keys())
def test_odd_student_html_renders_as_nbconvert_renders_it(exporters, notebook, odd):
    ours, stock = exporters
    odd_nb = with_html(notebook, odd)
    page(ours, notebook)  # the cache warm with the plain page's pieces
    assert page(ours, odd_nb) == page(stock, odd_nb)
    assert page(ours, notebook) == page(stock, notebook)  # and nothing odd left in it


def test_all_odd_html_on_one_page(exporters, notebook):
    ours, stock = exporters
    odd_nb = notebook
    for odd in ODD.values():
        odd_nb = with_html(odd_nb, odd)
    assert page(ours, odd_nb) == page(stock, odd_nb)


def test_pieces_that_read_differently_in_a_page_are_not_used_alone():
    assert page_soup._piece('<div><span a = "x>y</span></div>') is None  # quote runs on
    assert page_soup._piece("<div>a</div></div>") is None  # closes the page's element
    assert page_soup._piece("<div><b>a</div>") is None  # closes past an open element
    assert page_soup._piece("<div>a &amp") is None  # unfinished
    assert page_soup._piece("\n<div>a</div>") is None  # text joins the page's
    assert page_soup._piece('<div class="x">a&#182;<br><img src="i.png"></div>') == \
        f'<div class="x">a¶<br/><img alt="{page_soup.ALT}" src="i.png"/></div>'



@pytest.mark.parametrize("around", [
    ("<!-- ", " -->"),  # a comment swallowing a piece's marker
    ('<p title="', '">'),  # an attribute too
    ("<pre>", "</pre>"),  # whitespace kept
    ('<div class="jp-Notebook">', "</div>"),  # inputs focusable
])
def test_a_page_whose_frame_changes_its_pieces_gets_the_whole_page_pass(around):
    cells = '<div class="cell border-box-sizing x">  <div class="jp-Cell-inputWrapper">a</div>' \
        '\n\n</div>\n<div class="cell border-box-sizing y"><img src="i.png">\n</div>'
    html = f"<html><head></head>{around[0]}<body><main><div><div>\n{cells}" \
        f"{page_soup._CELLS_END}{around[1]}</html>"
    assert len(page_soup._pieces(html)) == 3  # found, and then refused
    assert page_soup.transform(html) == page_soup.whole(html)
