"""Emporix pick-pack conformance tests: a package, so its module names do not clash with other families."""
