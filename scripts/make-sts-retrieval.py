#!/usr/bin/env python3
"""Builds data/sts-retrieval, a small text-retrieval benchmark in the BEIR layout, from STS-B and
Wikipedia sentences (the project's shared/data folder), or with --sick data/sick-retrieval from
SICK. Standard library only; deterministic (seeded with 42, inputs read in file order), so running
it again writes the same bytes.

    python3 scripts/make-sts-retrieval.py [--sick] SHARED_DATA [OUTPUT]   # OUTPUT: data/sts-retrieval or data/sick-retrieval

Queries are the first sentences of STS-B train and dev pairs scored 4 or more (close paraphrases),
their relevant documents the second sentences (score 1 in the qrels). A sentence that is some
pair's relevant second sentence is never a query, so no query's text is a document. 800 such
queries are drawn and split into train (500), dev (100) and test (200), disjoint. The corpus is
their relevant sentences, 1,800 other STS-B sentences (many from low-scored pairs on the same
topics: hard distractors) and 1,000 Wikipedia sentences (the lines after the 6,400 in
data/wiki), each text once (compared lower-cased with whitespace collapsed) and never a query's.

With --sick the pairs are SICK's train and trial pairs (sentence A, sentence B, relatedness 4 or
more), 1,100 queries split 700 / 100 / 300, and the corpus is every other SICK sentence: lexically
near-identical distractors ("a man is playing a guitar" beside "a man is not playing a guitar"),
on which all-MiniLM-L6-v2 leaves room to improve.
"""
import json
import os
import random
import sys

QUERIES = {"train": 500, "dev": 100, "test": 200}
SICK_QUERIES = {"train": 700, "dev": 100, "test": 300}
STS_DISTRACTORS = 1800
WIKI_DISTRACTORS = 1000
WIKI_SKIP = 6400  # data/wiki/wiki-6400.txt holds the first 6,400 lines


def key(text):
    return " ".join(text.lower().split())


def sts_pairs(path):
    # Tab-separated: genre, file, year, id, score, sentence1, sentence2 (extra columns ignored).
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = line.rstrip("\n").split("\t")
            yield float(cells[4]), cells[5].strip(), cells[6].strip()


def sick_pairs(path):
    # Tab-separated: pair id, sentence A, sentence B, relatedness (1-5), entailment label; a header row.
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if cells[0] != "pair_ID":
                yield float(cells[3]), cells[1].strip(), cells[2].strip()


def main(shared, output, sick):
    rng = random.Random(42)
    if sick:
        pairs = [p for name in ("SICK_train.txt", "SICK_trial.txt") for p in sick_pairs(os.path.join(shared, "sick", name))]
    else:
        pairs = [p for name in ("sts-train.csv", "sts-dev.csv") for p in sts_pairs(os.path.join(shared, "stsb", name))]
    queries = SICK_QUERIES if sick else QUERIES

    relevant = {}  # query text -> its relevant texts, in file order
    for score, first, second in pairs:
        if score >= 4 and key(first) != key(second):
            documents = relevant.setdefault(first, [])
            if second not in documents:
                documents.append(second)
    relevant_keys = {key(d) for documents in relevant.values() for d in documents}
    eligible = [q for q in relevant if key(q) not in relevant_keys]
    chosen = rng.sample(eligible, sum(queries.values()))
    query_keys = {key(q) for q in chosen}

    documents, seen = [], set()

    def add(text):
        if key(text) not in seen and key(text) not in query_keys:
            seen.add(key(text))
            documents.append(text)

    for q in chosen:
        for d in relevant[q]:
            add(d)
    others, other_keys = [], set()
    for _, first, second in pairs:
        for text in (first, second):
            if key(text) not in seen | query_keys | other_keys:
                other_keys.add(key(text))
                others.append(text)
    if sick:
        for text in others:
            add(text)
    else:
        for text in rng.sample(others, STS_DISTRACTORS):
            add(text)
        with open(os.path.join(shared, "wiki", "wiki_sents.txt"), encoding="utf-8") as f:
            wiki = [line.strip() for line in f][WIKI_SKIP:]
        for text in rng.sample([t for t in wiki if t], WIKI_DISTRACTORS):
            add(text)

    rng.shuffle(documents)
    document_id = {key(text): "d%04d" % (i + 1) for i, text in enumerate(documents)}
    os.makedirs(os.path.join(output, "qrels"), exist_ok=True)
    with open(os.path.join(output, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for text in documents:
            f.write(json.dumps({"_id": document_id[key(text)], "title": "", "text": text}, ensure_ascii=False) + "\n")
    with open(os.path.join(output, "queries.jsonl"), "w", encoding="utf-8") as f:
        for i, text in enumerate(chosen):
            f.write(json.dumps({"_id": "q%04d" % (i + 1), "text": text}, ensure_ascii=False) + "\n")
    start = 0
    for split, count in queries.items():
        with open(os.path.join(output, "qrels", split + ".tsv"), "w", encoding="utf-8") as f:
            f.write("query-id\tcorpus-id\tscore\n")
            for i in range(start, start + count):
                for d in relevant[chosen[i]]:
                    f.write("q%04d\t%s\t1\n" % (i + 1, document_id[key(d)]))
        start += count
    print("%d queries (%s), %d documents in %s" % (len(chosen), ", ".join("%s %d" % s for s in queries.items()), len(documents), output))


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--sick"]
    if len(arguments) not in (1, 2):
        sys.exit(__doc__)
    sick = "--sick" in sys.argv[1:]
    default = os.path.join(os.path.dirname(__file__), "..", "data", "sick-retrieval" if sick else "sts-retrieval")
    main(arguments[0], arguments[1] if len(arguments) == 2 else default, sick)
