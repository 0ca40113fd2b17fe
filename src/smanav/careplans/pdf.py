"""The care plan as a PDF (WeasyPrint): the plan, the charts with their data tables, the knowledge
version and the disclaimer."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

from smanav.careplans.documents import CarePlanDocument


def careplan_pdf(document: CarePlanDocument) -> bytes:
    html = render_to_string("careplans/careplan_pdf.html", {"doc": document, "result": document.result})
    # No base URL: the document is self-contained (charts are data URIs), so nothing is fetched.
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
