#!/usr/bin/env python3
"""Checks that a text model folder this toolkit wrote (any family: BERT, RoBERTa, XLM-R, MPNet,
ModernBERT) loads back elsewhere with the same outputs:

- sentence-transformers' `SentenceTransformer(folder)` gives the embeddings `contrast encode` gives
  (cosine >= 0.9999 for every sentence);
- transformers' `AutoTokenizer` and `AutoModel` give, mean-pooled over the attention mask, what
  `contrast encode --pooling mean` gives (largest difference <= 1e-4 of the largest value).

Usage: scripts/check-sentence-transformers.py MODEL_DIR [SENTENCES_FILE]

Needs Python with `sentence-transformers` (and PyTorch, transformers) installed, e.g. in a throw-away
virtual environment: python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers
The toolkit itself never needs Python; this is an interoperability check. Prints one JSON object.
"""
import json
import os
import subprocess
import sys
import tempfile


def contrast_encode(contrast, model, sentences, extra):
    with tempfile.TemporaryDirectory() as tmp:
        inputs, outputs = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.jsonl")
        with open(inputs, "w", encoding="utf-8") as f:
            f.write("\n".join(sentences) + "\n")
        subprocess.run([contrast, "encode", "--model", model, "--input", inputs, "--output", outputs, "--quiet"] + extra, check=True)
        with open(outputs, encoding="utf-8") as f:
            return [json.loads(line)["embedding"] for line in f]


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    model = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sentences_file = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "data", "wiki", "wiki-6400.txt")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers import AutoModel, AutoTokenizer
    except ImportError:
        print("sentence-transformers and transformers are not installed (pip install sentence-transformers)", file=sys.stderr)
        return 2
    with open(sentences_file, encoding="utf-8") as f:
        sentences = [line.strip() for line in f if line.strip()][:200]
    contrast = os.path.join(root, ".build", "release", "contrast")

    ours = contrast_encode(contrast, model, sentences, [])
    theirs = SentenceTransformer(model, device="cpu").encode(sentences, convert_to_numpy=True)
    worst_cosine = 1.0
    for a, b in zip(ours, theirs):
        dot = sum(x * float(y) for x, y in zip(a, b))
        norm = (sum(x * x for x in a) ** 0.5) * (sum(float(y) * float(y) for y in b) ** 0.5)
        worst_cosine = min(worst_cosine, dot / norm)

    ours_mean = torch.tensor(contrast_encode(contrast, model, sentences, ["--pooling", "mean"]))
    tokenizer, encoder = AutoTokenizer.from_pretrained(model), AutoModel.from_pretrained(model).eval()
    means = []
    with torch.no_grad():
        for start in range(0, len(sentences), 32):
            batch = tokenizer(sentences[start:start + 32], padding=True, truncation=True, return_tensors="pt")
            states = encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
            means.append((states * mask).sum(1) / mask.sum(1))
    theirs_mean = torch.cat(means)
    difference = (ours_mean - theirs_mean).abs().max().item()
    scale = theirs_mean.abs().max().item()
    print(json.dumps({"model": model, "model_type": encoder.config.model_type, "sentences": len(sentences),
                      "sentence_transformers_min_cosine": worst_cosine,
                      "transformers_mean_pooled_max_difference": difference, "scale": scale}))
    return 0 if worst_cosine >= 0.9999 and difference <= 1e-4 * scale else 1


if __name__ == "__main__":
    sys.exit(main())
