"""The care plan as a PDF (WeasyPrint): the plan, the charts with their data tables, the knowledge
version and the disclaimer.

The PDF is tagged for screen readers: WeasyPrint's PDF/UA-1 variant writes the structure tree (headings,
paragraphs, lists, tables, figures with their alternative text), the document language and a title that
readers show instead of the file name. Its title and file name name the person and the date.

A last page holding only the closing words (or nothing but the footer) is a page printed for nothing and
easy to lose. The template keeps the closing block with the last chart; and because a long table can still
spill a few rows onto a page of their own, the layout is checked after it is made: when the content of the
last page ends in its top third, the document is laid out again a little tighter, and then with the last
rows of the last table starting the last page, and the first layout without a nearly empty last page is
kept.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.text import slugify
from weasyprint import CSS, HTML
from weasyprint.document import Document

from smanav.careplans.documents import CarePlanDocument
from smanav.user_locale import PaperSize, current_user_locale

# PDF/UA-1 (ISO 14289-1) as WeasyPrint 70 writes it: PDF 1.7, tagged, with the UA identification in the
# metadata. (PDF/UA-2 needs PDF 2.0, which fewer readers open.)
PDF_VARIANT = "pdf/ua-1"
# The anchor at the very end of the template, whose position tells how much of the last page is used.
END_ANCHOR = "end-of-document"
# A last page whose content ends above this fraction of the page's height is "nearly empty" (a heading,
# a sentence and the closing box reach about a quarter of the page).
SPARSE_LAST_PAGE = 1 / 3

# WeasyPrint reads these as the reader's own stylesheets, which give way to the template's rules unless
# marked important.
_TIGHTER = """
  body { font-size: 9.5pt !important; line-height: 1.3 !important; }
  h2 { margin: 4mm 0 1.5mm !important; }
  .chart { margin-bottom: 2mm !important; }
  .chart th, .chart td { font-size: 7.5pt !important; padding: 0.4mm 1mm !important; }
"""
# The last twelve rows of the last chart's table start the last page (a long table's tail otherwise may
# leave two rows and the closing words alone there); a shorter last chart moves whole.
_TAIL_ON_LAST_PAGE = """
  .chart--last, .chart--last tr.tail-start { break-before: page !important; }
"""
# The layouts tried in turn: as designed; tighter; with the end of the last chart starting the last page.
_LAYOUTS: tuple[tuple[str, ...], ...] = ((), (_TIGHTER,), (_TAIL_ON_LAST_PAGE,))


def paper_for_reader() -> PaperSize:
    """US Letter where the reader's country prints on it (the United States, Canada...), else A4; A4 when
    there is no reader (a command) or the reader's country is not known."""
    locale = current_user_locale()
    return PaperSize.A4 if locale is None else locale.paper


def careplan_pdf(document: CarePlanDocument, *, paper: PaperSize | None = None) -> bytes:
    context = {"doc": document, "result": document.result, "paper": paper or paper_for_reader()}
    html = HTML(string=render_to_string("careplans/careplan_pdf.html", context))
    # No base URL: the document is self-contained (charts are data URIs), so nothing is fetched.
    chosen: tuple[float, Document] | None = None
    for extra in _LAYOUTS:
        rendered = html.render(stylesheets=[CSS(string=css) for css in extra], pdf_variant=PDF_VARIANT)
        fill = last_page_fill(rendered)
        if chosen is None or fill > chosen[0]:
            chosen = (fill, rendered)
        if fill >= SPARSE_LAST_PAGE:
            break
    assert chosen is not None
    pdf: bytes = chosen[1].write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def last_page_fill(rendered: Document) -> float:
    """How far down the last page its content reaches, as a fraction of the page's height (1.0 for a
    one-page document; 0.0 when the last page holds nothing of the body at all)."""
    if len(rendered.pages) < 2:
        return 1.0
    last = rendered.pages[-1]
    end = last.anchors.get(END_ANCHOR)
    if end is None:
        return 0.0
    return float(end[1]) / float(last.height)


def careplan_pdf_filename(document: CarePlanDocument) -> str:
    """`care-plan-<name>-<date>.pdf`: the person's name as a file name can hold it, and the plan's date."""
    name = slugify(document.patient.display_name, allow_unicode=True) or "record"
    return f"care-plan-{name}-{document.as_of.isoformat()}.pdf"
