"""`python -m generator serve` is told of file changes by the system, not by polling
(generator/site/preview_server.py)."""

from __future__ import annotations


def test_the_previews_watcher_hears_changes_at_once_and_never_reads(tmp_path, monkeypatch):
    """generator/site/preview_server.py: MkDocs' live-reload server gets a notifying observer, told
    of a written or new file (no half-second poll), and not of a file read (every build reads
    paper files: that would start the next build); PAPER_COLLECTION_POLLING=1 keeps polling."""
    import time

    import watchdog.observers.polling
    from watchdog.events import FileSystemEventHandler

    from paper_collection.site import preview_server

    polling = watchdog.observers.polling.PollingObserver
    monkeypatch.setattr(watchdog.observers.polling, "PollingObserver", polling)
    monkeypatch.setenv("PAPER_COLLECTION_POLLING", "1")
    assert not preview_server.use_notifications() and watchdog.observers.polling.PollingObserver is polling
    monkeypatch.delenv("PAPER_COLLECTION_POLLING")
    assert preview_server.use_notifications()
    observer = watchdog.observers.polling.PollingObserver(timeout=0.5)  # as mkdocs.livereload makes it
    assert isinstance(observer, preview_server.NotifiedObserver)

    paper = tmp_path / "paper.md"
    paper.write_text("before", encoding="utf-8")
    seen: list[str] = []
    handler = FileSystemEventHandler()
    handler.on_any_event = lambda event: seen.append(type(event).__name__)
    observer.schedule(handler, str(tmp_path), recursive=True)
    observer.start()
    try:
        time.sleep(0.3)
        for _ in range(3):
            paper.read_text(encoding="utf-8")
        time.sleep(0.5)
        assert seen == []  # reading is not a change
        started = time.monotonic()
        paper.write_text("after", encoding="utf-8")
        while not seen and time.monotonic() - started < 5:
            time.sleep(0.01)
        assert seen and time.monotonic() - started < 0.4  # heard at once, not at the next poll
    finally:
        observer.stop()
        observer.join()
