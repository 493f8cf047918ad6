"""``python -m cem detect FILE [--kind K] [--sheet S] [--format json|text]``.

Prints what the import would do with a file, without writing anything: the detected kind
and why, header rows, each column's role with confidence and reason, and the data-health
warnings (:func:`cem.ingest.explain.detection_report`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cem.errors import FileFormatError


def add_detect_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the ``detect`` subcommand."""
    p = sub.add_parser("detect", help="show how a file would be read (writes nothing)")
    p.add_argument("file")
    p.add_argument("--kind", default=None, choices=["responses", "events", "customers"])
    p.add_argument("--sheet", default=None, help="worksheet of an XLSX file")
    p.add_argument("--format", default="text", choices=["json", "text"])
    p.set_defaults(handler=run_detect)


def run_detect(args: argparse.Namespace) -> int:
    """Print the detection report; status 0 (errors raise a TouchpointError: status 2)."""
    from cem.ingest.explain import detection_report, report_text
    from cem.ingest.mapping import detect_mapping
    from cem.ingest.readers import read_upload

    path = Path(args.file)
    if not path.exists():
        raise FileFormatError(f"{args.file}: there is no such file.")
    with read_upload(str(path), path.name, args.sheet) as upload:
        mapping = detect_mapping(upload, args.kind)
        report = detection_report(upload, mapping)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(report_text(report))
    return 0
