// Exact types of the addon's image functions (native/addon/image.cpp). User code never sees these.

/** 8-bit pixels, rows top to bottom, channels interleaved: 1 = L, 2 = LA, 3 = RGB, 4 = RGBA. */
export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * Pillow's mode of the decoded file, as `data` presents it: 'P' (palette) and 'CMYK' are
 * already converted to RGB (3 channels) as PIL's convert("RGB") does.
 */
export type RawImageMode = 'L' | 'LA' | 'RGB' | 'RGBA' | 'P' | 'CMYK';

export interface RawDecodedImage extends RawPixels {
  mode: RawImageMode;
  format: 'png' | 'jpeg' | 'gif';
}

/**
 * A Hugging Face image processor's settings (preprocessor_config.json); every member is optional,
 * defaults (in brackets) are CLIPImageProcessor's. Names match the model's info().preprocessing.
 */
export interface RawPreprocessParams {
  /** ['CLIPImageProcessor'] image_processor_type, for messages only. */
  processor?: string;
  /** [true] PIL convert("RGB"); images that are not RGB are converted even when false. */
  doConvertRgb?: boolean;
  /** [true] */
  doResize?: boolean;
  /** [224] Short side after resize; 0: resize to resizeHeight x resizeWidth. */
  shortestEdge?: number;
  /** [0] */
  resizeHeight?: number;
  /** [0] */
  resizeWidth?: number;
  /** [3 = bicubic] PIL filter code 0-5 or its name. */
  resample?: number | 'nearest' | 'lanczos' | 'bilinear' | 'bicubic' | 'box' | 'hamming';
  /** [true] Center crop; an image smaller than the crop is padded with zeros. */
  doCenterCrop?: boolean;
  /** [224] */
  cropHeight?: number;
  /** [224] */
  cropWidth?: number;
  /** [true] */
  doRescale?: boolean;
  /** [1/255] Applied in float64, the result rounded to float32. */
  rescaleFactor?: number;
  /** [true] */
  doNormalize?: boolean;
  /** [OpenAI CLIP mean] Rounded to float32. */
  mean?: ArrayLike<number>;
  /** [OpenAI CLIP std] Rounded to float32. */
  std?: ArrayLike<number>;
}

/** Pixel values: float32 [n, 3, height, width] (CHW per image). */
export interface RawPixelValues {
  data: Float32Array;
  dims: [number, number, number, number];
}

/** native/addon/image.cpp. All synchronous. */
export interface AddonImagePart {
  /**
   * Decodes a PNG, JPEG or GIF (first frame) held in memory, as Pillow's Image.open() would.
   * Throws E_INPUT for empty, truncated, corrupt or unrecognized data and for images of more than
   * maxPixels pixels (checked from the header, before decoding); E_UNSUPPORTED for WebP, TIFF,
   * BMP, HEIF and AVIF; E_INVALID_ARG for arguments of the wrong type.
   */
  decodeImage(bytes: Uint8Array, maxPixels: number): RawDecodedImage;
  /**
   * The whole image processor for each image (RGB conversion, resize, center crop, rescale,
   * normalize). Throws E_INVALID_ARG for bad params, E_INPUT for images that do not match their
   * size or preprocess to different sizes.
   */
  preprocessImages(images: RawPixels[], params: RawPreprocessParams): RawPixelValues;
}
