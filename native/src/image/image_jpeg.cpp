// Follows libjpeg-turbo's jidctint.c, jdsample.c, jdcolor.c and jdapimin.c (colour space guess)
// and Pillow's Convert.c (cmyk2rgb); names match theirs where that helps reading side by side.
#include "image/image_jpeg.h"

#include "gitcap.h"

#include <algorithm>
#include <array>

namespace gitcap {

namespace {

// --- jidctint.c: accurate integer IDCT (CONST_BITS 13, PASS1_BITS 2) ---------------------------

constexpr int CONST_BITS = 13, PASS1_BITS = 2;
// JLONG: 64-bit as on LP64 systems, so that corrupt coefficients cannot overflow.
using jlong = int64_t;
constexpr jlong FIX_0_298631336 = 2446, FIX_0_390180644 = 3196, FIX_0_541196100 = 4433,
                FIX_0_765366865 = 6270, FIX_0_899976223 = 7373, FIX_1_175875602 = 9633,
                FIX_1_501321110 = 12299, FIX_1_847759065 = 15137, FIX_1_961570560 = 16069,
                FIX_2_053119869 = 16819, FIX_2_562915447 = 20995, FIX_3_072711026 = 25172;

inline jlong descale(jlong x, int n) {
    return (x + (jlong(1) << (n - 1))) >> n;
}

// libjpeg's post-IDCT range limit: the value is masked to 10 bits, then clamped after centering.
inline uint8_t idct_range_limit(jlong x) {
    int v = int(x) & 1023;
    if (v >= 512) v -= 1024;
    v += 128;
    return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

// The even/odd butterfly shared by both passes; in[k] is the k-th input of the 1-D transform.
// out[k] receives the unscaled sum for output k.
inline void idct_1d(const jlong in[8], jlong out[8], jlong dc_shifted_sum, jlong dc_shifted_diff) {
    jlong z2 = in[2], z3 = in[6];
    jlong z1 = (z2 + z3) * FIX_0_541196100;
    jlong tmp2 = z1 + z3 * -FIX_1_847759065;
    jlong tmp3 = z1 + z2 * FIX_0_765366865;
    jlong tmp0 = dc_shifted_sum, tmp1 = dc_shifted_diff;
    jlong tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

    tmp0 = in[7], tmp1 = in[5], tmp2 = in[3], tmp3 = in[1];
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    jlong z4 = tmp1 + tmp3;
    jlong z5 = (z3 + z4) * FIX_1_175875602;
    tmp0 *= FIX_0_298631336;
    tmp1 *= FIX_2_053119869;
    tmp2 *= FIX_3_072711026;
    tmp3 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;

    out[0] = tmp10 + tmp3, out[7] = tmp10 - tmp3;
    out[1] = tmp11 + tmp2, out[6] = tmp11 - tmp2;
    out[2] = tmp12 + tmp1, out[5] = tmp12 - tmp1;
    out[3] = tmp13 + tmp0, out[4] = tmp13 - tmp0;
}

// --- jdcolor.c: YCbCr -> RGB tables (SCALEBITS 16) ---------------------------------------------

struct ycc_tables {
    std::array<int, 256> cr_r, cb_b;
    std::array<int32_t, 256> cr_g, cb_g;
};

const ycc_tables & ycc() {
    static const ycc_tables t = [] {
        constexpr int SCALEBITS = 16;
        constexpr int32_t ONE_HALF = int32_t(1) << (SCALEBITS - 1);
        auto fix = [](double x) { return int32_t(x * (1L << SCALEBITS) + 0.5); };
        ycc_tables r;
        for (int i = 0, x = -128; i < 256; i++, x++) {
            r.cr_r[i] = int((fix(1.40200) * x + ONE_HALF) >> SCALEBITS);
            r.cb_b[i] = int((fix(1.77200) * x + ONE_HALF) >> SCALEBITS);
            r.cr_g[i] = -fix(0.71414) * x;
            r.cb_g[i] = -fix(0.34414) * x + ONE_HALF;
        }
        return r;
    }();
    return t;
}

inline uint8_t clamp8(int v) {
    return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

// --- jdsample.c: per-component upsampling, one output row at a time ----------------------------

enum class upsample_method { fullsize, h2v1_fancy, h2v1, h1v2_fancy, h2v2_fancy, h2v2, integral };

struct upsampler {
    const jpeg_component * c;
    upsample_method method;
    int h_expand, v_expand;
    std::vector<int> colsum; // h2v2 fancy: 3 * nearer + further row, per input column

    const uint8_t * in_row(int r) const {
        r = std::clamp(r, 0, c->height - 1); // context rows beyond the image repeat the edge row
        return c->data + size_t(r) * c->stride;
    }

    // Fills out[0 .. 2 * ceil(width / 2)) (or width) for output row y; returns the row to read.
    const uint8_t * row(int y, uint8_t * out) {
        const int dw = c->width;
        switch (method) {
            case upsample_method::fullsize:
                return in_row(y);
            case upsample_method::h2v1_fancy: {
                const uint8_t * in = in_row(y);
                out[0] = in[0];
                out[1] = uint8_t((in[0] * 3 + in[1] + 2) >> 2);
                for (int i = 1; i < dw - 1; i++) {
                    const int v = in[i] * 3;
                    out[2 * i] = uint8_t((v + in[i - 1] + 1) >> 2);
                    out[2 * i + 1] = uint8_t((v + in[i + 1] + 2) >> 2);
                }
                out[2 * dw - 2] = uint8_t((in[dw - 1] * 3 + in[dw - 2] + 1) >> 2);
                out[2 * dw - 1] = in[dw - 1];
                return out;
            }
            case upsample_method::h1v2_fancy: {
                const int r = y / 2;
                const bool above = y % 2 == 0;
                const uint8_t * near = in_row(r), * far = in_row(above ? r - 1 : r + 1);
                const int bias = above ? 1 : 2;
                for (int i = 0; i < dw; i++) out[i] = uint8_t((near[i] * 3 + far[i] + bias) >> 2);
                return out;
            }
            case upsample_method::h2v2_fancy: {
                const int r = y / 2;
                const uint8_t * near = in_row(r), * far = in_row(y % 2 == 0 ? r - 1 : r + 1);
                for (int i = 0; i < dw; i++) colsum[i] = near[i] * 3 + far[i];
                out[0] = uint8_t((colsum[0] * 4 + 8) >> 4);
                out[1] = uint8_t((colsum[0] * 3 + colsum[1] + 7) >> 4);
                for (int i = 1; i < dw - 1; i++) {
                    out[2 * i] = uint8_t((colsum[i] * 3 + colsum[i - 1] + 8) >> 4);
                    out[2 * i + 1] = uint8_t((colsum[i] * 3 + colsum[i + 1] + 7) >> 4);
                }
                out[2 * dw - 2] = uint8_t((colsum[dw - 1] * 3 + colsum[dw - 2] + 8) >> 4);
                out[2 * dw - 1] = uint8_t((colsum[dw - 1] * 4 + 7) >> 4);
                return out;
            }
            case upsample_method::h2v1:
            case upsample_method::h2v2:
            case upsample_method::integral: {
                const uint8_t * in = in_row(y / v_expand);
                for (int i = 0; i < dw; i++) std::fill_n(out + size_t(i) * h_expand, h_expand, in[i]);
                return out;
            }
        }
        return out;
    }
};

upsampler make_upsampler(const jpeg_component & c, int h_max, int v_max) {
    if (c.h_samp <= 0 || c.v_samp <= 0 || h_max % c.h_samp != 0 || v_max % c.v_samp != 0) {
        throw error(error_code::unsupported, "JPEG images with fractional chroma sampling are not supported");
    }
    upsampler u{&c, upsample_method::integral, h_max / c.h_samp, v_max / c.v_samp, {}};
    const bool wide = c.width > 2; // libjpeg falls back to replication for narrow components
    if (u.h_expand == 1 && u.v_expand == 1) {
        u.method = upsample_method::fullsize;
    } else if (u.h_expand == 2 && u.v_expand == 1) {
        u.method = wide ? upsample_method::h2v1_fancy : upsample_method::h2v1;
    } else if (u.h_expand == 1 && u.v_expand == 2) {
        u.method = upsample_method::h1v2_fancy;
    } else if (u.h_expand == 2 && u.v_expand == 2) {
        u.method = wide ? upsample_method::h2v2_fancy : upsample_method::h2v2;
        u.colsum.resize(size_t(c.width));
    }
    return u;
}

// --- jdapimin.c default_decompress_parms: which colour space the file is in --------------------

enum class jpeg_color { grey, ycbcr, rgb, cmyk, ycck };

jpeg_color guess_color_space(const jpeg_planes & p) {
    switch (p.components.size()) {
        case 1: return jpeg_color::grey;
        case 3: {
            if (p.saw_jfif) return jpeg_color::ycbcr;
            if (p.adobe_transform >= 0) return p.adobe_transform == 0 ? jpeg_color::rgb : jpeg_color::ycbcr;
            const auto & c = p.components;
            if (c[0].id == 82 && c[1].id == 71 && c[2].id == 66) return jpeg_color::rgb; // 'R', 'G', 'B'
            return jpeg_color::ycbcr;
        }
        case 4: return p.adobe_transform > 0 ? jpeg_color::ycck : jpeg_color::cmyk; // no marker or 0: CMYK
    }
    throw error(error_code::unsupported, "JPEG images with " + std::to_string(p.components.size()) +
                                             " components are not supported");
}

// Pillow reads CMYK JPEGs inverted (raw mode "CMYK;I", Adobe's convention) and converts to RGB
// with cmyk2rgb: nk = 255 - k, out = nk - nk * c / 255 (rounded as MULDIV255).
inline uint8_t pil_cmyk_channel(int c_inverted, int nk) {
    const int t = c_inverted * nk + 128;
    return clamp8(nk - (((t >> 8) + t) >> 8));
}

} // namespace

void jpeg_idct_islow(uint8_t * out, int out_stride, short coef[64]) {
    int ws[64]; // libjpeg's int workspace
    jlong in[8], res[8];

    // Pass 1: columns; results scaled up by 2^PASS1_BITS.
    for (int col = 0; col < 8; col++) {
        const short * c = coef + col;
        if (!c[8] && !c[16] && !c[24] && !c[32] && !c[40] && !c[48] && !c[56]) {
            const int dc = c[0] * (1 << PASS1_BITS);
            for (int r = 0; r < 8; r++) ws[r * 8 + col] = dc;
            continue;
        }
        for (int k = 0; k < 8; k++) in[k] = c[k * 8];
        idct_1d(in, res, (in[0] + in[4]) * (1 << CONST_BITS), (in[0] - in[4]) * (1 << CONST_BITS));
        for (int r = 0; r < 8; r++) ws[r * 8 + col] = int(descale(res[r], CONST_BITS - PASS1_BITS));
    }

    // Pass 2: rows; descale by 8 and undo PASS1_BITS.
    for (int row = 0; row < 8; row++) {
        const int * wr = ws + row * 8;
        for (int k = 0; k < 8; k++) in[k] = wr[k];
        uint8_t * o = out + size_t(row) * out_stride;
        if (!in[1] && !in[2] && !in[3] && !in[4] && !in[5] && !in[6] && !in[7]) {
            std::fill_n(o, 8, idct_range_limit(descale(in[0], PASS1_BITS + 3)));
            continue;
        }
        idct_1d(in, res, (in[0] + in[4]) * (1 << CONST_BITS), (in[0] - in[4]) * (1 << CONST_BITS));
        for (int k = 0; k < 8; k++) o[k] = idct_range_limit(descale(res[k], CONST_BITS + PASS1_BITS + 3));
    }
}

image_u8 jpeg_to_pixels(const jpeg_planes & p, std::string & mode) {
    const jpeg_color color = guess_color_space(p);
    int h_max = 1, v_max = 1;
    for (const auto & c : p.components) h_max = std::max(h_max, c.h_samp), v_max = std::max(v_max, c.v_samp);

    std::vector<upsampler> ups;
    for (const auto & c : p.components) ups.push_back(make_upsampler(c, h_max, v_max));
    // Room for the widest upsampled row (libjpeg rounds the width up to a whole sample group).
    const size_t row_len = size_t(p.width) + size_t(h_max) * 2 + 8;
    std::vector<std::vector<uint8_t>> bufs(ups.size(), std::vector<uint8_t>(row_len));
    std::vector<const uint8_t *> rows(ups.size());

    const int channels = color == jpeg_color::grey ? 1 : 3;
    mode = color == jpeg_color::grey ? "L" : (color == jpeg_color::cmyk || color == jpeg_color::ycck) ? "CMYK" : "RGB";
    image_u8 out(p.width, p.height, channels);
    const ycc_tables & t = ycc();

    for (int y = 0; y < p.height; y++) {
        for (size_t k = 0; k < ups.size(); k++) rows[k] = ups[k].row(y, bufs[k].data());
        uint8_t * o = &out.data[size_t(y) * p.width * channels];
        for (int x = 0; x < p.width; x++) {
            switch (color) {
                case jpeg_color::grey:
                    o[x] = rows[0][x];
                    break;
                case jpeg_color::rgb:
                    o[3 * x] = rows[0][x], o[3 * x + 1] = rows[1][x], o[3 * x + 2] = rows[2][x];
                    break;
                case jpeg_color::ycbcr: {
                    const int Y = rows[0][x], cb = rows[1][x], cr = rows[2][x];
                    o[3 * x] = clamp8(Y + t.cr_r[cr]);
                    o[3 * x + 1] = clamp8(Y + int((t.cb_g[cb] + t.cr_g[cr]) >> 16));
                    o[3 * x + 2] = clamp8(Y + t.cb_b[cb]);
                    break;
                }
                case jpeg_color::cmyk:
                case jpeg_color::ycck: {
                    int c = rows[0][x], m = rows[1][x], ye = rows[2][x];
                    if (color == jpeg_color::ycck) { // ycck_cmyk_convert
                        const int Y = c, cb = m, cr = ye;
                        c = clamp8(255 - (Y + t.cr_r[cr]));
                        m = clamp8(255 - (Y + int((t.cb_g[cb] + t.cr_g[cr]) >> 16)));
                        ye = clamp8(255 - (Y + t.cb_b[cb]));
                    }
                    const int nk = rows[3][x]; // 255 - (255 - k): the inversion of CMYK;I undone
                    o[3 * x] = pil_cmyk_channel(255 - c, nk);
                    o[3 * x + 1] = pil_cmyk_channel(255 - m, nk);
                    o[3 * x + 2] = pil_cmyk_channel(255 - ye, nk);
                    break;
                }
            }
        }
    }
    return out;
}

} // namespace gitcap
