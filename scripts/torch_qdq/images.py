"""Calibration and test images: the sample photos shipped with Debian's python3-skimage, preprocessed with
the torch preset (what qatrt calls --preprocess torch):
    RGB uint8 -> resize shorter side to round(crop * 256 / 224) (bilinear, half-pixel centres, no
    antialiasing; the longer side is truncated like torchvision's Resize) -> centre crop -> / 255
    -> (x - mean) / std with ImageNet mean/std -> float32 CHW.
The resize stays in float (no rounding back to uint8)."""
import os

import numpy as np
import skimage.data
import skimage.io
import torch
import torch.nn.functional as F

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

PHOTO_DIR = os.path.dirname(skimage.data.__file__)
# Colour photos first; the grey ones (replicated to RGB) widen the calibration set. (motorcycle_right is
# left out: it is the stereo twin of motorcycle_left, and each photo owns a class of the head.)
PHOTOS = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png",
          "hubble_deep_field.jpg", "retina.jpg", "ihc.png", "page.png", "camera.png",
          "coins.png", "brick.png", "grass.png", "moon.png"]
TEST_PHOTOS = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png", "camera.png"]


def photo_path(name):
    return os.path.join(PHOTO_DIR, name)


def stem(name):
    return os.path.splitext(name)[0]


def load_rgb(name):
    """HWC uint8 RGB (grey replicated, alpha dropped)."""
    image = skimage.io.imread(photo_path(name))
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


def _resize_bilinear(chw, height, width):
    resized = F.interpolate(torch.from_numpy(chw)[None], size=(height, width), mode="bilinear",
                            align_corners=False, antialias=False)
    return resized[0].numpy()


def resize_shorter_side(chw, shorter):
    h, w = chw.shape[1:]
    if h <= w:
        return _resize_bilinear(chw, shorter, int(shorter * w / h))
    return _resize_bilinear(chw, int(shorter * h / w), shorter)


def centre_crop(chw, height, width):
    h, w = chw.shape[1:]
    top = int(round((h - height) / 2.0))
    left = int(round((w - width) / 2.0))
    return chw[:, top:top + height, left:left + width]


def normalize(chw_0_255):
    return ((chw_0_255 / 255.0 - MEAN[:, None, None]) / STD[:, None, None]).astype(np.float32)


def torch_preset(rgb_hwc, input_size):
    """The exact tensor fed to every runtime under test, CHW float32."""
    _, height, width = input_size
    chw = rgb_hwc.transpose(2, 0, 1).astype(np.float32)
    chw = resize_shorter_side(chw, int(round(min(height, width) * 256 / 224)))
    return np.ascontiguousarray(normalize(centre_crop(chw, height, width)))


def calibration_batch(input_size, seed):
    """Each photo's centre crop, its mirror image, and one seeded random crop covering 30-100 % of the
    photo: a small but varied set, enough for BatchNorm statistics and max calibration.
    Returns (images [N, C, H, W], index into PHOTOS of each image [N])."""
    rng = np.random.default_rng(seed)
    _, height, width = input_size
    samples, photo_of_image = [], []
    for index, name in enumerate(PHOTOS):
        rgb = load_rgb(name)
        centre = torch_preset(rgb, input_size)
        samples += [centre, np.ascontiguousarray(centre[:, :, ::-1])]
        h, w = rgb.shape[:2]
        side = int(min(h, w) * np.sqrt(rng.uniform(0.3, 1.0)))
        top, left = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        crop = rgb[top:top + side, left:left + side].transpose(2, 0, 1).astype(np.float32)
        samples.append(normalize(_resize_bilinear(np.ascontiguousarray(crop), height, width)))
        photo_of_image += [index] * 3
    return torch.from_numpy(np.stack(samples)), torch.tensor(photo_of_image)
