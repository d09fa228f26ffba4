"""Weights without a download: seeded random init, then BatchNorm statistics, a classifier head and
quantizer ranges measured on real photos, so activations are well scaled, every Q/DQ has a meaningful
range and top-1 is decided by a clear margin.

1. init_weights: He-normal convs (torchvision's init), BatchNorm gamma/beta drawn away from 1/0 so that
   folding BN is not a no-op. The BN that ends a residual branch gets gamma in [0.1, 0.3]: at full gamma a
   random ResNet-50 is chaotic (a 1e-6 relative change of the activation scales, i.e. a few ties rounded
   the other way, moved its features by 40 % of their spread across images), so two correct INT8
   implementations would disagree; trained ResNets have small residual branches too.
2. set_batchnorm_statistics: train mode with momentum=None (an exact cumulative average over the batches),
   quantizers off.
3. calibrate_max: eval mode, every quantizer records max |x| (or min/max when asymmetric); weights per
   output channel.
4. fit_prototype_head: random classifier rows on random features give near-tied logits (top-1 margins of
   1e-3), so top-1 agreement would test rounding noise, not correctness. Instead each calibration photo
   owns a class whose weight row is its mean centred feature vector (nearest-class-mean head, features
   taken from the fake-quantized trunk); the other classes keep random directions. The own class then
   leads by a margin far above INT8 noise, while a wrong kernel still moves the features and the logits.
   The fc weight quantizer is calibrated again for the new weights.
5. share_amax: quantizers that read the same tensor take the widest range of their group. Under max
   calibration they measured the same tensor and already agree, and torch.onnx's common-subexpression pass
   can then merge them into one Q/DQ pair whose DequantizeLinear feeds every consumer. It does so in the
   small models and for the ResNet-50 stem (max-pool output -> conv1 and downsample of the first block);
   the other 15 ResNet-50 block inputs keep two Q/DQ pairs with equal scales, NVIDIA's layout (torch 1.13;
   likely the in-place ReLUs stop the merge). Sharing matters for ranges that were learned or calibrated
   by different methods; distinct_amax builds such a model.
"""
import torch
from torch import nn

from . import quantizer as q

# The own-class logit of a photo's features (scale of the head's rows).
OWN_CLASS_LOGIT = 5.0


def init_weights(model, seed):
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.uniform_(m.bias, -0.1, 0.1)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.25, 0.25)
        elif isinstance(m, nn.Linear):
            m.reset_parameters()
    for norm in model.residual_branch_ends():
        nn.init.uniform_(norm.weight, 0.1, 0.3)


def _batches(images, batch_size):
    for start in range(0, len(images), batch_size):
        yield images[start:start + batch_size]


@torch.no_grad()
def set_batchnorm_statistics(model, images, batch_size=8):
    q.set_mode(model, q.OFF)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    for batch in _batches(images, batch_size):
        model(batch)
    model.eval()


@torch.no_grad()
def calibrate_max(model, images, batch_size=8):
    model.eval()
    q.set_mode(model, q.CALIBRATE)
    for batch in _batches(images, batch_size):
        model(batch)
    missing = [name for name, m in model.named_modules() if isinstance(m, q.Quantizer) and not m.calibrated()]
    if missing:
        raise RuntimeError(f"quantizers saw no data during calibration: {missing}")
    q.set_mode(model, q.QUANTIZE)


def class_of_photo(photo_index, photo_count, num_classes):
    """Photos spread over the classes (ResNet-50: 0, 71, 142, ...); with fewer classes than photos,
    photos share classes."""
    if num_classes >= photo_count:
        return photo_index * (num_classes // photo_count)
    return photo_index % num_classes


@torch.no_grad()
def fit_prototype_head(model, images, photo_of_image, seed, batch_size=8):
    """Nearest-class-mean as a linear layer: argmin_c |f - m_c|^2 = argmax_c <f, m_c> - |m_c|^2 / 2, with
    features centred on their mean mu (p_c = m_c - mu) and scaled by alpha so the own-class logit is about
    OWN_CLASS_LOGIT:  logit_c(f) = alpha * (<f - mu, p_c> - |p_c|^2 / 2)."""
    features = []
    hook = model.fc.register_forward_pre_hook(lambda module, inputs: features.append(inputs[0]))
    for batch in _batches(images, batch_size):
        model(batch)
    hook.remove()
    features = torch.cat(features)
    mean = features.mean(dim=0)
    photo_count = int(photo_of_image.max()) + 1
    classes = torch.tensor([class_of_photo(int(p), photo_count, model.num_classes) for p in photo_of_image])
    owned = classes.unique()
    prototypes = torch.stack([features[classes == c].mean(dim=0) - mean for c in owned])
    alpha = 2 * OWN_CLASS_LOGIT / prototypes.pow(2).sum(dim=1).mean()

    generator = torch.Generator().manual_seed(seed)
    weight = torch.randn(model.fc.weight.shape, generator=generator)
    # Rows of the classes no photo owns: random directions, a third as long as the prototype rows, so their
    # logits are small but not zero (in the 16-feature small models a full-length random row can outscore
    # a prototype).
    weight *= alpha * prototypes.norm(dim=1).mean() / (3 * weight.norm(dim=1, keepdim=True))
    bias = torch.zeros(model.num_classes)
    weight[owned] = alpha * prototypes
    bias[owned] = -alpha * prototypes.pow(2).sum(dim=1) / 2
    model.fc.weight.copy_(weight)
    model.fc.bias.copy_(bias - weight @ mean)

    model.fc.weight_quantizer.hi = None
    model.fc.weight_quantizer.mode = q.CALIBRATE
    model.fc.weight_quantizer(model.fc.weight)
    model.fc.weight_quantizer.mode = q.QUANTIZE


def share_amax(groups):
    for group in groups:
        if any(m.asymmetric for m in group):
            # Asymmetric: share both ends of the range so scale and zero point agree.
            lo = torch.stack([m.lo for m in group]).min()
            hi = torch.stack([m.hi for m in group]).max()
            for m in group:
                m.lo, m.hi = lo.clone(), hi.clone()
            continue
        amax = torch.stack([m.amax() for m in group]).max()
        for m in group:
            m.set_amax(amax)


def distinct_amax(groups, factor=0.75):
    """The unfused case: every quantizer of a group but the first clips at factor * amax (as a percentile
    calibrator might), so one tensor reaches its consumers through Q/DQ pairs with different scales."""
    for group in groups:
        for m in group[1:]:
            if m.asymmetric:
                m.lo, m.hi = m.lo * factor, m.hi * factor
            else:
                m.set_amax(m.amax() * factor)
