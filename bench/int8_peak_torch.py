#!/usr/bin/env python3
"""The card's practical dense INT8 tensor-core peak, measured with PyTorch: cuBLASLt's int8 GEMM
(torch._int_mm, int8 × int8 → int32) on large square-ish matrices, and for reference the FP16 GEMM
(torch.matmul in half). The best TOPS over the sizes is the ceiling `scripts/tops_table.py` states each
layer's achieved TOPS against (issue 5: "achieved TOPS per layer against the measured peak").

TOPS = 2·M·N·K / time (tera-ops per second, one multiply and one add per MAC). Each sample times `--inner`
back-to-back products between two CUDA events (so a launch gap does not count against a short product),
after warm-up; the median of `--samples` samples is reported. A corner of each int8 product is checked
against exact int64 sums on the host, so a wrong answer cannot pass as a fast one.

The datasheet's dense INT8 figure (1,979 TOPS on an H100 SXM or H200) is the hardware's bound; this measures what
a library reaches on the card (cuBLASLt through torch._int_mm: 891 and 916 TOPS on an H200 in two calls), the
practical peak a kernel of ours can be compared with. Where torch sees no GPU the script says so and exits 0
(nothing measured, no JSON).

Usage: int8_peak_torch.py [--sizes 4096x4096x4096,8192x8192x8192,16384x16384x8192] [--json F]
"""
import argparse
import json
import statistics
import sys


def parse_sizes(text):
    sizes = []
    for spec in text.split(","):
        m, n, k = (int(v) for v in spec.lower().split("x"))
        if m <= 16 or n % 8 or k % 8:
            sys.exit(f"size {spec}: torch._int_mm needs M > 16 and N, K multiples of 8")
        sizes.append((m, n, k))
    return sizes


def median_ms(torch, fn, warmup, samples, inner):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(inner):
            fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) / inner)
    return statistics.median(times)


def check_int8_sums(torch, a, b, c):
    """The first and last rows of c = a·b, on their first 256 columns, against exact int64 sums on the host."""
    rows, cols = [0, a.shape[0] - 1], slice(0, min(256, b.shape[1]))
    expected = a[rows].cpu().long() @ b[:, cols].cpu().long()
    got = c[rows][:, cols].cpu().long()
    if not torch.equal(got, expected):
        sys.exit(f"torch._int_mm {tuple(a.shape)}·{tuple(b.shape)}: {(got != expected).sum().item()} of "
                 f"{expected.numel()} checked sums differ from the exact int64 ones; not reporting a peak")


def measure(torch, dtype, m, n, k, args):
    dev = torch.device("cuda")
    if dtype == "int8":
        a = torch.randint(-128, 128, (m, k), device=dev, dtype=torch.int8)
        b = torch.randint(-128, 128, (n, k), device=dev, dtype=torch.int8).t()  # column-major K×N, as cuBLASLt likes
        check_int8_sums(torch, a, b, torch._int_mm(a, b))
        fn = lambda: torch._int_mm(a, b)  # noqa: E731
    else:
        a = torch.randn(m, k, device=dev, dtype=torch.half)
        b = torch.randn(n, k, device=dev, dtype=torch.half).t()
        fn = lambda: torch.matmul(a, b)  # noqa: E731
    ms = median_ms(torch, fn, args.warmup, args.samples, args.inner)
    del a, b
    torch.cuda.empty_cache()
    return {"m": m, "n": n, "k": k, "median_ms": ms, "tops": 2.0 * m * n * k / (ms * 1e-3) / 1e12}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="4096x4096x4096,8192x8192x8192,16384x16384x8192",
                        help="MxNxK,... (int8 and fp16 alike)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--inner", type=int, default=10, help="products per timed sample")
    parser.add_argument("--json", help="write the measurements here")
    args = parser.parse_args()
    sizes = parse_sizes(args.sizes)
    try:
        import torch
    except ImportError:
        print(f"no GPU measured: {sys.executable} has no PyTorch")
        return
    if not torch.cuda.is_available():
        print(f"no GPU: PyTorch {torch.__version__} sees no CUDA device; nothing measured")
        return
    if not hasattr(torch, "_int_mm"):
        print(f"no int8 GEMM: PyTorch {torch.__version__} lacks torch._int_mm (needs >= 2.1); nothing measured")
        return
    major, minor = torch.cuda.get_device_capability()
    device = torch.cuda.get_device_name()
    print(f"device: {device} (sm_{major}{minor}), PyTorch {torch.__version__}, CUDA {torch.version.cuda}")
    result = {"device": device, "sm": f"{major}{minor}", "torch": torch.__version__, "cuda": torch.version.cuda,
              "method": f"median of {args.samples} samples of {args.inner} back-to-back products (CUDA events), "
                        f"after {args.warmup} warm-up products"}
    for dtype, library in (("int8", "torch._int_mm (cuBLASLt, int32 accumulate)"),
                           ("fp16", "torch.matmul half (cuBLAS)")):
        runs = []
        for m, n, k in sizes:
            r = measure(torch, dtype, m, n, k, args)
            runs.append(r)
            print(f"{dtype} {m:6d} x {n:6d} x {k:6d}: {r['median_ms']:8.3f} ms  {r['tops']:7.1f} TOPS", flush=True)
        best = max(runs, key=lambda r: r["tops"])
        result[dtype] = {"library": library, "best_tops": best["tops"],
                         "best_size": [best["m"], best["n"], best["k"]], "runs": runs}
    print(f"practical dense peak on {device}: int8 {result['int8']['best_tops']:.1f} TOPS "
          f"({'x'.join(map(str, result['int8']['best_size']))}), "
          f"fp16 {result['fp16']['best_tops']:.1f} TFLOPS ({'x'.join(map(str, result['fp16']['best_size']))})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
