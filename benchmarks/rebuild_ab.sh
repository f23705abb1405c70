#!/bin/bash
# A/B of rebuilds between two revisions of the generator, on one project, alternated.
#
#   benchmarks/rebuild_ab.sh PROJECT EDITED_PAPER MERGED_PAPER OLD_REV [NEW_REV] [ROUNDS]
#
# PROJECT: a built collection (benchmarks/scale.py --keep DIR leaves DIR/project); EDITED_PAPER and
# MERGED_PAPER: file names in its content/papers/. For each round and revision: check the
# revision's generator/ out into this working tree, build without MERGED_PAPER (the first build of
# that code), then time three builds: EDITED_PAPER with a sentence added to its abstract ("edit"),
# the same again ("no change"), and, after the edit is undone and built, MERGED_PAPER back
# ("merge"). The working tree's generator/ is left at NEW_REV (default HEAD): run it from a clean
# checkout. Prints one line per round and revision.
set -euo pipefail
project=$1 edited=$2 merged=$3 old=$4 new=${5:-HEAD} rounds=${6:-2}
py=${PYTHON:-.venv/bin/python}
papers=$project/content/papers
keep=$(mktemp -d)
trap 'git checkout -q "$new" -- generator; rm -rf "$keep"' EXIT
build() { "$py" -m paper_collection --root "$project" build > "$keep/build.log" 2>&1; }
timed() { local start end; start=$(date +%s.%N); build; end=$(date +%s.%N); echo "$end - $start" | bc; }
for round in $(seq "$rounds"); do
  for rev in "$old" "$new"; do
    git checkout -q "$rev" -- generator
    cp "$papers/$edited" "$keep/edited.md"
    mv "$papers/$merged" "$keep/merged.md"
    build
    "$py" -c 'import sys; p = sys.argv[1]; t = open(p, encoding="utf-8").read()
open(p, "w", encoding="utf-8").write(t.replace("\n---\n", "\n---\nEdited for the benchmark. ", 1))' "$papers/$edited"
    edit=$(timed); same=$(timed)
    cp "$keep/edited.md" "$papers/$edited"
    build
    mv "$keep/merged.md" "$papers/$merged"
    merge=$(timed)
    echo "$rev round $round: edit $edit s, no change $same s, merge $merge s (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
