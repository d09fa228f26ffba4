#!/usr/bin/python3
"""Export Q/DQ ONNX models from PyTorch the way NVIDIA pytorch-quantization does, plus the exact input
tensors and PyTorch's own outputs, so qatrt and ONNX Runtime can be compared on identical data.

Run with Debian's python (torch 1.13 CPU):  /usr/bin/python3 scripts/export_torch_qdq.py --model all --out DIR

For each model, DIR/<model>/ gets:
  qdq.onnx              the Q/DQ model (opset 13, input "input" [batch, C, H, W], output "logits" [batch, K])
  fp32.onnx             with --fp32: the same weights with every quantizer off (the FP32 baseline)
  inputs/<img>.f32      one preprocessed image, raw little-endian float32, C*H*W values (torch preset)
  torch/<img>.f32       PyTorch's fake-quant logits for that image, K float32 values
  torch_weight_only/<img>.f32
                        logits with only the weight quantizers on: what `qatrt build --fp32` computes
                        (weights dequantized at build time, activations float)
  labels.txt            K lines "class <k>", with the photo(s) whose prototype the class holds (random
                        weights and a nearest-class-mean head, see torch_qdq/calibrate.py)
  manifest.json         everything above, with shapes, op counts, whether BatchNorm stayed separate, and
                        rounding_sensitivity (below)
Weights are seeded random, BatchNorm statistics and quantizer ranges come from skimage's sample photos
(see torch_qdq/calibrate.py), so the same command always writes the same models.

rounding_sensitivity: the largest logit change over the test images when every activation scale is
multiplied by (1 + 1e-6) or (1 + 1e-5). That moves x / scale by up to 1e-3 and so rounds the values
within that distance of a .5 tie the other way, the kind of difference two correct INT8 implementations
have (float rounding in requantization); the model's depth then amplifies it. Golden tests use it to
bound how far two correct runtimes may disagree on this model.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from torch_qdq import calibrate, images, quantizer
from torch_qdq.export import export_onnx
from torch_qdq.fold import fold_batchnorm
from torch_qdq.resnet import RESNET50_PARAMETERS, ResNet50
from torch_qdq.small import Basic, Grouped, StridePad

MODELS = {
    "resnet50": ResNet50,
    "basic": Basic,
    "basic_uint8": lambda: Basic(asymmetric=True),
    "grouped": Grouped,
    "stride_pad": StridePad,
}
SCALE_PERTURBATIONS = (1e-6, 1e-5)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", nargs="+", required=True, choices=[*MODELS, "all"])
    parser.add_argument("--out", required=True, help="output folder; each model writes OUT/<model>/")
    parser.add_argument("--separate-amax", action="store_true",
                        help="give the quantizers that read one tensor (a block input feeding conv1 and the "
                             "residual Add or the downsample conv) different ranges: the first keeps max, the "
                             "others 0.75 * max, so the export has separate Q/DQ pairs with different scales "
                             "(the unfused path). Default: one shared amax, as NVIDIA recommends for "
                             "TensorRT's fusions")
    parser.add_argument("--fold-bn", action="store_true",
                        help="fold BatchNorm into the conv weights and bias before calibrating the weight "
                             "quantizers (default: BatchNorm stays a separate op after the conv, as "
                             "pytorch-quantization exports it)")
    parser.add_argument("--fp32", action="store_true", help="also export fp32.onnx (quantizers off)")
    parser.add_argument("--images", default=",".join(images.TEST_PHOTOS),
                        help=f"comma-separated skimage.data photos for the test inputs (from {images.PHOTO_DIR})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0 = torch default)")
    return parser.parse_args()


def write_f32(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def class_labels(num_classes):
    """'class k', plus the photos whose prototype row class k holds."""
    owners = {}
    for index, photo in enumerate(images.PHOTOS):
        owners.setdefault(calibrate.class_of_photo(index, len(images.PHOTOS), num_classes), []).append(photo)
    return [f"class {k}" + (f" (prototype of {'+'.join(owners[k])})" if k in owners else "")
            for k in range(num_classes)]


def build_model(name, args):
    model = MODELS[name]()
    if name == "resnet50":
        count = sum(p.numel() for p in model.parameters())
        if count != RESNET50_PARAMETERS:
            raise RuntimeError(f"ResNet-50 has {count} parameters, torchvision's has {RESNET50_PARAMETERS}")
    calibrate.init_weights(model, args.seed)
    calibration, photo_of_image = images.calibration_batch(model.input_size, args.seed)
    calibrate.set_batchnorm_statistics(model, calibration)
    if args.fold_bn:
        fold_batchnorm(model)
    calibrate.calibrate_max(model, calibration)
    calibrate.fit_prototype_head(model, calibration, photo_of_image, args.seed)
    if args.separate_amax:
        calibrate.distinct_amax(model.shared_input_groups())
    else:
        calibrate.share_amax(model.shared_input_groups())
    return model


@torch.no_grad()
def rounding_sensitivity(model, inputs):
    activation_quantizers = [m for m in quantizer.quantizers(model) if m.axis is None]
    saved = [(m.lo, m.hi) for m in activation_quantizers]
    reference = model(inputs)
    change = 0.0
    for epsilon in SCALE_PERTURBATIONS:
        for m, (lo, hi) in zip(activation_quantizers, saved):
            m.lo = None if lo is None else lo * (1 + epsilon)
            m.hi = hi * (1 + epsilon)
        change = max(change, float((model(inputs) - reference).abs().max()))
    for m, (lo, hi) in zip(activation_quantizers, saved):
        m.lo, m.hi = lo, hi
    return change


@torch.no_grad()
def weight_only_logits(model, inputs):
    for m in quantizer.quantizers(model):
        m.mode = quantizer.QUANTIZE if m.axis is not None else quantizer.OFF
    logits = model(inputs)
    quantizer.set_mode(model, quantizer.QUANTIZE)
    return logits.numpy()


def export_model(name, args):
    started = time.time()
    out = os.path.join(args.out, name)
    os.makedirs(out, exist_ok=True)
    model = build_model(name, args)
    manifest = {
        "model": name,
        "input_name": "input",
        "output_name": "logits",
        "input_shape": list(model.input_size),
        "num_classes": model.num_classes,
        "preprocess": "torch",
        "seed": args.seed,
        "shared_amax": not args.separate_amax,
        "quantizers": len(quantizer.quantizers(model)),
        "images": [],
    }

    photos = args.images.split(",")
    inputs = torch.from_numpy(np.stack([images.torch_preset(images.load_rgb(p), model.input_size) for p in photos]))
    with torch.no_grad():
        logits = model(inputs).numpy()
    weight_only = weight_only_logits(model, inputs)
    for photo, tensor, row, row_weight_only in zip(photos, inputs.numpy(), logits, weight_only):
        sample = images.stem(photo)
        files = {"input": f"inputs/{sample}.f32", "torch_logits": f"torch/{sample}.f32",
                 "torch_weight_only_logits": f"torch_weight_only/{sample}.f32"}
        for key, array in (("input", tensor), ("torch_logits", row), ("torch_weight_only_logits", row_weight_only)):
            write_f32(os.path.join(out, files[key]), array)
        top2 = np.sort(row)[-2:]
        manifest["images"].append({"name": sample, **files, "torch_top1": int(row.argmax()),
                                   "torch_margin": float(top2[1] - top2[0])})
    manifest["rounding_sensitivity"] = rounding_sensitivity(model, inputs)

    manifest["onnx"] = "qdq.onnx"
    manifest["ops"] = export_onnx(model, os.path.join(out, "qdq.onnx"), model.input_size)
    manifest["batchnorm"] = "separate" if "BatchNormalization" in manifest["ops"] else "folded"
    if args.fp32:
        quantizer.set_mode(model, quantizer.OFF)
        manifest["fp32_onnx"] = "fp32.onnx"
        manifest["fp32_ops"] = export_onnx(model, os.path.join(out, "fp32.onnx"), model.input_size)
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.writelines(f"{label}\n" for label in class_labels(model.num_classes))
    manifest["labels"] = "labels.txt"
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)

    top1 = " ".join(f"{image['name']}:{image['torch_top1']}(+{image['torch_margin']:.2f})"
                    for image in manifest["images"])
    qdq = manifest["ops"].get("QuantizeLinear", 0)
    print(f"{name}: {out}/qdq.onnx  {qdq} Q/DQ pairs, BatchNorm {manifest['batchnorm']}, rounding sensitivity "
          f"{manifest['rounding_sensitivity']:.3g}; torch top-1 (margin) {top1}  ({time.time() - started:.1f} s)")


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = list(MODELS) if "all" in args.model else args.model
    for name in names:
        export_model(name, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
