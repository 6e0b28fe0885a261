#!/usr/bin/env python3
"""Writes the expected values of the bicubic resize and CLIP preprocessing tests with Pillow and
NumPy, independently of the Swift code under test:

- Tests/VisionTests/Fixtures/pillow_bicubic.json: small random 8-bit images and what Pillow's
  `Image.resize(size, Image.BICUBIC)` makes of them at several sizes (shrinking, enlarging, one
  side only). When torch is importable the script also prints how far
  `F.interpolate(mode="bicubic", antialias=True)` on the same uint8 tensors (what transformers'
  torchvision `CLIPImageProcessor` resizes with) lands from Pillow's bytes.
- Tests/Fixtures/families/clip/preprocessing_expected.json: CLIP's preprocessing as configured by
  Tests/Fixtures/families/clip/preprocessor_config.json (shortest side 32, bicubic, centre crop
  32, rescale 1/255, CLIP's mean and std), computed step by step as transformers'
  `CLIPImageProcessorPil` does; when transformers is importable the script checks that its
  `CLIPImageProcessorPil` agrees.

Usage (from the repository root): python3 scripts/clip-preprocessing-fixture.py
Needs: pillow 13 or later (earlier versions always run the horizontal pass first, which changes
some bytes of the shapes that shrink the height most), numpy; optional: torch, transformers for the
cross-checks. The fixtures were written with Pillow 13.0.0, NumPy 2.4, torch 2.13 and transformers 5.25.
"""
import json
import os

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = np.random.default_rng(2024)


def random_image(height, width, channels):
    """Noise over a smooth gradient: edges and flat regions both exercise the filter."""
    y, x = np.mgrid[0:height, 0:width]
    base = (x * 7 + y * 5) % 256
    noise = rng.integers(-60, 61, size=(height, width, channels))
    return np.clip(base[..., None] + noise, 0, 255).astype(np.uint8)


def pil(array):
    return Image.fromarray(array[..., 0] if array.shape[2] == 1 else array, "L" if array.shape[2] == 1 else "RGB")


def planar(array):
    """Channel planes one after the other, rows top to bottom (the Swift `Image` layout)."""
    return np.moveaxis(array, -1, 0).reshape(-1).tolist()


# --- Pillow's bicubic resize -------------------------------------------------------------------
cases = []
sources = [random_image(23, 17, 3), random_image(13, 29, 1), random_image(64, 48, 3)]
targets = {0: [(9, 11), (40, 31), (23, 8), (5, 17), (50, 6), (1, 1)], 1: [(7, 64), (13, 5)], 2: [(32, 24), (21, 37)]}
worst_torch = 0
for index, source in enumerate(sources):
    for height, width in targets[index]:
        out = np.asarray(pil(source).resize((width, height), Image.BICUBIC)).reshape(height, width, -1)
        case = {"source": index, "height": height, "width": width, "pillow": planar(out)}
        try:
            import torch
            import torch.nn.functional as F

            tensor = torch.from_numpy(np.moveaxis(source, -1, 0).copy())[None]
            resized = F.interpolate(tensor, size=(height, width), mode="bicubic", antialias=True, align_corners=False)[0]
            worst_torch = max(worst_torch, int(np.abs(resized.numpy().astype(int) - np.moveaxis(out, -1, 0).astype(int)).max()))
        except (ImportError, RuntimeError):
            pass  # no torch, or a shape its uint8 kernel stops on (one channel, a 1x1 output)
        cases.append(case)
bicubic = {
    "sources": [{"channels": s.shape[2], "height": s.shape[0], "width": s.shape[1], "bytes": planar(s)} for s in sources],
    "cases": cases,
}
with open(os.path.join(ROOT, "Tests/VisionTests/Fixtures/pillow_bicubic.json"), "w") as f:
    json.dump(bicubic, f, separators=(",", ":"))
print("torch uint8 antialiased bicubic vs Pillow: largest difference", worst_torch, "levels")

# --- CLIP's preprocessing ------------------------------------------------------------------------
config = json.load(open(os.path.join(ROOT, "Tests/Fixtures/families/clip/preprocessor_config.json")))
edge = config["size"]["shortest_edge"]
crop_height, crop_width = config["crop_size"]["height"], config["crop_size"]["width"]
mean = np.array(config["image_mean"], dtype=np.float32)[:, None, None]
std = np.array(config["image_std"], dtype=np.float32)[:, None, None]


def preprocess(array):
    image = pil(array).convert("RGB")
    width, height = image.size
    short, long = (width, height) if width <= height else (height, width)
    new_long = int(edge * long / short)
    size = (edge, new_long) if width <= height else (new_long, edge)  # Pillow takes (width, height)
    image = np.moveaxis(np.asarray(image.resize(size, Image.BICUBIC)), -1, 0)
    _, height, width = image.shape
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    if top < 0 or left < 0:  # transformers pads a side shorter than the crop with zeros, centred
        padded = np.zeros((3, max(height, crop_height), max(width, crop_width)), dtype=image.dtype)
        top_pad, left_pad = -(-max(crop_height - height, 0) // 2), -(-max(crop_width - width, 0) // 2)
        padded[:, top_pad:top_pad + height, left_pad:left_pad + width] = image
        image, top, left = padded, max(top + top_pad, 0), max(left + left_pad, 0)
    image = image[:, top:top + crop_height, left:left + crop_width]
    rescaled = (image.astype(np.float64) * config["rescale_factor"]).astype(np.float32)
    return (rescaled - mean) / std


images = [random_image(45, 61, 3), random_image(70, 33, 3), random_image(20, 25, 3), random_image(40, 40, 1), random_image(64, 32, 3)]
pixels = np.stack([preprocess(image) for image in images])
try:
    from transformers import CLIPImageProcessorPil

    processor = CLIPImageProcessorPil(**{k: v for k, v in config.items() if k != "image_processor_type"})
    reference = processor([pil(image) for image in images], return_tensors="np")["pixel_values"]
    print("transformers CLIPImageProcessorPil vs this script: largest difference", float(np.abs(reference - pixels).max()))
    assert np.abs(reference - pixels).max() < 1e-6
except ImportError:
    pass
preprocessing = {
    "images": [{"channels": i.shape[2], "height": i.shape[0], "width": i.shape[1], "bytes": planar(i)} for i in images],
    "pixel_values": [[[[float("%.6g" % v) for v in row] for row in channel] for channel in image] for image in pixels.tolist()],
}
with open(os.path.join(ROOT, "Tests/Fixtures/families/clip/preprocessing_expected.json"), "w") as f:
    json.dump(preprocessing, f, separators=(",", ":"))
