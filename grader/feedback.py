"""Per-student feedback pages from the gradebook, without the hidden tests."""

from __future__ import annotations

import functools
import html
import logging
import shutil
from pathlib import Path

import jinja2
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from . import atomic, course, page_soup, pipeline


class Renderer:
    """nbgrader's feedback page for any number of students, from one exporter.

    Built once per process: nbgrader's GenerateFeedback makes a new HTML exporter (templates
    loaded and compiled again) for every student. The page is the one GenerateFeedback writes:
    same exporter class, configuration (the course's), preprocessors and resources.
    """

    def __init__(self, the_course: course.Course):
        config = the_course.nbgrader_config(the_course.root, "sqlite://")
        config.GenerateFeedback.preprocessors = pipeline.FEEDBACK
        converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
        converter.log.setLevel(logging.ERROR)
        self.exporter = _SameWorkOnce(parent=converter, config=converter.config)
        for step in converter.preprocessors:
            self.exporter.register_preprocessor(step)

    def page(self, autograded: Path, student: str, assignment: str, db_url: str) -> str:
        """The HTML page of `student`'s autograded notebook, scores read from `db_url`."""
        notebook = Path(autograded).stem
        resources = {"unique_key": notebook, "output_files_dir": f"{notebook}_files",
                     "nbgrader": {"student": student, "assignment": assignment,
                                  "notebook": notebook, "db_url": db_url}}
        output, _ = self.exporter.from_filename(str(autograded), resources=resources)
        return output


class _Templated(TemplateExporter):
    """The rendered page, set aside for `_SameWorkOnce`; HTMLExporter's BeautifulSoup pass
    gets an empty page instead (HTMLExporter calls this in place of TemplateExporter)."""

    def from_notebook_node(self, nb, resources=None, **kw):
        self._rendered, resources = super().from_notebook_node(nb, resources, **kw)
        return "", resources


class _SameWorkOnce(HTMLExporter, _Templated):
    """GenerateFeedback's exporter, doing once per process what is the same on every page.

    Each distinct markdown text is rendered once: its rendering depends only on the source,
    the cell's attachments (cells with some are rendered every time) and, when images are
    embedded, the notebook's folder. Each distinct code source is highlighted once. The final
    BeautifulSoup pass is page_soup's, which remembers the pieces of page it has seen.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        _, resources = super().from_notebook_node(nb, resources, **kw)
        return page_soup.transform(self._rendered), resources

    @functools.lru_cache(maxsize=2048)  # noqa: B019  (one exporter per process, kept for good)
    def _markdown_of(self, source: str, path: str) -> str:
        return super().markdown2html({"resources": {"metadata": {"path": path}}}, source)

    @jinja2.pass_context
    def markdown2html(self, context, source):
        if context.get("cell", {}).get("attachments"):
            return super().markdown2html(context, source)
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        return self._markdown_of(source, path if self.embed_images else "")

    def register_filter(self, name, jinja_filter):
        if name == "highlight_code" and type(jinja_filter) is Highlight2HTML:
            jinja_filter = functools.partial(self._highlight, jinja_filter)
        return super().register_filter(name, jinja_filter)

    def _highlight(self, highlighter, source, language=None, metadata=None):
        """What `highlighter` makes of a cell; of the cell's metadata it reads only the language
        of its magics."""
        magics = metadata["magics_language"] if metadata and "magics_language" in metadata \
            else None
        if not all(isinstance(arg, str) or arg is None for arg in (source, language, magics)) \
                or (metadata and "magics_language" in metadata and magics is None):
            return highlighter(source, language, metadata)
        return self._highlighted(highlighter.pygments_lexer, source, language, magics)

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def _highlighted(self, lexer, source, language, magics):
        metadata = None if magics is None else {"magics_language": magics}
        return Highlight2HTML(pygments_lexer=lexer, parent=self)(source, language, metadata)


def generate(out, db_url: str, rows: list[dict], force: bool = False) -> None:
    """Write the feedback page of every row (nbgrader's page, or a note why there is none).

    Pages the workers rendered while grading are up to date and are kept unless `force`.
    """
    renderer = None
    for row in rows:
        student = row["student_id"]
        target = out.feedback_page(student)
        notebook = out.autograded_notebook(student)
        if not notebook.exists():
            atomic.write_text(target, _no_notebook_page(out.assignment.name, student,
                                                        row["status"]))
            submission_files_beside(out.autograded_notebook(student).parent, target.parent,
                                    out.in_course)
            continue
        if not force and target.exists() and target.stat().st_mtime >= notebook.stat().st_mtime:
            continue
        renderer = renderer or Renderer(out.assignment.course)
        atomic.write_text(target, renderer.page(notebook, student, out.assignment.name, db_url))
        submission_files_beside(notebook.parent, target.parent, out.in_course)


def submission_files_beside(autograded: Path, folder: Path, in_course: bool) -> None:
    """In a course, release_feedback needs the submission's timestamp and secret beside the
    page: copied from the autograded notebook's folder."""
    if in_course:
        for name in course.SUBMISSION_FILES:
            if (autograded / name).is_file():
                shutil.copy2(autograded / name, folder / name)


def _no_notebook_page(assignment: str, student: str, status: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Feedback for {html.escape(student)}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>{html.escape(assignment)}: feedback for {html.escape(student)}</h1>
<p><strong>Your submission could not be graded:</strong> {html.escape(status)}.</p>
<p>Score: 0. Download the assignment notebook again, copy your answers into it, check that it
opens in JupyterLab, and submit the <code>.ipynb</code> file again.</p>
</body></html>
"""
