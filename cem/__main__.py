"""``python -m cem``: the command line (see :mod:`cem.cli.main`)."""

from __future__ import annotations

import sys

from cem.cli.main import main

sys.exit(main())
