"""Q/DQ models from PyTorch, placed as NVIDIA pytorch-quantization places them (see quantizer.py)."""
