#!/usr/bin/env python3
"""PyTorch's ResNet-50 v1 on the same GPU, the in-run baseline of `qatrt bench --backend cuda` (issue 5):
FP16 and FP32 (TF32 off) and TF32, channels_last, cudnn.benchmark, the whole forward captured in one CUDA graph,
input already on the device. Prints one line per (precision, batch): images/s and the median GPU time of a
replay (CUDA events, after warm-up), in the same words as `qatrt bench`.

The network is written out here (torchvision is not assumed) with ResNet-50 v1's shapes: 7×7/2 stem, 3×3/2
max pool, bottlenecks [3, 4, 6, 3] with the stride on the 3×3, global average pool, 1000-way FC. Random weights:
this measures speed only. Usage: resnet50_torch.py [--batches 1,256] [--precisions fp16,fp32,tf32] [--json F]
"""
import argparse
import json
import statistics

import torch
import torch.nn as nn


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = 4 * width
        self.body = nn.Sequential(
            nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True),
            nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                         if stride != 1 or cin != cout else nn.Identity())
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.body(x) + self.shortcut(x))


def resnet50():
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
              nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for b in range(blocks):
            layers.append(Bottleneck(cin, width, stride if b == 0 else 1))
            cin = 4 * width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000)]
    return nn.Sequential(*layers)


def measure(precision, batch, replays):
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = precision == "tf32"
    dtype = torch.float16 if precision == "fp16" else torch.float32
    model = resnet50().cuda().eval().to(dtype=dtype, memory_format=torch.channels_last)
    x = torch.randn(batch, 3, 224, 224, device="cuda", dtype=dtype).to(memory_format=torch.channels_last)
    with torch.inference_mode():
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(3):  # cudnn.benchmark picks its algorithms outside the capture
                model(x)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            model(x)
        for _ in range(10):
            graph.replay()
        times = []
        for _ in range(replays):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            graph.replay()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    median = statistics.median(times)
    return {"precision": precision, "batch": batch, "gpu_ms_median": median, "images_per_second": batch / median * 1e3}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", default="1,256")
    parser.add_argument("--precisions", default="fp16,tf32,fp32")
    parser.add_argument("--replays", type=int, default=100)
    parser.add_argument("--json")
    args = parser.parse_args()
    print(f"PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name()}")
    results = []
    for precision in args.precisions.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            r = measure(precision, batch, args.replays if batch < 64 else max(20, args.replays // 4))
            results.append(r)
            print(f"pytorch {precision:5s} batch {batch:4d}: {r['images_per_second']:10.1f} images/s, "
                  f"GPU time median {r['gpu_ms_median']:.3f} ms", flush=True)
    if args.json:
        json.dump({"device": torch.cuda.get_device_name(), "torch": torch.__version__, "results": results},
                  open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
