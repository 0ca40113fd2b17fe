"""The care plan as a PDF (WeasyPrint): the plan, the charts with their data tables, the knowledge
version and the disclaimer."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

from smanav.careplans.documents import CarePlanDocument
from smanav.web.user_locale import PaperSize, current_user_locale


def paper_for_reader() -> PaperSize:
    """US Letter where the reader's country prints on it (the United States, Canada...), else A4; A4 when
    there is no reader (a command) or the reader's country is not known."""
    locale = current_user_locale()
    return PaperSize.A4 if locale is None else locale.paper


def careplan_pdf(document: CarePlanDocument, *, paper: PaperSize | None = None) -> bytes:
    context = {"doc": document, "result": document.result, "paper": paper or paper_for_reader()}
    html = render_to_string("careplans/careplan_pdf.html", context)
    # No base URL: the document is self-contained (charts are data URIs), so nothing is fetched.
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
