// The Hugging Face image processors of gitcap_image.h: checks of the parameters, RGB conversion,
// resize and center crop (image_resample.cpp for the resize), rescale and normalize into CHW floats.
#include "gitcap_image.h"

#include "image/image_resample.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

namespace gitcap {

namespace {

constexpr int kMaxResizedSide = 1 << 24;

[[noreturn]] void invalid(const std::string & what) {
    throw error(error_code::invalid_argument, "Invalid preprocessing parameters: " + what);
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string dims(int w, int h) {
    return std::to_string(w) + "x" + std::to_string(h);
}

void check_image(const image_view & im) {
    if (!im.data || im.width <= 0 || im.height <= 0 || im.channels < 1 || im.channels > 4) {
        throw error(error_code::input, "Image must have a positive size and 1 to 4 channels, got " +
                                           dims(im.width, im.height) + " with " + std::to_string(im.channels) +
                                           " channels");
    }
}

// PIL convert("RGB") of L, LA and RGBA: grey replicated, alpha dropped.
image_u8 to_rgb(const image_view & im) {
    image_u8 out(im.width, im.height, 3);
    const size_t n = size_t(im.width) * im.height;
    const int nc = im.channels;
    for (size_t i = 0; i < n; i++) {
        const uint8_t * s = im.data + i * nc;
        uint8_t * d = &out.data[i * 3];
        if (nc < 3) {
            d[0] = d[1] = d[2] = s[0];
        } else {
            d[0] = s[0], d[1] = s[1], d[2] = s[2];
        }
    }
    return out;
}

// Where the output window of one axis comes from: `count` resized pixels starting at `src`,
// written at `dst` of an axis of `size` pixels (transformers' center_crop, zero padding at
// ceil((crop - size) / 2) when the image is smaller than the crop).
struct axis_crop {
    int size, src, dst, count;
};

axis_crop center_crop_axis(int resized, int crop) {
    if (resized >= crop) return {crop, (resized - crop) / 2, 0, crop};
    return {crop, 0, (crop - resized + 1) / 2, resized};
}

// The value each uint8 level becomes after rescale and normalize, per channel: the arithmetic of
// numpy in float32 (rescale in float64 then rounded), tabulated once per call.
using level_table = std::array<std::array<float, 256>, 3>;

level_table make_level_table(const preprocess_params & p) {
    level_table t;
    for (int c = 0; c < 3; c++) {
        for (int v = 0; v < 256; v++) {
            float x = p.do_rescale ? float(double(v) * p.rescale_factor) : float(v);
            if (p.do_normalize) x = (x - p.image_mean[c]) / p.image_std[c];
            t[c][v] = x;
        }
    }
    return t;
}

void to_chw(const image_u8 & rgb, const level_table & t, float * dst) {
    const size_t plane = size_t(rgb.width) * rgb.height;
    for (int c = 0; c < 3; c++) {
        float * d = dst + c * plane;
        const uint8_t * s = rgb.data.data() + c;
        for (size_t i = 0; i < plane; i++) d[i] = t[c][s[i * 3]];
    }
}

} // namespace

void check_preprocess_params(const preprocess_params & p) {
    if (p.do_resize) {
        if (p.shortest_edge < 0) invalid("shortest_edge must be >= 0, got " + std::to_string(p.shortest_edge));
        if (p.shortest_edge == 0 && (p.resize_height <= 0 || p.resize_width <= 0)) {
            invalid("resize needs shortest_edge > 0 or a positive resize_height and resize_width, got " +
                    std::to_string(p.resize_height) + " and " + std::to_string(p.resize_width));
        }
        if (p.shortest_edge >= kMaxResizedSide || p.resize_height >= kMaxResizedSide ||
            p.resize_width >= kMaxResizedSide) {
            invalid("resize size must be below 16777216");
        }
        if (!is_resample_filter(int(p.resample))) invalid("resample must be a PIL filter code 0 to 5, got " +
                                                          std::to_string(int(p.resample)));
    }
    if (p.do_center_crop && (p.crop_height <= 0 || p.crop_width <= 0 || p.crop_height >= kMaxResizedSide ||
                             p.crop_width >= kMaxResizedSide)) {
        invalid("crop size must be positive and below 16777216, got " + dims(p.crop_width, p.crop_height));
    }
    if (p.do_rescale && !std::isfinite(p.rescale_factor)) invalid("rescale_factor must be finite");
    if (p.do_normalize) {
        for (int c = 0; c < 3; c++) {
            if (!std::isfinite(p.image_mean[c])) invalid("image_mean must be finite");
            if (!std::isfinite(p.image_std[c]) || p.image_std[c] == 0.0f) {
                invalid("image_std must be finite and non-zero, got " + number(p.image_std[c]));
            }
        }
    }
}

// Height and width after the resize step (transformers' get_resize_output_image_size with
// default_to_square=False); the input size when do_resize is false. Throws error(input) when the
// result would exceed 2^24 pixels on a side (an extreme aspect ratio).
static void resized_size(int height, int width, const preprocess_params & p, int & out_height, int & out_width) {
    out_height = height, out_width = width;
    if (!p.do_resize) return;
    if (p.shortest_edge <= 0) {
        out_height = p.resize_height, out_width = p.resize_width;
        return;
    }
    // int(size * long / short): integer product, true division in double, truncation.
    const int short_side = std::min(height, width), long_side = std::max(height, width);
    const double new_long = double(int64_t(p.shortest_edge) * long_side) / short_side;
    if (new_long >= kMaxResizedSide) {
        throw error(error_code::input, "Image of " + dims(width, height) + " pixels is too elongated: resizing its " +
                                           "short side to " + std::to_string(p.shortest_edge) +
                                           " would make the long side " + std::to_string(int64_t(new_long)) +
                                           " pixels");
    }
    const int s = p.shortest_edge, l = int(new_long);
    if (width <= height) {
        out_height = l, out_width = s;
    } else {
        out_height = s, out_width = l;
    }
}

image_u8 resize_and_crop(const image_view & image, const preprocess_params & p) {
    check_preprocess_params(p);
    check_image(image);
    image_u8 converted;
    image_view rgb = image;
    if (image.channels != 3) {
        converted = to_rgb(image);
        rgb = converted.view();
    }

    int rh, rw;
    resized_size(rgb.height, rgb.width, p, rh, rw);
    axis_crop cy{rh, 0, 0, rh}, cx{rw, 0, 0, rw};
    if (p.do_center_crop) {
        cy = center_crop_axis(rh, p.crop_height);
        cx = center_crop_axis(rw, p.crop_width);
    }

    const pixel_window win{cx.src, cy.src, cx.count, cy.count};
    image_u8 part = resize_window(rgb, rw, rh, p.resample, win);
    if (cx.count == cx.size && cy.count == cy.size) return part;

    image_u8 out(cx.size, cy.size, 3); // zero padding
    for (int y = 0; y < cy.count; y++) {
        std::memcpy(&out.data[(size_t(cy.dst + y) * out.width + cx.dst) * 3], &part.data[size_t(y) * part.width * 3],
                    size_t(part.width) * 3);
    }
    return out;
}

pixel_batch preprocess_images(const std::vector<image_view> & images, const preprocess_params & p) {
    pixel_batch batch;
    batch.n_images = int(images.size());
    if (images.empty()) return batch;
    const level_table table = make_level_table(p);
    for (size_t i = 0; i < images.size(); i++) {
        image_u8 rgb = resize_and_crop(images[i], p);
        if (i == 0) {
            batch.height = rgb.height, batch.width = rgb.width;
            batch.data.resize(images.size() * 3 * size_t(rgb.height) * rgb.width);
        } else if (rgb.height != batch.height || rgb.width != batch.width) {
            throw error(error_code::input, "Images preprocess to different sizes (" + dims(batch.width, batch.height) +
                                               " and " + dims(rgb.width, rgb.height) +
                                               "); give images of one size or enable center crop");
        }
        to_chw(rgb, table, batch.data.data() + i * 3 * size_t(rgb.height) * rgb.width);
    }
    return batch;
}

} // namespace gitcap
