#!/usr/bin/env python3
"""PyTorch side of bench/compare-pytorch.sh: the workloads of `contrast bench encode` and
`contrast bench train`, defined the same way, printing one JSON object as the last stdout line.

  encode: a randomly initialised encoder of the shape `--shape` names (the same shapes as
          `contrast bench encode --shape`, built from transformers' configuration classes, no
          download) in eval mode, no gradients. Text encoders read a batch of random ids framed by
          the family's start and end tokens and are mean-pooled; CLIP's text tower is pooled at its
          end-of-text token and its image tower at the class token (`pooler_output`), the image
          tower reading random normal 224x224 RGB images.
  train:  one unsupervised SimCSE step: the batch stacked twice goes through the model in train
          mode (dropout 0.1 makes the two views), InfoNCE at temperature 0.05 on [CLS] (before the
          pooler), backward, AdamW (lr 3e-5, no weight decay). Text-encoder shapes, and:
          simclr  the step of `contrast bench image-train --shape simclr` (`train simclr`'s
                  defaults): two views of random 28x28 grayscale images as one batch through
                  ResNet-8-wide (CIFAR stem, stages 16-64-256 of one basic block) and the head
                  256-512(BatchNorm, ReLU)-128, NT-Xent at temperature 0.2, AdamW (lr 3e-3, decay 1e-4);
          align   the step of `contrast bench image-train --shape align` (`train align`'s small
                  towers): random 28x28 images through a ViT (patches of 7, 64 wide, 4 layers,
                  4 heads, FFN 256) and 16-token random captions through a BERT (64 wide, 2 layers,
                  2 heads, FFN 256), [CLS] of each projected to 64 and L2-normalised, symmetric
                  InfoNCE at a learned logit scale (CLIP's, at most 100), AdamW (lr 1e-3, decay 0.01).
          --batch-size counts images (simclr: each in two views); --max-length does not apply.

Attention runs as transformers 5 chooses by default (`attn_implementation` in the JSON: "sdpa",
PyTorch's scaled_dot_product_attention, where the model supports it; MPNet has only "eager").

Usage: pytorch_bench.py encode|train [--shape minilm] [--batch-size 64] [--max-length 32] [--repeats N]
                                     [--precision fp32|bf16] [--threads 2]
Each workload should run in its own process: peak RSS is the process's.
"""
import argparse
import contextlib
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import transformers
from transformers import (BertConfig, BertModel, CLIPTextConfig, CLIPTextModel, CLIPVisionConfig, CLIPVisionModel, MPNetConfig,
                          MPNetModel, ModernBertConfig, ModernBertModel, XLMRobertaConfig, XLMRobertaModel)

# hidden, layers, heads, FFN of `contrast`'s BERT presets.
BERT_PRESETS = {"tiny": (128, 2, 2, 512), "mini": (256, 4, 4, 1024), "minilm": (384, 6, 12, 1536), "bert-base": (768, 12, 12, 3072)}


def make_model(shape):
    """A randomly initialised model of `contrast bench encode --shape`'s `shape` (the BERT presets,
    and the config.json values of microsoft/mpnet-base, xlm-roberta-base, answerdotai/ModernBERT-base
    and the towers of openai/clip-vit-base-patch32, which are transformers' defaults for ModernBERT
    and CLIP) with the start and end tokens of its inputs, None for images."""
    if shape in BERT_PRESETS:
        hidden, layers, heads, ffn = BERT_PRESETS[shape]
        config = BertConfig(vocab_size=30522, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                            intermediate_size=ffn, max_position_embeddings=512)
        return BertModel(config, add_pooling_layer=False), 101, 102
    if shape == "mpnet-base":
        config = MPNetConfig(vocab_size=30527, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                             max_position_embeddings=514, layer_norm_eps=1e-5)
        return MPNetModel(config, add_pooling_layer=False), 0, 2
    if shape == "xlmr-base":
        config = XLMRobertaConfig(vocab_size=250002, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                                  intermediate_size=3072, max_position_embeddings=514, type_vocab_size=1, layer_norm_eps=1e-5,
                                  pad_token_id=1, bos_token_id=0, eos_token_id=2)
        return XLMRobertaModel(config, add_pooling_layer=False), 0, 2
    if shape == "modernbert-base":
        config = ModernBertConfig(vocab_size=50368, hidden_size=768, num_hidden_layers=22, num_attention_heads=12,
                                  intermediate_size=1152, local_attention=128, norm_eps=1e-5)
        return ModernBertModel(config), config.cls_token_id, config.sep_token_id
    if shape == "clip-b32-text":
        config = CLIPTextConfig()  # 512 wide, 12 layers, 8 heads, FFN 2048, 77 positions, quick_gelu
        return CLIPTextModel(config), config.bos_token_id, config.eos_token_id
    if shape == "clip-b32-image":
        config = CLIPVisionConfig()  # ViT-B/32 at 224x224: 768 wide, 12 layers, 12 heads, FFN 3072, quick_gelu
        return CLIPVisionModel(config), None, None
    raise ValueError(shape)


SHAPES = list(BERT_PRESETS) + ["mpnet-base", "xlmr-base", "modernbert-base", "clip-b32-text", "clip-b32-image"]
TEXT_ENCODERS = SHAPES[:-2]
IMAGE_METHODS = ["simclr", "align"]


class BasicBlock(torch.nn.Module):
    """torchvision's BasicBlock, with a 1x1 projection shortcut where the shape changes (as `contrast`'s ResNet)."""

    def __init__(self, inputs, outputs, stride):
        super().__init__()
        nn = torch.nn
        self.conv1, self.bn1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False), nn.BatchNorm2d(outputs)
        self.conv2, self.bn2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False), nn.BatchNorm2d(outputs)
        self.downsample = (nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))
                           if stride != 1 or inputs != outputs else nn.Identity())

    def forward(self, x):
        branch = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(branch + self.downsample(x))


def simclr_model():
    """ResNet-8-wide (CIFAR stem, one block per stage 16-64-256, global average pool) and SimCLR's head."""
    nn = torch.nn
    widths, layers, width = [16, 64, 256], [nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for index, stage in enumerate(widths):
        layers.append(BasicBlock(width, stage, 1 if index == 0 else 2))
        width = stage
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    head = [nn.Linear(width, 512, bias=False), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, 128)]
    return nn.Sequential(*layers, *head)


def nt_xent(z, temperature):
    """SimCLR's loss over 2N rows, row i's positive row i + N (and back), itself excluded."""
    n = z.shape[0] // 2
    z = F.normalize(z, dim=-1)
    logits = (z @ z.T / temperature).fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    return F.cross_entropy(logits, targets)


class Align(torch.nn.Module):
    """`contrast`'s ALIGN with its small towers: a ViT and a BERT from transformers' classes, projections, a learned logit scale."""

    def __init__(self):
        super().__init__()
        vision = transformers.ViTConfig(image_size=28, patch_size=7, num_channels=1, hidden_size=64, num_hidden_layers=4,
                                        num_attention_heads=4, intermediate_size=256, hidden_act="gelu", layer_norm_eps=1e-6,
                                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
        text = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=256,
                          hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, max_position_embeddings=32)
        self.vision, self.text = transformers.ViTModel(vision, add_pooling_layer=False), BertModel(text, add_pooling_layer=False)
        self.visual_projection, self.text_projection = torch.nn.Linear(64, 64), torch.nn.Linear(64, 64)
        self.logit_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, pixels, ids, mask):
        images = F.normalize(self.visual_projection(self.vision(pixel_values=pixels).last_hidden_state[:, 0]), dim=-1)
        texts = F.normalize(self.text_projection(self.text(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]), dim=-1)
        logits = images @ texts.T * self.logit_scale.clamp(max=math.log(100)).exp()
        targets = torch.arange(logits.shape[0])
        return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["encode", "train"])
    parser.add_argument("--shape", choices=SHAPES + IMAGE_METHODS, default="minilm")
    parser.add_argument("--batch-size", type=int, default=0, help="default: 64, simclr 256, align 128")
    parser.add_argument("--max-length", dest="seq_len", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=0, help="timed repeats (default: 20 encode, 10 train)")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    if args.workload == "train" and args.shape not in TEXT_ENCODERS + IMAGE_METHODS:
        parser.error(f"train takes a text encoder's shape ({', '.join(TEXT_ENCODERS)}), simclr or align")
    if args.workload == "encode" and args.shape in IMAGE_METHODS:
        parser.error(f"{args.shape} is timed training only")
    args.batch_size = args.batch_size or {"simclr": 256, "align": 128}.get(args.shape, 64)
    if args.shape in IMAGE_METHODS:
        return train_image_method(args)
    model, first, last = make_model(args.shape)
    config = model.config
    generator = torch.Generator().manual_seed(1)
    images = first is None
    if images:
        inputs = {"pixel_values": torch.randn(args.batch_size, config.num_channels, config.image_size, config.image_size,
                                              generator=generator)}
        tokens = (config.image_size // config.patch_size) ** 2 + 1
    else:
        # Random ids from 1000 up to the first special token above 1000 (the end of CLIP's and
        # ModernBERT's vocabularies hold theirs), else to the vocabulary's end, as `contrast` draws them.
        end = min([t for t in (first, last) if t >= 1000], default=config.vocab_size)
        ids = torch.randint(1000, end, (args.batch_size, args.seq_len), generator=generator)
        ids[:, 0], ids[:, -1] = first, last
        mask = torch.ones_like(ids)
        inputs = {"input_ids": ids, "attention_mask": mask}
        tokens = args.seq_len
    pooled_output = args.shape.startswith("clip")
    autocast = (torch.autocast("cpu", dtype=torch.bfloat16) if args.precision == "bf16" else contextlib.nullcontext())

    if args.workload == "encode":
        model.eval()
        warmup, repeats = 3, args.repeats or 20

        def step():
            with torch.inference_mode(), autocast:
                out = model(**inputs)
                if pooled_output:
                    return out.pooler_output
                hidden = out.last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                return (hidden * m).sum(1) / m.sum(1)
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

    seconds = median_seconds(step, warmup, repeats)
    result = {
        "framework": f"pytorch {torch.__version__}, transformers {transformers.__version__}", "workload": args.workload,
        "shape": args.shape, "inputs": "images" if images else "sentences", "precision": args.precision,
        "attn_implementation": config._attn_implementation,
        "batch_size": args.batch_size, "seq_len": tokens, "threads": torch.get_num_threads(),
        "sentences_per_s": args.batch_size / seconds, "ms_per_step": seconds * 1e3,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(f"pytorch {args.workload} {args.shape} {args.precision} ({result['attn_implementation']} attention): "
          f"{result['ms_per_step']:.1f} ms/step, {result['sentences_per_s']:.1f} {result['inputs']}/s, "
          f"peak RSS {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
    print(json.dumps(result))
    return 0


def median_seconds(step, warmup, repeats):
    """The median time of `repeats` calls of `step` after `warmup` untimed ones."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def train_image_method(args) -> int:
    """Times the simclr or align training step (see the module's docstring)."""
    generator = torch.Generator().manual_seed(1)
    images = lambda: torch.randn(args.batch_size, 1, 28, 28, generator=generator)
    if args.shape == "simclr":
        model = simclr_model()
        views = torch.cat([images(), images()])
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
        loss = lambda: nt_xent(model(views), 0.2)
    else:
        model = Align()
        pixels, ids = images(), torch.randint(1000, 30522, (args.batch_size, 16), generator=generator)
        ids[:, 0], ids[:, -1] = 101, 102
        mask = torch.ones_like(ids)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
        loss = lambda: model(pixels, ids, mask)
    model.train()
    autocast = (torch.autocast("cpu", dtype=torch.bfloat16) if args.precision == "bf16" else contextlib.nullcontext())

    def step():
        optimizer.zero_grad()
        with autocast:
            value = loss()
        value.float().backward()
        optimizer.step()

    seconds = median_seconds(step, 2, args.repeats or 10)
    result = {
        "framework": f"pytorch {torch.__version__}, transformers {transformers.__version__}", "workload": "train", "shape": args.shape,
        "inputs": "images", "precision": args.precision, "batch_size": args.batch_size, "threads": torch.get_num_threads(),
        "sentences_per_s": args.batch_size / seconds, "ms_per_step": seconds * 1e3,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(f"pytorch train {args.shape} {args.precision}: {result['ms_per_step']:.1f} ms/step, {result['sentences_per_s']:.1f} images/s, "
          f"peak RSS {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
