"""``python -m cem``: the command line (see :mod:`cem.cli`)."""

from __future__ import annotations

import sys

from cem.cli import main

sys.exit(main())
