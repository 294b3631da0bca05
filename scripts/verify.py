#!/usr/bin/env python3
"""`python scripts/verify.py [ARGS]` behaves as `truthgate verify [ARGS]` from a plain checkout."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from truthgate.cli.main import app  # noqa: E402

if __name__ == "__main__":
    app(args=["verify", *sys.argv[1:]], prog_name="scripts/verify.py")
