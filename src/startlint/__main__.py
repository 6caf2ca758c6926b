from __future__ import annotations

from startlint.cli import main

raise SystemExit(main())
