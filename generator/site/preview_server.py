"""`mkdocs serve` for `paper-collection serve`, told of file changes by the operating system
(inotify on Linux, FSEvents on macOS, through watchdog) instead of polling.

MkDocs' live-reload server polls its watched folders every half second: at 10,000 paper files
each poll lists and stats every file, in the same process (and under the same interpreter lock)
as the preview build it triggers, and an edit waits a quarter of a second on average before it
is seen. A notifying observer sees the save at once and costs nothing meanwhile. It is given
only changes (a file created, written, closed after writing, moved or deleted): inotify also
reports files opened and read, and every build reads paper files, which would start another.

PAPER_COLLECTION_POLLING=1 keeps MkDocs' polling (for folders notifications do not reach, such
as some network or container mounts).
"""

from __future__ import annotations

import os
import sys

import watchdog.observers
import watchdog.observers.polling
from watchdog import events

CHANGES = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileClosedEvent, events.FileMovedEvent,
           events.FileDeletedEvent, events.DirCreatedEvent, events.DirMovedEvent, events.DirDeletedEvent]


class NotifiedObserver(watchdog.observers.Observer):  # the platform's notifying observer
    """Takes MkDocs' PollingObserver's place: the same calls, changes only."""

    def schedule(self, event_handler, path, *, recursive=False, event_filter=None, follow_symlink=False):
        return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or CHANGES,
                                follow_symlink=follow_symlink)


def use_notifications() -> bool:
    """Make MkDocs' live-reload server (mkdocs.livereload, which creates a
    `watchdog.observers.polling.PollingObserver`) use `NotifiedObserver`, unless told to poll."""
    if os.environ.get("PAPER_COLLECTION_POLLING", "").strip() not in ("", "0"):
        return False
    watchdog.observers.polling.PollingObserver = NotifiedObserver  # type: ignore[misc]
    return True


def main(argv: list[str]) -> None:
    use_notifications()
    from mkdocs.__main__ import cli

    cli.main(args=argv, prog_name="mkdocs")


if __name__ == "__main__":
    main(sys.argv[1:])
