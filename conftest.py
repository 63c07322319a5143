"""In-repo runs: the pickconform plugin is loaded through its pytest11 entry point (pip install -e .)."""
