"""`python -m generator` (in this repository) and `python -m paper_collection`: the command line
(cli.py), the same as `paper-collection`. Ctrl-C while Python is still starting ends quietly too:
nothing has been written yet."""

import sys

try:
    from paper_collection.cli import main_exit
except KeyboardInterrupt:
    sys.exit(130)

main_exit()
