"""The tag model's part in an import and in `add`: a paper no rule tags carries the reserved tag
``untagged`` and the model's suggestions (`needing_tags`); the model is trained on the collection's
accepted tags (`train_model`), in a process of its own for a large import (`model_process`)."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from paper_collection.collection.paper import Paper, SuggestedTag
from paper_collection.collection.taxonomy import UNTAGGED
from paper_collection.errors import GeneratorError
from paper_collection.parallel import die_with_parent


def needing_tags(paper: Paper, suggested: tuple[SuggestedTag, ...] = ()) -> Paper:
    """A paper no rule tagged: the reserved tag ``untagged`` until a person accepts the tag model's
    suggestions (``tags review``); visitors never see unreviewed suggestions. Import and add both."""
    return replace(paper, tags=(UNTAGGED,), tags_suggested=tuple(suggested))


def model_suggestions(entries, taxonomy, texts: list[tuple[str, str]]) -> list[tuple[SuggestedTag, ...]]:
    """The tag model's suggestions for each (title, abstract), trained on ``entries`` (the collection's
    paper files, ``CollectionIndex.entries``); () for each when there is too little to learn from."""
    model = train_model(entries, taxonomy)
    return model.suggest(texts) if model is not None else [() for _ in texts]


def train_model(entries, taxonomy):
    """The tag model trained on paper files' accepted tags (``tags``, not ``tags_suggested``), in
    slug order so that the same collection always gives the same model; None if too few papers."""
    from paper_collection.collection.tagger import TagModel

    return TagModel.fit(*model_inputs(entries, taxonomy))


def model_inputs(entries, taxonomy):
    """What `TagModel.fit` takes for ``entries`` (`tagger.training_examples`), in slug order. Only
    each paper's tags are gathered for all of them; the title and the abstract (read from the file)
    only for the papers of the training sample."""
    from paper_collection.collection.tagger import training_examples

    ordered = sorted(entries, key=lambda e: e.path.name)

    def read(position: int) -> tuple[str, str]:
        entry = ordered[position]
        return entry.title, "" if entry.meta.get("abstract_missing") else entry.body

    return training_examples((entry.meta.get("tags") for entry in ordered), read, taxonomy)


_MODEL = None  # the tag model, in `model_process`


@contextlib.contextmanager
def model_process() -> Iterator[ProcessPoolExecutor]:
    """A fresh process (spawned, not forked: it holds none of this one's papers) for the tag model. Like
    any spawned process it imports the caller's main module again: a script that calls `run_import` needs
    the usual ``if __name__ == "__main__":`` guard (``paper-collection`` has it)."""
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_startmodel_process)
    try:
        yield pool
    except BrokenProcessPool:
        raise stopped() from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def stopped() -> GeneratorError:
    """The error for a model process that ended before its work was done."""
    return GeneratorError("the tag model's process stopped (killed, or out of memory); nothing was written")


def _startmodel_process() -> None:
    die_with_parent()  # a killed import leaves no process behind
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C reaches the whole process group: this one just ends


def warm_up() -> None:
    """In `model_process`, as soon as it is started: load scikit-learn while the import reads its input."""
    from paper_collection.collection import tagger

    tagger.learning_parts()  # imported for its cost, now rather than when the model trains


def fit_model(examples, tag_order, class_weight) -> bool:
    """In `model_process`: train the model (`TagModel.fit`); False when there is too little to learn."""
    global _MODEL
    from paper_collection.collection.tagger import TagModel

    _MODEL = TagModel.fit(examples, tag_order, class_weight)
    return _MODEL is not None


def suggest_with_model(texts: list[tuple[str, str]]) -> list[tuple[SuggestedTag, ...]]:
    assert _MODEL is not None
    return _MODEL.suggest(texts)
