"""A fake-quant point, exported by torch.onnx (opset 13) as QuantizeLinear -> DequantizeLinear.

Mirrors pytorch-quantization's TensorQuantizer with the max calibrator: it first records the range of what
flows through it, then fake-quantizes with that range. Symmetric int8 (the TensorRT path):
    scale = amax / 127, zero_point = 0, q in [-128, 127]
Asymmetric uint8 (qatrt supports it, TensorRT does not):
    scale = (hi - lo) / 255 with lo <= 0 <= hi, zero_point = round(-lo / scale), q in [0, 255]
Per-channel (weights) keeps one amax per index of `axis`; activations are per-tensor.
"""
import torch
from torch import nn

# Modes a quantizer can be in. OFF is the FP32 model (used for the FP32 export and the BN-statistics pass).
OFF, CALIBRATE, QUANTIZE = "off", "calibrate", "quantize"

# A channel whose values are all zero still needs a positive scale; ONNX requires scale > 0.
_MIN_AMAX = 1e-6


class Quantizer(nn.Module):
    def __init__(self, axis=None, asymmetric=False):
        super().__init__()
        if asymmetric and axis is not None:
            raise ValueError("asymmetric quantization is per-tensor only here (as in ONNX opset 13 exporters)")
        self.axis = axis
        self.asymmetric = asymmetric
        self.mode = OFF
        self.lo = None  # running min (asymmetric only) and max |x| or max, as tensors
        self.hi = None

    def extra_repr(self):
        kind = "uint8 asymmetric" if self.asymmetric else "int8 symmetric"
        where = f"per-channel axis={self.axis}" if self.axis is not None else "per-tensor"
        return f"{kind}, {where}, mode={self.mode}"

    def forward(self, x):
        if self.mode == OFF:
            return x
        if self.mode == CALIBRATE:
            self._observe(x.detach())
            return x
        return self._fake_quant(x)

    def _observe(self, x):
        if self.axis is not None:
            dims = [d for d in range(x.dim()) if d != self.axis]
            hi = x.abs().amax(dim=dims)
            lo = None
        elif self.asymmetric:
            hi, lo = x.max(), x.min()
        else:
            hi, lo = x.abs().max(), None
        self.hi = hi if self.hi is None else torch.maximum(self.hi, hi)
        if lo is not None:
            self.lo = lo if self.lo is None else torch.minimum(self.lo, lo)

    def amax(self):
        """The symmetric range; shared-amax groups read and overwrite it (set_amax)."""
        return self.hi

    def set_amax(self, amax):
        self.hi = amax.clone()

    def calibrated(self):
        return self.hi is not None

    def scale_and_zero_point(self):
        """(scale, zero_point) as Python numbers (per-tensor) or tensors (per-channel)."""
        if self.asymmetric:
            lo = min(float(self.lo), 0.0)
            hi = max(float(self.hi), 0.0)
            scale = max(hi - lo, _MIN_AMAX) / 255.0
            zero_point = int(min(max(round(-lo / scale), 0), 255))
            return scale, zero_point
        if self.axis is not None:
            scale = self.hi.clamp(min=_MIN_AMAX).float() / 127.0
            return scale, torch.zeros_like(scale, dtype=torch.int32)
        return max(float(self.hi), _MIN_AMAX) / 127.0, 0

    def _fake_quant(self, x):
        if not self.calibrated():
            raise RuntimeError(f"quantizer used before calibration: {self}")
        scale, zero_point = self.scale_and_zero_point()
        qmin, qmax = (0, 255) if self.asymmetric else (-128, 127)
        if self.axis is not None:
            return torch.fake_quantize_per_channel_affine(x, scale, zero_point, self.axis, qmin, qmax)
        return torch.fake_quantize_per_tensor_affine(x, scale, zero_point, qmin, qmax)


def set_mode(model, mode):
    for module in model.modules():
        if isinstance(module, Quantizer):
            module.mode = mode


def quantizers(model):
    return [m for m in model.modules() if isinstance(m, Quantizer)]
