// Images in, pixel values out: PNG, JPEG and GIF decoding from memory, giving the pixels Pillow's
// Image.open() would give, and the Hugging Face image processors GIT uses (CLIPImageProcessor,
// VideoMAEImageProcessor, slow PIL-based versions) in plain C++: RGB conversion, Pillow resize,
// center crop with zero padding, rescale and normalize, HWC uint8 -> CHW float32. Every step is
// driven by preprocess_params; a model's own are get_preprocess_params(model) (gitcap.h).
//
//   gitcap::decoded_image d = gitcap::decode_image(bytes.data(), bytes.size());
//   gitcap::preprocess_params p;            // CLIPImageProcessor defaults
//   p.resample = gitcap::resample_filter::bilinear;
//   gitcap::check_preprocess_params(p);
//   gitcap::pixel_batch px = gitcap::preprocess_images({d.image.view()}, p);   // [1, 3, 224, 224]
#pragma once

#include "gitcap.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gitcap {

// --- 8-bit images -------------------------------------------------------------------------------

// Interleaved 8-bit pixels, rows top to bottom without padding:
// data[(y * width + x) * channels + c]; channels 1 = L, 2 = LA, 3 = RGB, 4 = RGBA.
struct image_view {
    const uint8_t * data = nullptr;
    int width = 0, height = 0, channels = 0;
};

struct image_u8 {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> data;

    image_u8() = default;
    image_u8(int w, int h, int c) : width(w), height(h), channels(c), data(size_t(w) * h * c) {}
    image_view view() const { return {data.data(), width, height, channels}; }
};

// --- decoding -----------------------------------------------------------------------------------

// 100 megapixels: above the largest photos of common cameras (a 100 MP medium-format sensor),
// and at most 400 MB decoded (RGBA). Pillow warns from 89.5 MP and refuses 179 MP.
constexpr uint64_t default_max_pixels = 100000000;

struct decoded_image {
    image_u8 image; // channels 1 = L, 2 = LA, 3 = RGB, 4 = RGBA
    // The Pillow mode of the source, as these pixels present it: "L", "LA", "RGB", "RGBA"; "P" for a
    // palette image, already expanded to RGB (transparency dropped, as convert("RGB") does);
    // "CMYK" for a CMYK/YCCK JPEG, already converted to RGB as convert("RGB") does. 16-bit grey is
    // clipped to 0..255 (Pillow's I -> L/RGB conversion); other 16-bit images keep the high byte
    // (Pillow's ;16B raw modes). JPEG samples are reconstructed as libjpeg-turbo does (Pillow's
    // decoder), so decoded pixels equal Image.open()'s.
    std::string mode;
    std::string format; // "png", "jpeg" or "gif"
};

// Decodes one image file held in memory (stb_image, plus libjpeg-turbo's JPEG reconstruction).
// GIF: the first frame, transparent pixels in the colour of the transparent palette entry as in
// Pillow; a first frame smaller than the canvas leaves the rest black (or the background colour),
// where Pillow gives a palette colour. The pixel-count limit is checked before anything is
// allocated. Throws gitcap::error: input for empty, truncated, corrupt or unrecognized data and
// for images of more than max_pixels pixels; unsupported for known formats other than PNG, JPEG
// and GIF.
decoded_image decode_image(const uint8_t * data, size_t size, uint64_t max_pixels = default_max_pixels);

// --- preprocessing ------------------------------------------------------------------------------

// PIL's resampling filter codes (PIL.Image.Resampling), as stored in preprocessor_config.json.
enum class resample_filter : int {
    nearest = 0,
    lanczos = 1,
    bilinear = 2,
    bicubic = 3,
    box = 4,
    hamming = 5,
};

bool is_resample_filter(int code);
const char * resample_filter_name(resample_filter f);

// Defaults are transformers' CLIPImageProcessor defaults (OpenAI CLIP mean/std, bicubic, 224).
struct preprocess_params {
    std::string processor = "CLIPImageProcessor"; // image_processor_type (for messages only)
    // PIL convert("RGB"): L/LA grey replicated, alpha dropped (not composited). Images that are not
    // RGB are converted the same way when this is false, since the model needs 3 channels.
    bool do_convert_rgb = true;
    bool do_resize = true;
    int shortest_edge = 224;                 // > 0: short side -> this, long side int(this * long / short)
    int resize_height = 0, resize_width = 0; // used when shortest_edge == 0
    resample_filter resample = resample_filter::bicubic;
    bool do_center_crop = true;
    int crop_height = 224, crop_width = 224; // an image smaller than this is padded with zeros
    bool do_rescale = true;
    double rescale_factor = 1.0 / 255.0;     // applied in double, result rounded to float32
    bool do_normalize = true;
    std::array<float, 3> image_mean = {0.48145466f, 0.4578275f, 0.40821073f};
    std::array<float, 3> image_std = {0.26862954f, 0.26130258f, 0.27577711f};
};

// Throws gitcap::error(invalid_argument) naming the first field out of range.
void check_preprocess_params(const preprocess_params & p);

// The image after RGB conversion, resize and center crop, before rescaling: uint8 HWC RGB, what
// the goldens call resized_cropped_u8.
image_u8 resize_and_crop(const image_view & image, const preprocess_params & p);

// Several images (or the frames of one video) into [n, 3, H, W]. Throws error(input) when their
// output sizes differ (possible only without center crop).
pixel_batch preprocess_images(const std::vector<image_view> & images, const preprocess_params & p);

} // namespace gitcap
