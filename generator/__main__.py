"""`python -m generator`: the command line (cli.py). Ctrl-C while Python is still starting
ends quietly too: nothing has been written yet."""

import logging
import os
import sys

try:
    from generator.cli import main
except KeyboardInterrupt:
    sys.exit(130)

code = main()
# Every file is written and every child process ended by now. Freeing a build's objects one by one
# (hundreds of MB at 10,000 papers) took half a second of every run: the process just ends, once
# what it printed is out.
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
