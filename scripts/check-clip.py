#!/usr/bin/env python3
"""Compare contrast's CLIP embeddings with transformers' for a Hugging Face CLIP folder.

    python scripts/check-clip.py FOLDER [IMAGES_DIR]

FOLDER is a CLIP folder (one `contrast train align --model` wrote, or any CLIPModel folder with a
tokenizer.json). The script embeds a few sentences and the images of IMAGES_DIR (its .png, .jpg and
.jpeg files; without it, a few synthetic images of several sizes, one grayscale) twice: with
`contrast encode` (ours: the folder's tokenizer, preprocessing and towers) and with transformers'
CLIPModel, its tokenizer (AutoTokenizer) and its Pillow image processor (CLIPImageProcessorPil,
which our preprocessing follows: Pillow's 8-bit bicubic resize). It prints the largest absolute
difference of the L2-normalised embeddings and exits 1 when one exceeds --tolerance.

transformers' default CLIPImageProcessor resizes with torchvision instead (when torchvision is
installed): its bicubic filter differs from Pillow's on 8-bit images, so its pixels, and the
embeddings, differ from ours by far more than rounding; the script reports that too when it can.

Needs torch, transformers (5.x) and Pillow. `contrast` is $CONTRAST, else .build/release/contrast,
else .build/debug/contrast of this repository.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from transformers import AutoTokenizer, CLIPModel
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

REPOSITORY = Path(__file__).resolve().parent.parent
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg"}
SENTENCES = [
    "a photo of a cat",
    "A man is playing a guitar.",
    "Café déjà vu — naïve façade!",
    "東京は日本の首都です。",
    "a noisy picture of red and blue shapes on a gray background",
    # Longer than CLIP's 77 tokens: both sides truncate it, keeping the end of text.
    " ".join(["the quick brown fox jumps over the lazy dog"] * 12),
]


def contrast_executable() -> str:
    if os.environ.get("CONTRAST"):
        return os.environ["CONTRAST"]
    for build in ("release", "debug"):
        candidate = REPOSITORY / ".build" / build / "contrast"
        if candidate.exists():
            return str(candidate)
    sys.exit("error: no contrast binary: run `swift build` or set CONTRAST")


def ours(folder: Path, flag: str, value: Path, output: Path) -> np.ndarray:
    """`contrast encode` of sentences (`--input`) or images (`--images`), as JSON lines."""
    subprocess.run([contrast_executable(), "encode", "--model", str(folder), flag, str(value), "--output", str(output), "--quiet"],
                   check=True)
    return np.array([json.loads(line)["embedding"] for line in output.read_text().splitlines()], dtype=np.float64)


def normalized(features: torch.Tensor) -> np.ndarray:
    features = features.double()
    return (features / features.norm(dim=-1, keepdim=True)).numpy()


def synthetic_images(folder: Path) -> None:
    """Six 8-bit images: noise over gradients, landscape, portrait, small, grayscale, square."""
    generator = np.random.default_rng(7)
    for index, (height, width, channels) in enumerate([(45, 61, 3), (70, 33, 3), (20, 25, 3), (40, 40, 1), (300, 200, 3), (64, 32, 3)]):
        gradient = np.linspace(0, 200, width)[None, :, None] + np.linspace(0, 40, height)[:, None, None]
        pixels = np.clip(gradient + generator.normal(0, 25, (height, width, channels)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels[..., 0] if channels == 1 else pixels).save(folder / f"image{index}.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("images", type=Path, nargs="?")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest acceptable difference (default 1e-4)")
    arguments = parser.parse_args()
    folder = arguments.folder.resolve()

    model = CLIPModel.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    pillow = CLIPImageProcessorPil.from_pretrained(folder)
    failed = False
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        texts = scratch / "texts.txt"
        texts.write_text("\n".join(SENTENCES) + "\n")
        images_dir = arguments.images.resolve() if arguments.images else scratch / "images"
        if not arguments.images:
            images_dir.mkdir()
            synthetic_images(images_dir)
        # contrast's order: the folder's image files sorted by path (code points, as Python sorts).
        files = sorted(str(p) for p in images_dir.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file() and not p.name.startswith("."))
        images = [Image.open(path) for path in files]

        with torch.inference_mode():
            tokens = tokenizer(SENTENCES, padding=True, truncation=True, max_length=model.config.text_config.max_position_embeddings,
                               return_tensors="pt")
            theirs_text = normalized(model.get_text_features(**tokens).pooler_output)
            theirs_images = normalized(model.get_image_features(**pillow(images=images, return_tensors="pt")).pooler_output)
        ours_text = ours(folder, "--input", texts, scratch / "texts.jsonl")
        ours_images = ours(folder, "--images", images_dir, scratch / "images.jsonl")

        for name, a, b in [("text embeddings", ours_text, theirs_text), ("image embeddings (Pillow processor)", ours_images, theirs_images)]:
            worst = float(np.abs(a - b).max())
            failed |= worst > arguments.tolerance
            print(f"{name}: {a.shape[0]} x {a.shape[1]}, largest difference {worst:.3g}")

        try:
            import torchvision  # noqa: F401 (without it, CLIPImageProcessor falls back to Pillow)
            from transformers import CLIPImageProcessor
            default = CLIPImageProcessor.from_pretrained(folder)
            with torch.inference_mode():
                other = normalized(model.get_image_features(**default(images=images, return_tensors="pt")).pooler_output)
            print(f"image embeddings (torchvision processor, another bicubic resize): largest difference {float(np.abs(ours_images - other).max()):.3g}")
        except ImportError:
            print("image embeddings (torchvision processor): not compared, torchvision is not installed")
    print("FAILED" if failed else f"OK (within {arguments.tolerance:g})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
