"""The one blessed entrypoint: ``python -m app.main`` (see product/truth.yaml)."""

from __future__ import annotations

import uvicorn

from app.config import load_settings
from app.service import Relay


def main() -> None:
    settings = load_settings()
    uvicorn.run(Relay(settings), host=settings.host, port=settings.port,
                log_level="info", access_log=False)


if __name__ == "__main__":
    main()
