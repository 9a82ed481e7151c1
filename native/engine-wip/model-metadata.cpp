#include "model-metadata.h"

#include "git-arch.h"

namespace gitcap {

preprocess_params read_preprocess_params(const gguf_reader & r, int num_channels) {
    preprocess_params p;
    p.processor = r.get_str(KEY_IMG_PROCESSOR, p.processor);
    // VideoMAE frames are RGB already; CLIP converts whatever PIL mode the image has
    p.do_convert_rgb = r.get_bool(KEY_IMG_DO_CONVERT_RGB, p.processor == "CLIPImageProcessor");
    p.do_resize = r.get_bool(KEY_IMG_DO_RESIZE, true);
    p.shortest_edge = (int) r.get_u32(KEY_IMG_SHORTEST_EDGE, (uint32_t) p.shortest_edge);
    p.resize_height = (int) r.get_u32(KEY_IMG_RESIZE_HEIGHT, 0);
    p.resize_width = (int) r.get_u32(KEY_IMG_RESIZE_WIDTH, 0);
    const uint32_t resample = r.get_u32(KEY_IMG_RESAMPLE, (uint32_t) p.resample);
    if (resample > 5) r.fail("git.image.resample = " + std::to_string(resample) + " is not a PIL resampling filter (0-5)");
    p.resample = (resample_filter) resample;
    p.do_center_crop = r.get_bool(KEY_IMG_DO_CENTER_CROP, true);
    p.crop_height = (int) r.get_u32(KEY_IMG_CROP_HEIGHT, (uint32_t) p.crop_height);
    p.crop_width = (int) r.get_u32(KEY_IMG_CROP_WIDTH, (uint32_t) p.crop_width);
    p.do_rescale = r.get_bool(KEY_IMG_DO_RESCALE, true);
    if (r.has(KEY_IMG_RESCALE_FACTOR)) p.rescale_factor = r.get_f64(KEY_IMG_RESCALE_FACTOR);
    p.do_normalize = r.get_bool(KEY_IMG_DO_NORMALIZE, true);
    for (const char * key : {KEY_IMG_MEAN, KEY_IMG_STD}) {
        if (!r.has(key)) continue;
        const std::vector<float> values = r.get_f32_array(key);
        if ((int) values.size() != num_channels || values.size() != 3) {
            r.fail(std::string("key '") + key + "' has " + std::to_string(values.size()) + " values, expected 3");
        }
        auto & dst = key == std::string(KEY_IMG_MEAN) ? p.image_mean : p.image_std;
        for (int c = 0; c < 3; c++) dst[c] = values[c];
    }
    try {
        check_preprocess_params(p);
    } catch (const error & e) {
        r.fail(std::string("invalid preprocessing settings: ") + e.what());
    }
    return p;
}

} // namespace gitcap
