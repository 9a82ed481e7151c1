#include "image/image_stb.h"

#include "image/image_jpeg.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_GIF
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
// Release builds compile stb's internal asserts out; debug builds must not abort on bad files either.
#define STBI_ASSERT(x) ((void)0)
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include "../../third_party/stb/stb_image.h"
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace gitcap::stb {

namespace {

struct stbi_deleter {
    void operator()(void * p) const { stbi_image_free(p); }
};

// Owns a stbi__jpeg and its component buffers.
struct jpeg_decoder {
    stbi__context ctx;
    stbi__jpeg * j = nullptr;

    jpeg_decoder(const uint8_t * data, int size) {
        stbi__start_mem(&ctx, data, size);
        j = static_cast<stbi__jpeg *>(std::calloc(1, sizeof(stbi__jpeg)));
        if (!j) return;
        j->s = &ctx;
        ctx.img_n = 0; // nothing to free yet
        stbi__setup_jpeg(j);
        j->idct_block_kernel = jpeg_idct_islow;
    }
    ~jpeg_decoder() {
        if (!j) return;
        stbi__cleanup_jpeg(j);
        std::free(j);
    }
    jpeg_decoder(const jpeg_decoder &) = delete;
    jpeg_decoder & operator=(const jpeg_decoder &) = delete;
};

} // namespace

bool read_info(format f, const uint8_t * data, int size, int & width, int & height) {
    stbi__context ctx;
    stbi__start_mem(&ctx, data, size);
    int components = 0;
    return (f == format::jpeg ? stbi__jpeg_info(&ctx, &width, &height, &components)
                              : stbi__gif_info(&ctx, &width, &height, &components)) != 0;
}

const char * reason() {
    const char * r = stbi_failure_reason();
    return r && *r ? r : "unknown error";
}

bool load_8bit(const uint8_t * data, int size, int channels, image_u8 & out) {
    int w = 0, h = 0, n = 0;
    std::unique_ptr<stbi_uc, stbi_deleter> px(stbi_load_from_memory(data, size, &w, &h, &n, channels));
    if (!px) return false;
    out = image_u8(w, h, channels);
    std::memcpy(out.data.data(), px.get(), out.data.size());
    return true;
}

bool load_grey16_clipped(const uint8_t * data, int size, image_u8 & out) {
    int w = 0, h = 0, n = 0;
    std::unique_ptr<stbi_us, stbi_deleter> px(stbi_load_16_from_memory(data, size, &w, &h, &n, 1));
    if (!px) return false;
    out = image_u8(w, h, 1);
    for (size_t i = 0; i < out.data.size(); i++) {
        const stbi_us v = px.get()[i];
        out.data[i] = uint8_t(v > 255 ? 255 : v);
    }
    return true;
}

bool load_gif_first_frame(const uint8_t * data, int size, image_u8 & out) {
    stbi__context ctx;
    stbi__start_mem(&ctx, data, size);
    // stbi__gif holds 8192 LZW codes: too big for the stack of a worker thread.
    std::unique_ptr<stbi__gif, void (*)(void *)> g(static_cast<stbi__gif *>(std::calloc(1, sizeof(stbi__gif))), std::free);
    if (!g) return stbi__err("outofmem", "Out of memory");
    int components = 0;
    stbi_uc * px = stbi__gif_load_next(&ctx, g.get(), &components, 4, nullptr);
    const bool ended = px == reinterpret_cast<stbi_uc *>(&ctx); // the stream ends before any frame
    std::unique_ptr<stbi_uc, stbi_deleter> pixels(g->out);      // px is g->out when not null
    std::unique_ptr<stbi_uc, stbi_deleter> history(g->history), background(g->background);
    if (ended) return stbi__err("no frame", "Corrupt GIF");
    if (!px) return false;

    // stb_image leaves pixels of the transparent index unwritten (alpha 0); Pillow's palette
    // image holds the index, whose colour convert("RGB") gives.
    const bool has_transparent = (g->eflags & 0x01) && g->transparent >= 0 && g->transparent < 256;
    const stbi_uc * t = has_transparent ? g->color_table + 4 * g->transparent : nullptr; // stored B, G, R, A
    out = image_u8(g->w, g->h, 3);
    for (size_t i = 0, n = size_t(g->w) * g->h; i < n; i++) {
        const stbi_uc * p = px + 4 * i;
        uint8_t * o = &out.data[3 * i];
        if (t && p[3] == 0 && g->history[i]) {
            o[0] = t[2], o[1] = t[1], o[2] = t[0];
        } else {
            o[0] = p[0], o[1] = p[1], o[2] = p[2];
        }
    }
    return true;
}

bool load_jpeg_libjpeg_exact(const uint8_t * data, int size, image_u8 & out, std::string & mode) {
    jpeg_decoder dec(data, size);
    if (!dec.j) return stbi__err("outofmem", "Out of memory");
    if (!stbi__decode_jpeg_image(dec.j)) return false;

    const stbi__jpeg & z = *dec.j;
    jpeg_planes planes;
    planes.width = int(dec.ctx.img_x);
    planes.height = int(dec.ctx.img_y);
    planes.saw_jfif = z.jfif != 0;
    planes.adobe_transform = z.app14_color_transform;
    for (int k = 0; k < dec.ctx.img_n; k++) {
        const auto & c = z.img_comp[k];
        jpeg_component jc;
        jc.id = c.id;
        jc.h_samp = c.h, jc.v_samp = c.v;
        jc.width = c.x, jc.height = c.y;
        jc.stride = c.w2;
        jc.data = c.data;
        planes.components.push_back(jc);
    }
    out = jpeg_to_pixels(planes, mode);
    return true;
}

} // namespace gitcap::stb
