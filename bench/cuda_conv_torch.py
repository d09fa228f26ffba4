#!/usr/bin/env python3
"""PyTorch on the same GPU and the same layers as bench/cuda_conv_bench.cu (ResNet-50 convolutions, batch 256):
cuDNN's fp16 convolution (channels_last, cudnn.benchmark) and cuBLASLt's int8 GEMM (torch._int_mm) on each
layer's implicit-GEMM sizes M×N×K — the GEMM alone, with no im2col and no epilogue, i.e. a ceiling for what a
library int8 path reaches on that shape. Median of CUDA-event timings after warm-up.

Run by scripts/gpu-tests.sh (step "torch") where torch sees a GPU; needs PyTorch >= 2.1 for torch._int_mm.
"""
import torch
import torch.nn.functional as F

BATCH, WARMUP, TIMED = 256, 5, 40

# name, c, h, k, r, stride, pad, count — the list of bench/cuda_conv_bench.cu
LAYERS = [
    ("conv1 7x7/2", 3, 224, 64, 7, 2, 3, 1),
    ("l1 1x1 64>64", 64, 56, 64, 1, 1, 0, 1),
    ("l1 1x1 256>64", 256, 56, 64, 1, 1, 0, 2),
    ("l1 3x3 64", 64, 56, 64, 3, 1, 1, 3),
    ("l1 1x1 64>256 +res", 64, 56, 256, 1, 1, 0, 3),
    ("l1 down 64>256", 64, 56, 256, 1, 1, 0, 1),
    ("l2 1x1 256>128", 256, 56, 128, 1, 1, 0, 1),
    ("l2 3x3/2 128", 128, 56, 128, 3, 2, 1, 1),
    ("l2 1x1 512>128", 512, 28, 128, 1, 1, 0, 3),
    ("l2 3x3 128", 128, 28, 128, 3, 1, 1, 3),
    ("l2 1x1 128>512 +res", 128, 28, 512, 1, 1, 0, 4),
    ("l2 down/2 256>512", 256, 56, 512, 1, 2, 0, 1),
    ("l3 1x1 512>256", 512, 28, 256, 1, 1, 0, 1),
    ("l3 3x3/2 256", 256, 28, 256, 3, 2, 1, 1),
    ("l3 1x1 1024>256", 1024, 14, 256, 1, 1, 0, 5),
    ("l3 3x3 256", 256, 14, 256, 3, 1, 1, 5),
    ("l3 1x1 256>1024 +res", 256, 14, 1024, 1, 1, 0, 6),
    ("l3 down/2 512>1024", 512, 28, 1024, 1, 2, 0, 1),
    ("l4 1x1 1024>512", 1024, 14, 512, 1, 1, 0, 1),
    ("l4 3x3/2 512", 512, 14, 512, 3, 2, 1, 1),
    ("l4 1x1 2048>512", 2048, 7, 512, 1, 1, 0, 2),
    ("l4 3x3 512", 512, 7, 512, 3, 1, 1, 2),
    ("l4 1x1 512>2048 +res", 512, 7, 2048, 1, 1, 0, 3),
    ("l4 down/2 1024>2048", 1024, 14, 2048, 1, 2, 0, 1),
]


def median_ms(fn):
    for _ in range(WARMUP):
        fn()
    times = []
    for _ in range(TIMED):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    times.sort()
    return times[len(times) // 2]


def main():
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}")
    print(f"{'layer':22s} {'M':>9s} {'N':>5s} {'K':>6s} {'x':>3s} {'fp16 conv':>11s} {'TFLOPS':>7s} "
          f"{'int8 GEMM':>11s} {'TOPS':>7s}")
    total_conv = total_gemm = total_macs = 0.0
    for name, c, h, k, r, stride, pad, count in LAYERS:
        p = (h + 2 * pad - r) // stride + 1
        m, kk = BATCH * p * p, r * r * c
        x = torch.randn(BATCH, c, h, h, device=dev, dtype=torch.half).to(memory_format=torch.channels_last)
        w = torch.randn(k, c, r, r, device=dev, dtype=torch.half).to(memory_format=torch.channels_last)
        conv_ms = median_ms(lambda: F.conv2d(x, w, stride=stride, padding=pad))
        del x, w
        kk8 = (kk + 7) // 8 * 8  # _int_mm needs K a multiple of 8
        a = torch.randint(-128, 128, (m, kk8), device=dev, dtype=torch.int8)
        b = torch.randint(-128, 128, (k, kk8), device=dev, dtype=torch.int8).t()
        gemm_ms = median_ms(lambda: torch._int_mm(a, b))
        del a, b
        macs = m * k * kk
        total_conv += conv_ms * count
        total_gemm += gemm_ms * count
        total_macs += macs * count
        print(f"{name:22s} {m:9d} {k:5d} {kk:6d} {count:3d} {conv_ms:8.3f} ms {2 * macs / conv_ms / 1e9:7.1f} "
              f"{gemm_ms:8.3f} ms {2 * macs / gemm_ms / 1e9:7.1f}")
    print(f"\nall 53 convolutions: cuDNN fp16 {total_conv:.3f} ms = {BATCH / total_conv * 1e3:.0f} images/s; "
          f"int8 GEMM alone {total_gemm:.3f} ms = {BATCH / total_gemm * 1e3:.0f} images/s "
          f"({total_macs / BATCH / 1e9:.2f} GMAC/image)")


if __name__ == "__main__":
    main()
