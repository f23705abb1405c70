"""`python -m generator`: the command line (cli.py). Ctrl-C while Python is still starting
ends quietly too: nothing has been written yet."""

import sys

try:
    from generator.cli import main
except KeyboardInterrupt:
    sys.exit(130)

sys.exit(main())
