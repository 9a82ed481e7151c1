#include "model/model_metadata.h"

#include "model/git_arch.h"
#include "util/printable.h"

#include <utility>

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

void check_preprocess_fits_vision(const gguf_reader & r, const preprocess_params & p, int image_size) {
    constexpr int kMaxResizeFactor = 4;
    const std::string side = std::to_string(image_size);
    if (p.do_resize) {
        const std::pair<const char *, int> sizes[] = {
            {KEY_IMG_SHORTEST_EDGE, p.shortest_edge}, {KEY_IMG_RESIZE_HEIGHT, p.resize_height}, {KEY_IMG_RESIZE_WIDTH, p.resize_width}};
        for (const auto & [key, value] : sizes) {
            if ((int64_t) value > (int64_t) kMaxResizeFactor * image_size) {
                throw error(error_code::unsupported, r.file() + ": " + key + " = " + std::to_string(value) + " is more than " +
                                                         std::to_string(kMaxResizeFactor) + " times the vision image_size " + side);
            }
        }
    }
    auto mismatch = [&](const char * what, int h, int w) {
        throw error(error_code::unsupported, r.file() + ": " + what + " " + std::to_string(w) + "x" + std::to_string(h) +
                                                 " does not match the vision image_size " + side + "x" + side);
    };
    if (p.do_center_crop) {
        if (p.crop_height != image_size || p.crop_width != image_size) mismatch(KEY_IMG_CROP_HEIGHT "/width", p.crop_height, p.crop_width);
    } else if (!p.do_resize || p.shortest_edge > 0) {
        throw error(error_code::unsupported, r.file() + ": without " KEY_IMG_DO_CENTER_CROP ", images must be resized to " +
                                                 KEY_IMG_RESIZE_HEIGHT "/width = the vision image_size " + side);
    } else if (p.resize_height != image_size || p.resize_width != image_size) {
        mismatch(KEY_IMG_RESIZE_HEIGHT "/width", p.resize_height, p.resize_width);
    }
}

} // namespace gitcap

namespace gitcap {

std::unique_ptr<Tokenizer> read_tokenizer(const gguf_reader & r, int n_vocab) {
    const std::string kind = r.get_str(KEY_TOK_MODEL);
    if (kind != "bert") throw error(error_code::unsupported, "tokenizer '" + printable(kind) + "' is not supported (only bert WordPiece)");
    std::vector<std::string> vocab = r.get_str_array(KEY_TOK_TOKENS);
    if ((int) vocab.size() != n_vocab) {
        r.fail("the tokenizer has " + std::to_string(vocab.size()) + " tokens but the model's vocab_size is " + std::to_string(n_vocab));
    }
    TokenizerOptions o;
    o.do_lower_case = r.get_bool(KEY_TOK_LOWER, true);
    if (r.has(KEY_TOK_STRIP_ACCENTS)) o.strip_accents = r.get_bool(KEY_TOK_STRIP_ACCENTS, o.do_lower_case);
    o.tokenize_chinese_chars = r.get_bool(KEY_TOK_CHINESE_CHARS, true);
    o.max_input_chars_per_word = (int32_t) r.get_u32(KEY_TOK_MAX_WORD_CHARS, 100);
    auto id = [&](const char * key) { return r.has(key) ? (int32_t) r.get_u32(key) : -1; };
    o.cls_id = id(KEY_TOK_CLS_ID);
    o.sep_id = id(KEY_TOK_SEP_ID);
    o.pad_id = id(KEY_TOK_PAD_ID);
    o.unk_id = id(KEY_TOK_UNK_ID);
    o.mask_id = id(KEY_TOK_MASK_ID);
    try {
        return std::make_unique<Tokenizer>(std::move(vocab), o);
    } catch (const std::exception & e) {
        r.fail(std::string("unusable tokenizer: ") + e.what());
    }
}

} // namespace gitcap
