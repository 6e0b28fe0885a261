#!/usr/bin/env python3
"""Checks that a model folder saved by `contrast train` loads in sentence-transformers and gives
the same embeddings as `contrast encode` (cosine >= 0.9999 for every sentence).

Usage: scripts/check-sentence-transformers.py MODEL_DIR [SENTENCES_FILE]

Needs Python with `sentence-transformers` (and PyTorch) installed, e.g. in a throw-away virtual
environment: python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers
The toolkit itself never needs Python; this is an interoperability check.
"""
import json
import os
import subprocess
import sys
import tempfile


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    model = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sentences_file = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "data", "wiki", "wiki-6400.txt")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        print("sentence-transformers is not installed (pip install sentence-transformers)", file=sys.stderr)
        return 2
    with open(sentences_file, encoding="utf-8") as f:
        sentences = [line.strip() for line in f if line.strip()][:200]
    contrast = os.path.join(root, ".build", "release", "contrast")
    with tempfile.TemporaryDirectory() as tmp:
        inputs, outputs = os.path.join(tmp, "in.txt"), os.path.join(tmp, "out.jsonl")
        with open(inputs, "w", encoding="utf-8") as f:
            f.write("\n".join(sentences) + "\n")
        subprocess.run([contrast, "encode", "--model", model, "--input", inputs, "--output", outputs], check=True)
        with open(outputs, encoding="utf-8") as f:
            ours = [json.loads(line)["embedding"] for line in f]
    theirs = SentenceTransformer(model, device="cpu").encode(sentences, convert_to_numpy=True)
    worst = 1.0
    for a, b in zip(ours, theirs):
        dot = sum(x * float(y) for x, y in zip(a, b))
        norm = (sum(x * x for x in a) ** 0.5) * (sum(float(y) * float(y) for y in b) ** 0.5)
        worst = min(worst, dot / norm)
    print(json.dumps({"sentences": len(sentences), "min_cosine": worst}))
    return 0 if worst >= 0.9999 else 1


if __name__ == "__main__":
    sys.exit(main())
