#!/usr/bin/env python3
"""Checks `contrast encode --precision int8|binary` against sentence-transformers' quantize_embeddings.

    python3 scripts/check-quantization.py MODEL SENTENCES [--calibration FILE] [--contrast PATH]

Needs numpy and sentence-transformers (not the toolkit: it never runs Python). `contrast encode` writes
the float32 embeddings of SENTENCES (and of --calibration's, when given) as .npy; sentence-transformers'
quantize_embeddings quantises those same embeddings (int8 with calibration_embeddings, ubinary), and
the result must equal `contrast encode --precision int8` and `--precision binary` byte for byte.
The ranges `--save-ranges` writes must be the calibration set's (numpy.load hands them to
quantize_embeddings as `ranges`), and `--calibration RANGES.npy` must give the same codes again.
Exits 1 on any difference.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from sentence_transformers.util.quantization import quantize_embeddings


def encode(contrast, model, sentences, output, *flags):
    subprocess.run([contrast, "encode", "--model", model, "--input", sentences, "--output", output, "--quiet", *flags], check=True)
    return np.load(output)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("sentences")
    parser.add_argument("--calibration")
    parser.add_argument("--contrast", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "contrast"))
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)
        floats = encode(args.contrast, args.model, args.sentences, path("f.npy"))
        calibration = encode(args.contrast, args.model, args.calibration, path("c.npy")) if args.calibration else floats
        int8 = encode(args.contrast, args.model, args.sentences, path("i.npy"), "--precision", "int8",
                      *(["--calibration", args.calibration] if args.calibration else []), "--save-ranges", path("r.npy"))
        ranges = np.load(path("r.npy"))
        int8_again = encode(args.contrast, args.model, args.sentences, path("i2.npy"), "--precision", "int8", "--calibration", path("r.npy"))
        binary = encode(args.contrast, args.model, args.sentences, path("b.npy"), "--precision", "binary")
        expected_int8 = quantize_embeddings(floats, precision="int8", calibration_embeddings=calibration)
        expected_binary = quantize_embeddings(floats, precision="ubinary")
        expected_ranges = np.vstack((calibration.min(axis=0), calibration.max(axis=0)))
        for name, ours, theirs in [("int8", int8, expected_int8), ("binary (ubinary)", binary, expected_binary),
                                   ("saved ranges", ranges, expected_ranges),
                                   ("int8 from saved ranges", int8_again, quantize_embeddings(floats, precision="int8", ranges=ranges))]:
            same = ours.dtype == theirs.dtype and ours.shape == theirs.shape and np.array_equal(ours, theirs)
            differing = int(np.sum(ours != theirs)) if ours.shape == theirs.shape else ours.size
            print(f"{name}: {ours.dtype} {ours.shape} vs {theirs.dtype} {theirs.shape}, {differing} of {theirs.size} values differ")
            failed |= not same
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
