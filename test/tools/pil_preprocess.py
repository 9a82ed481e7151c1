"""Expected outputs of image decoding and preprocessing, computed with Pillow + numpy the way
transformers' slow (PIL-based) image processors compute them, written as SHA-256 digests to
test/fixtures/image-parity.json so that the JS tests need no Python.

    /usr/bin/python3 test/tools/pil_preprocess.py            # rewrite the fixture
    /usr/bin/python3 test/tools/pil_preprocess.py --print    # also print each case

Semantics (transformers 4.x/5.x, image_transforms.py and the CLIP/VideoMAE processors):
  * convert("RGB") unless already RGB (VideoMAE does not convert; a non-RGB image given to a video
    model is converted anyway here, since the model needs 3 channels);
  * resize: shortest_edge -> (short, int(short_edge * long / short)) in double, or height/width;
    PIL Image.resize(size, resample) (reducing_gap None);
  * center crop at ((H - ch) // 2, (W - cw) // 2); a smaller image is zero-padded at
    ceil((ch - H) / 2) (center_crop's padding branch);
  * rescale float32(float64(x) * factor); normalize (x - float32(mean)) / float32(std) in float32;
    HWC -> CHW.
"""
import hashlib
import json
import math
import os
import sys

import numpy as np
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, '..', 'fixtures'))
OUT = os.path.join(FIXTURES, 'image-parity.json')

IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def sha256(arr):
    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()


def processor_params(model_dir):
    """preprocessor_config.json -> the addon's params object (lib/native/image-types.ts)."""
    with open(os.path.join(FIXTURES, model_dir, 'preprocessor_config.json')) as f:
        pp = json.load(f)
    kind = pp['image_processor_type']
    size, crop = pp['size'], pp['crop_size']
    return {
        'processor': kind,
        'doConvertRgb': pp.get('do_convert_rgb', kind == 'CLIPImageProcessor'),
        'doResize': pp['do_resize'],
        'shortestEdge': size.get('shortest_edge', 0),
        'resizeHeight': size.get('height', 0),
        'resizeWidth': size.get('width', 0),
        'resample': pp['resample'],
        'doCenterCrop': pp['do_center_crop'],
        'cropHeight': crop['height'],
        'cropWidth': crop['width'],
        'doRescale': pp['do_rescale'],
        'rescaleFactor': pp['rescale_factor'],
        'doNormalize': pp['do_normalize'],
        'mean': pp['image_mean'],
        'std': pp['image_std'],
    }


def held_out(base, **changes):
    p = dict(base)
    p.update(changes)
    return p


def resize_output_size(h, w, shortest_edge):
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = shortest_edge, int(shortest_edge * long / short)
    return (new_long, new_short) if w <= h else (new_short, new_long)


def center_crop(arr, ch, cw):
    h, w = arr.shape[:2]
    top, left = (h - ch) // 2, (w - cw) // 2
    if top >= 0 and left >= 0:
        return arr[top:top + ch, left:left + cw]
    nh, nw = max(ch, h), max(cw, w)
    padded = np.zeros((nh, nw, arr.shape[2]), arr.dtype)
    tp, lp = math.ceil((nh - h) / 2), math.ceil((nw - w) / 2)
    padded[tp:tp + h, lp:lp + w] = arr
    top, left = top + tp, left + lp
    return padded[max(0, top):min(nh, top + ch), max(0, left):min(nw, left + cw)]


def preprocess(img, p):
    """One PIL image -> (uint8 HWC after resize + crop, float32 CHW)."""
    if img.mode != 'RGB':
        img = img.convert('RGB')
    arr = np.array(img)
    if p['doResize']:
        if p['shortestEdge'] > 0:
            h, w = resize_output_size(arr.shape[0], arr.shape[1], p['shortestEdge'])
        else:
            h, w = p['resizeHeight'], p['resizeWidth']
        arr = np.array(Image.fromarray(arr).resize((w, h), resample=p['resample'], reducing_gap=None))
    if p['doCenterCrop']:
        arr = center_crop(arr, p['cropHeight'], p['cropWidth'])
    u8 = np.ascontiguousarray(arr)
    x = u8
    if p['doRescale']:
        x = (x.astype(np.float64) * p['rescaleFactor']).astype(np.float32)
    if p['doNormalize']:
        x = x.astype(np.float32)
        x = (x - np.array(p['mean'], np.float32)) / np.array(p['std'], np.float32)
    x = np.ascontiguousarray(x.astype(np.float32).transpose(2, 0, 1))
    return u8, x


def preprocess_cases():
    with open(os.path.join(FIXTURES, 'goldens', 'goldens.json')) as f:
        goldens = json.load(f)
    stills = [im['file'] for im in goldens['inputs']['images']]
    frames = goldens['inputs']['video']['frame_files']
    clip, videomae = processor_params('tiny-image'), processor_params('tiny-vatex')
    processors = {'clip': clip, 'videomae': videomae}
    cases = [(name, image) for name in processors for image in stills + frames]
    held_out_variants = {
        'se384-crop384-imagenet': held_out(clip, shortestEdge=384, cropHeight=384, cropWidth=384, mean=IMAGENET_MEAN,
                                           std=IMAGENET_STD),
        'se224-crop256-pad-bilinear': held_out(videomae, cropHeight=256, cropWidth=256),
        'hw200x300-nocrop': held_out(clip, shortestEdge=0, resizeHeight=200, resizeWidth=300, doCenterCrop=False),
        'hw160x160-crop96x128-lanczos': held_out(clip, shortestEdge=0, resizeHeight=160, resizeWidth=160, resample=1,
                                                 cropHeight=96, cropWidth=128),
        'se224-nearest': held_out(clip, resample=0),
        'se180-crop160-box': held_out(clip, resample=4, shortestEdge=180, cropHeight=160, cropWidth=160),
        'se250-crop200x230-hamming': held_out(clip, resample=5, shortestEdge=250, cropHeight=200, cropWidth=230),
        'se448-lanczos': held_out(clip, resample=1, shortestEdge=448, cropHeight=448, cropWidth=448),
        'se32-bicubic': held_out(clip, shortestEdge=32, cropHeight=32, cropWidth=32),
        'noresize-crop224': held_out(clip, doResize=False),
        'se100-nocrop-halfscale': held_out(videomae, shortestEdge=100, doCenterCrop=False, rescaleFactor=1 / 127.5,
                                           doNormalize=False),
        'norescale-normalize': held_out(videomae, doRescale=False, mean=[127.5, 120.0, 110.25], std=[58.0, 57.5, 60.125]),
        'crop223x225-bilinear': held_out(videomae, cropHeight=223, cropWidth=225),
    }
    processors.update(held_out_variants)
    cases += [(name, image) for name in held_out_variants for image in stills]
    return processors, cases


# What our decoder reports for each file, and the Pillow conversion that gives the same layout.
DECODE_MODES = {'L': 'L', 'LA': 'LA', 'RGB': 'RGB', 'RGBA': 'RGBA', 'P': 'RGB', 'CMYK': 'RGB'}


def decoder_mode(name, pil_mode):
    if name.startswith('png_la16'):
        return 'LA'  # Pillow opens 16-bit grey+alpha as RGBA with R = G = B
    return {'1': 'L', 'I': 'L', 'I;16': 'L', 'I;16B': 'L'}.get(pil_mode, pil_mode)


def decode_cases():
    folder = os.path.join(FIXTURES, 'image-decode')
    out = []
    for name in sorted(os.listdir(folder)):
        im = Image.open(os.path.join(folder, name))
        im.info.pop('transparency', None)  # convert() ignores it for these targets; silences a warning
        mode = decoder_mode(name, im.mode)
        data = np.array(im.convert(DECODE_MODES[mode]))
        channels = 1 if data.ndim == 2 else data.shape[2]
        out.append({'file': f'image-decode/{name}', 'mode': mode, 'width': im.width, 'height': im.height,
                    'channels': channels, 'sha256': sha256(data)})
    return out


def main():
    verbose = '--print' in sys.argv
    processors, plan = preprocess_cases()
    cases = []
    for processor, image in plan:
        u8, x = preprocess(Image.open(os.path.join(FIXTURES, image)), processors[processor])
        cases.append({'processor': processor, 'image': image,
                      'resized': {'shape': list(u8.shape), 'sha256': sha256(u8)},
                      'pixelValues': {'dims': [1] + list(x.shape), 'sha256': sha256(x)}})
        if verbose:
            print(processor, image, u8.shape, cases[-1]['resized']['sha256'][:16], cases[-1]['pixelValues']['sha256'][:16])
    result = {
        'about': 'Written by test/tools/pil_preprocess.py: Pillow resize/crop and numpy float32 math as in '
                 "transformers' slow CLIP/VideoMAE image processors; digests are SHA-256 of the raw bytes "
                 '(uint8 HWC, float32 CHW, decoded pixels in the decoder\'s layout).',
        'pillow': PIL.__version__,
        'numpy': np.__version__,
        'processors': processors,
        'preprocess': cases,
        'decode': decode_cases(),
    }
    with open(OUT, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')
    print(f'{OUT}: {len(cases)} preprocessing cases, {len(result["decode"])} decoded files')


if __name__ == '__main__':
    main()
