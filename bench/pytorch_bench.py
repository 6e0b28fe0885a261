#!/usr/bin/env python3
"""PyTorch side of bench/compare-pytorch.sh: the workloads of `contrast bench encode` and
`contrast bench train`, defined the same way, printing one JSON object as the last stdout line.

  encode: a randomly initialised BERT of all-MiniLM-L6-v2's shape (hidden 384, 6 layers, 12 heads,
          FFN 1536, vocabulary 30,522) in eval mode, no gradients, mean pooling, a batch of random
          ids framed by [CLS] and [SEP].
  train:  one unsupervised SimCSE step: the batch stacked twice goes through the model in train
          mode (dropout 0.1 makes the two views), InfoNCE at temperature 0.05 on [CLS] (before the
          pooler), backward, AdamW (lr 3e-5, no weight decay).

Usage: pytorch_bench.py encode|train [--batch-size 64] [--max-length 32] [--repeats N] [--precision fp32|bf16]
Each workload should run in its own process: peak RSS is the process's.
"""
import argparse
import contextlib
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from transformers import BertConfig, BertModel


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["encode", "train"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-length", dest="seq_len", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=0, help="timed repeats (default: 20 encode, 10 train)")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    config = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                        intermediate_size=1536, max_position_embeddings=512)
    model = BertModel(config, add_pooling_layer=False)
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(1000, config.vocab_size, (args.batch_size, args.seq_len), generator=generator)
    ids[:, 0], ids[:, -1] = 101, 102
    mask = torch.ones_like(ids)
    autocast = (torch.autocast("cpu", dtype=torch.bfloat16) if args.precision == "bf16" else contextlib.nullcontext())

    if args.workload == "encode":
        model.eval()
        warmup, repeats = 3, args.repeats or 20

        def step():
            with torch.inference_mode(), autocast:
                hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                (hidden * m).sum(1) / m.sum(1)
    else:
        model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.0)
        twice_ids, twice_mask = torch.cat([ids, ids]), torch.cat([mask, mask])
        labels = torch.arange(args.batch_size)
        warmup, repeats = 2, args.repeats or 10

        def step():
            optimizer.zero_grad()
            with autocast:
                cls = model(input_ids=twice_ids, attention_mask=twice_mask).last_hidden_state[:, 0].float()
            z1, z2 = cls[: args.batch_size], cls[args.batch_size:]
            logits = F.normalize(z1, dim=-1) @ F.normalize(z2, dim=-1).T / 0.05
            F.cross_entropy(logits, labels).backward()
            optimizer.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    result = {
        "framework": f"pytorch {torch.__version__}", "workload": args.workload, "precision": args.precision,
        "batch_size": args.batch_size, "seq_len": args.seq_len, "threads": torch.get_num_threads(),
        "sentences_per_s": args.batch_size / seconds, "ms_per_step": seconds * 1e3,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(f"pytorch {args.workload} {args.precision}: {result['ms_per_step']:.1f} ms/step, "
          f"{result['sentences_per_s']:.1f} sentences/s, peak RSS {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
