"""`python -m pickconform ...`: the same command line as `pickconform ...`."""

import sys

from pickconform.cli import main

sys.exit(main())
