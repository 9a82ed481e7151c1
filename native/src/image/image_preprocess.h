// The Hugging Face image processors GIT uses (CLIPImageProcessor, VideoMAEImageProcessor, slow
// PIL-based versions) in plain C++: RGB conversion, Pillow resize, center crop with zero padding,
// rescale and normalize, HWC uint8 -> CHW float32. Every step is driven by preprocess_params,
// which the model loader fills from the GGUF keys git.image.* (git_arch.h).
//
//   gitcap::preprocess_params p;            // CLIPImageProcessor defaults
//   p.resample = gitcap::resample_filter::bilinear;
//   gitcap::check_preprocess_params(p);
//   gitcap::pixel_batch px = gitcap::preprocess_images({img.view()}, p);   // [1, 3, 224, 224]
#pragma once

#include "gitcap.h"
#include "image/image_resample.h"
#include "image/image.h"

#include <array>
#include <string>
#include <vector>

namespace gitcap {

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

// Height and width after the resize step (transformers' get_resize_output_image_size with
// default_to_square=False); the input size when do_resize is false. Throws error(input) when the
// result would exceed 2^24 pixels on a side (an extreme aspect ratio).
void resized_size(int height, int width, const preprocess_params & p, int & out_height, int & out_width);

// Height and width of the processor's output for an image of the given size.
void output_size(int height, int width, const preprocess_params & p, int & out_height, int & out_width);

// The image after RGB conversion, resize and center crop, before rescaling: uint8 HWC RGB, what
// the goldens call resized_cropped_u8.
image_u8 resize_and_crop(const image_view & image, const preprocess_params & p);

// The whole processor for one image into dst: float32 CHW, 3 * output height * output width values.
void preprocess_image(const image_view & image, const preprocess_params & p, float * dst);

// Several images (or the frames of one video) into [n, 3, H, W]. Throws error(input) when their
// output sizes differ (possible only without center crop).
pixel_batch preprocess_images(const std::vector<image_view> & images, const preprocess_params & p);

} // namespace gitcap
