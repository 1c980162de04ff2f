"""``python -m tally``: the same command line as the ``tally`` script."""

import sys

from tally.cli import main

sys.exit(main())
