"""The executive summary: the Overview's numbers gathered (:mod:`cem.report.summary`) and
rendered as a 1-3 page A4 PDF (:mod:`cem.report.pdf`). No Streamlit here."""
