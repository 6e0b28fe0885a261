#!/usr/bin/env python3
"""Checks `contrast eval retrieval-text` against sentence-transformers' InformationRetrievalEvaluator
on the same embeddings.

    python3 scripts/check-retrieval-metrics.py MODEL DATA [--split test] [--contrast PATH] [--batch-size 64]

Needs numpy, torch and sentence-transformers (not the toolkit: it never runs Python). The texts the
evaluation embeds (each query with a relevant document in the split, each document as its title and
text joined) are embedded by `contrast encode --input - --output -`, the evaluator is given those
embeddings in place of a model's (only its encode step is replaced, by a lookup), and its metrics are
compared with the JSON of `contrast eval retrieval-text`. Exits 1 when a metric differs by more than
--tolerance (1e-4).

sentence-transformers counts every relevant document as 1 in nDCG, the toolkit its qrels score: on a
folder whose relevant scores are not all 1 the nDCG values are expected to differ, and the script says so.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator
from sentence_transformers.util import cos_sim

CUTOFFS = dict(accuracy_at_k=[1, 3, 5, 10], precision_recall_at_k=[1, 3, 5, 10, 100], mrr_at_k=[10], ndcg_at_k=[10], map_at_k=[100])


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_folder(folder, split):
    """Queries, corpus (id -> title and text joined, as BEIR and sentence-transformers do) and
    relevant documents (score above 0) with their scores."""
    corpus = {d["_id"]: (d.get("title", "") + " " + d["text"]).strip() for d in read_jsonl(os.path.join(folder, "corpus.jsonl"))}
    queries = {q["_id"]: q["text"] for q in read_jsonl(os.path.join(folder, "queries.jsonl"))}
    relevant = {}
    with open(os.path.join(folder, "qrels", split + ".tsv"), encoding="utf-8") as f:
        next(f)  # query-id, corpus-id, score
        for line in f:
            if line.strip():
                query, document, score = line.rstrip("\n").split("\t")
                if int(score) > 0:
                    relevant.setdefault(query, {})[document] = int(score)
    return queries, corpus, relevant


def contrast_embeddings(contrast, model, texts, batch_size):
    for text in texts:
        if not text.strip() or "\n" in text or text != text.rstrip():
            sys.exit(f"cannot pass {text!r} to contrast encode line by line")
    lines = subprocess.run([contrast, "encode", "--model", model, "--input", "-", "--output", "-", "--batch-size", str(batch_size), "--quiet"],
                           input="\n".join(texts) + "\n", capture_output=True, text=True, check=True).stdout
    return {row["text"]: np.asarray(row["embedding"], dtype=np.float32) for row in map(json.loads, lines.splitlines())}


class PrecomputedEvaluator(InformationRetrievalEvaluator):
    """The evaluator with its encode step replaced by a lookup of precomputed embeddings."""

    def __init__(self, embeddings, **kwargs):
        super().__init__(**kwargs)
        self.embeddings = embeddings

    def embed_inputs(self, model, sentences, **kwargs):
        return torch.from_numpy(np.stack([self.embeddings[s] for s in sentences]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--split", default="test")
    parser.add_argument("--contrast", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "contrast"))
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    queries, corpus, relevant = read_folder(args.data, args.split)
    evaluated = [q for q in queries if q in relevant]
    embeddings = contrast_embeddings(args.contrast, args.model, list(dict.fromkeys([queries[q] for q in evaluated] + list(corpus.values()))), args.batch_size)
    evaluator = PrecomputedEvaluator(embeddings, queries=queries, corpus=corpus, relevant_docs={q: set(d) for q, d in relevant.items()},
                                     score_functions={"cosine": cos_sim}, batch_size=args.batch_size, **CUTOFFS)
    reference = evaluator.compute_all_metrics(model=None)["cosine"]

    run = subprocess.run([args.contrast, "eval", "retrieval-text", "--model", args.model, "--data", args.data, "--split", args.split,
                          "--batch-size", str(args.batch_size), "--json", "--quiet"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(run.stderr.strip())
    ours = json.loads(run.stdout.strip().splitlines()[-1])

    graded = any(score != 1 for documents in relevant.values() for score in documents.values())
    print(f"{args.data} ({args.split}): {len(evaluator.queries)} queries, {len(corpus)} documents; contrast: {ours['queries']} queries")
    print(f"{'metric':<18}{'sentence-transformers':>24}{'contrast':>14}{'difference':>14}")
    worst = 0.0
    for family, values in reference.items():
        name = family.replace("@k", "")
        for k, value in sorted(values.items()):
            key = f"{name}_at_{k}"
            difference = abs(float(value) - ours[key])
            if not (graded and name == "ndcg"):
                worst = max(worst, difference)
            print(f"{key:<18}{float(value):>24.6f}{ours[key]:>14.6f}{difference:>14.2e}")
    if graded:
        print("graded qrels: sentence-transformers counts every relevant document as 1 in nDCG, contrast its score; nDCG left out of the check")
    ok = worst <= args.tolerance and ours["queries"] == len(evaluator.queries)
    print(f"largest difference {worst:.2e}: {'agree' if ok else 'DISAGREE'} within {args.tolerance:g}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
