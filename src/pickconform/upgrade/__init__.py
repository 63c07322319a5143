"""The upgrade check, `pickconform diff`: read recorded cassettes (baseline), re-send their scenarios to another
implementation (diff), compare the answers by the rules for volatile values (normalise), and report (report)."""

from __future__ import annotations

__all__ = ["baseline", "diff", "normalise", "report"]
