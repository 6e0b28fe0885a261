#!/usr/bin/env python3
"""Checks `contrast encode` against transformers on checkpoints configured differently from the
reference ones: for each family, transformers builds randomly initialised models from configs that
vary what real checkpoints vary (depth, widths, head counts, activations, norm epsilons, position
counts, ModernBERT's attention pattern and rotary bases in both config forms, CLIP's image and patch
sizes and projection width), saves them with `save_pretrained` next to the reference tokenizer, and
the existing checks compare our outputs with transformers' on each folder:
scripts/check-sentence-transformers.py for the text families, scripts/check-clip.py for CLIP.

Usage: scripts/check-family-variants.py FAMILIES_DIR [--keep DIR]

FAMILIES_DIR is the reference folder with one subfolder per family (roberta, xlm-roberta, mpnet,
modernbert, clip; tokenizer.json and config.json in each). Needs torch, transformers (5.x),
sentence-transformers and Pillow; `contrast` as the two checks find it. Prints one JSON line per
variant and exits 1 if any check fails. Python is only for this check, never for the toolkit.
"""
import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

# Changes to each family's reference config.json; nested dictionaries are merged.
VARIANTS = {
    "roberta": [
        {"num_hidden_layers": 3, "intermediate_size": 96, "layer_norm_eps": 1e-12},
        {"hidden_size": 48, "num_attention_heads": 3, "hidden_act": "relu", "type_vocab_size": 2},
    ],
    "xlm-roberta": [
        {"num_hidden_layers": 4, "num_attention_heads": 8, "max_position_embeddings": 130},
        {"hidden_size": 64, "intermediate_size": 48, "layer_norm_eps": 1e-6},
    ],
    "mpnet": [
        {"relative_attention_num_buckets": 64, "num_hidden_layers": 3},
        {"hidden_size": 48, "num_attention_heads": 6, "intermediate_size": 80, "layer_norm_eps": 1e-12},
    ],
    "modernbert": [
        # The earlier config form real gte-modernbert / ModernBERT checkpoints carry.
        {"_legacy": True, "global_attn_every_n_layers": 2, "num_hidden_layers": 4, "local_attention": 4,
         "global_rope_theta": 80000.0, "local_rope_theta": 5000.0},
        {"layer_types": ["sliding_attention", "full_attention", "sliding_attention", "full_attention", "sliding_attention"],
         "num_hidden_layers": 5, "local_attention": 16, "norm_eps": 1e-6, "intermediate_size": 40,
         "rope_parameters": {"full_attention": {"rope_theta": 50000.0, "rope_type": "default"},
                             "sliding_attention": {"rope_theta": 2000.0, "rope_type": "default"}}},
    ],
    "clip": [
        {"projection_dim": 24, "text_config": {"hidden_act": "gelu", "num_hidden_layers": 3},
         "vision_config": {"hidden_act": "gelu", "image_size": 48, "patch_size": 16}},
        {"vision_config": {"hidden_size": 48, "num_attention_heads": 6, "image_size": 40, "patch_size": 8,
                           "layer_norm_eps": 1e-6},
         "text_config": {"max_position_embeddings": 40, "intermediate_size": 96}},
    ],
}


def merged(base, changes):
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def build(family, reference, changes, folder):
    import torch
    from transformers import AutoConfig, AutoModel, CLIPModel

    with open(os.path.join(reference, "config.json"), encoding="utf-8") as f:
        config = merged(json.load(f), changes)
    legacy = config.pop("_legacy", False)
    if legacy:
        config.pop("layer_types", None)
        config.pop("rope_parameters", None)
    torch.manual_seed(len(folder))
    configuration = AutoConfig.for_model(**config)
    model = CLIPModel(configuration) if family == "clip" else AutoModel.from_config(configuration)
    with torch.no_grad():
        # Random init leaves LayerNorms at 1/0 and some biases at 0: perturb every parameter so
        # that a weight read into the wrong place cannot go unnoticed.
        for parameter in model.parameters():
            parameter.add_(0.02 * torch.randn_like(parameter))
    model.save_pretrained(folder)
    if legacy:
        # transformers 5 writes its own form; rewrite the file in the form older checkpoints have.
        path = os.path.join(folder, "config.json")
        with open(path, encoding="utf-8") as f:
            saved = json.load(f)
        saved.pop("layer_types", None)
        saved.pop("rope_parameters", None)
        for key in ("global_attn_every_n_layers", "global_rope_theta", "local_rope_theta", "local_attention"):
            saved[key] = config[key]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(saved, f, indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json", "preprocessor_config.json"):
        source = os.path.join(reference, name)
        if os.path.exists(source):
            shutil.copy(source, folder)
    if family == "clip":
        # The image processor follows the vision tower's size, as a real checkpoint's does.
        path = os.path.join(folder, "preprocessor_config.json")
        with open(path, encoding="utf-8") as f:
            processor = json.load(f)
        size = config["vision_config"]["image_size"]
        processor["size"] = {"shortest_edge": size}
        processor["crop_size"] = {"height": size, "width": size}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(processor, f, indent=2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("families")
    parser.add_argument("--keep", help="write the variant folders here instead of a temporary folder")
    args = parser.parse_args()
    scripts = os.path.dirname(os.path.abspath(__file__))
    work = args.keep or tempfile.mkdtemp()
    failures = 0
    try:
        for family, variants in VARIANTS.items():
            for index, changes in enumerate(variants):
                folder = os.path.join(work, f"{family}-{index}")
                build(family, os.path.join(args.families, family), changes, folder)
                check = "check-clip.py" if family == "clip" else "check-sentence-transformers.py"
                run = subprocess.run([sys.executable, os.path.join(scripts, check), folder], capture_output=True, text=True)
                lines = run.stdout.strip().splitlines()
                print(json.dumps({"variant": f"{family}-{index}", "changes": changes, "passed": run.returncode == 0,
                                  "result": lines[-1] if lines else run.stderr.strip()[-400:]}), flush=True)
                failures += run.returncode != 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
