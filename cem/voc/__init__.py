"""Voice of the customer: a token index with BM25 search, sentiment and themes over every
comment of a workspace, computed once per import (:mod:`cem.voc.jobs`) and stored in DuckDB.

- :mod:`cem.voc.query`: the search syntax (terms, ``"phrases"``, ``-exclude``, ``OR``).
- :mod:`cem.voc.index`: the token index and BM25 search.
- :mod:`cem.voc.sentiment`: lexicon sentiment scored inside DuckDB, plus a weak-label model.
- :mod:`cem.voc.themes`: automatic themes (TF-IDF + NMF) and editable rule themes.
- :mod:`cem.voc.verbatims`: the verbatims listing (filters, search, sort, paging).
- :mod:`cem.voc.analytics`: theme analytics (volume, NPS impact, rising themes) and
  per-touchpoint sentiment for the journey map.
"""

from __future__ import annotations
