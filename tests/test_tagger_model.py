"""The tag model's training data: the taxonomy's pseudo-papers (a tag with one paper is still learned)
and the bounded training sample of a large collection (a rare tag keeps all its papers)."""

from __future__ import annotations

from paper_collection.collection import tagger
from paper_collection.collection.tagger import Example, rule_examples, train_on
from paper_collection.collection.taxonomy import UNTAGGED, parse_taxonomy

TAXONOMY = parse_taxonomy("""
tags:
  - name: vision
    title: Computer vision
    description: Images and video.
    rules:
      title: ['\\bimages?\\b']
      abstract: ['\\bpixels?\\b', '\\bcameras?\\b']
  - name: audio
    title: Speech and audio
    description: Sound and music.
    rules:
      title: ['\\bspeech\\b', '\\bsoundscapes?\\b']
      abstract: ['\\bspectrograms?\\b', '\\bwaveforms?\\b', '\\bmicrophones?\\b']
""")


def test_rule_examples_hold_each_tags_title_description_and_rule_words():
    examples = {e.tags: e for e in rule_examples(TAXONOMY)}
    assert set(examples) == {("vision",), ("audio",)}  # never the reserved tag
    audio = examples[("audio",)]
    assert audio.title == "Speech and audio"
    assert audio.abstract.startswith("Sound and music.")
    assert {"speech", "soundscapes", "spectrograms", "waveforms", "microphones"} <= set(audio.abstract.split())
    assert "\\b" not in audio.abstract and "?" not in audio.abstract
    assert UNTAGGED not in {tag for e in examples.values() for tag in e.tags}


def test_a_tag_with_one_paper_is_learned_from_its_pseudo_paper(monkeypatch):
    vision = [(f"Image study {n}", "pixels camera photo lens pixels camera detection " * 3, ["vision"])
              for n in range(8)]
    audio = [("Listening", "spectrograms waveforms microphones recordings of a soundscape", ["audio"])]
    query = [("Room acoustics", "We record spectrograms and waveforms with microphones")]
    model = train_on(vision + audio, TAXONOMY)
    assert model is not None and "audio" in model.tags
    assert model.suggest(query)[0][0].tag == "audio"
    monkeypatch.setattr(tagger, "RULE_DOCUMENTS", False)
    without = train_on(vision + audio, TAXONOMY)  # one paper is too few (MIN_EXAMPLES): not learned
    assert without is None or "audio" not in without.tags


def test_the_training_sample_keeps_every_paper_of_a_rare_tag_and_is_bounded_and_deterministic():
    common = [("vision",)] * 500
    rare = [("audio", "vision")] * 7
    tags = common[:250] + rare + common[250:]
    first = tagger._sample_by_tag(tags, 40)
    assert len(first) == 40 == len(set(first))
    assert sum(1 for i in first if "audio" in tags[i]) == 7  # the rare tag's group is smaller than its share
    assert first == tagger._sample_by_tag(list(tags), 40)
    assert first == sorted(first)  # the order given is kept
    assert tagger._sample_by_tag(tags[:30], 40) == list(range(30))  # small enough: all of them


def test_a_large_collection_trains_on_the_by_tag_sample(monkeypatch):
    taken = []
    real = tagger._sample_by_tag

    def recording(tags, limit):
        chosen = real(tags, limit)
        taken.append((len(tags), len(chosen), sum(1 for i in chosen if "audio" in tags[i])))
        return chosen

    monkeypatch.setattr(tagger, "MAX_TRAINING", 40)
    monkeypatch.setattr(tagger, "_sample_by_tag", recording)
    examples = [Example(f"paper {n}", "pixels camera photo lens", ("vision",)) for n in range(100)]
    examples += [Example(f"talk {n}", "spectrograms waveforms microphones", ("audio",)) for n in range(5)]
    model = tagger.TagModel.train(examples, ("vision", "audio"))
    assert taken == [(105, 40, 5)]  # an even sample would have kept 2 of the 5 audio papers
    assert model is not None and model.suggest([("Talk", "spectrograms of microphones")])[0][0].tag == "audio"


def test_an_import_reads_the_abstracts_of_the_training_sample_only(monkeypatch):
    """`tag_model.train_model` hands the tag model what reads each abstract: only the sampled papers'
    are read (an import of 100,000 papers held every abstract at once), and the model is the one
    trained on abstracts read up front."""
    from paper_collection.ingest.tag_model import train_model

    reads: list[str] = []

    class Entry:  # what the importer's index holds for a paper file
        def __init__(self, name: str, title: str, abstract: str, tags: list[str]):
            self.path = type("P", (), {"name": f"{name}.md"})()
            self.title, self.meta, self._abstract = title, {"title": title, "tags": tags}, abstract

        @property
        def body(self) -> str:
            reads.append(self.path.name)
            return self._abstract

    monkeypatch.setattr(tagger, "MAX_TRAINING", 40)
    entries = [Entry(f"v{n:03}", f"paper {n}", "pixels camera photo lens", ["vision"]) for n in range(100)]
    entries += [Entry(f"a{n:03}", f"talk {n}", "spectrograms waveforms microphones", ["audio"]) for n in range(5)]
    model = train_model(entries, TAXONOMY)
    assert len(reads) == 40 and len(set(reads)) == 40  # the sample's, each once
    up_front = train_on([(e.title, e._abstract, e.meta["tags"]) for e in sorted(entries, key=lambda e: e.path.name)],
                        TAXONOMY)
    text = [("Talk", "spectrograms of microphones"), ("Photo", "camera pixels")]
    assert model.suggest(text) == up_front.suggest(text)
