// Port of Pillow's two-pass fixed-point resampler. Names and arithmetic follow Resample.c
// (precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleInner) so the two can be read side by
// side; the only change is that passes are restricted to the requested output window.
#include "image/image_resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// Bit-exactness needs the double arithmetic of the coefficient tables evaluated exactly as written:
// a fused multiply-add rounds once where Pillow (built for baseline x86-64) rounds twice.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace gitcap {

namespace {

constexpr double kPi = 3.14159265358979323846;

// 8 bits for the result and 2 for overflow of filters with negative lobes (Resample.c).
constexpr int PRECISION_BITS = 32 - 8 - 2;

double box_filter(double x) {
    return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
}

double bilinear_filter(double x) {
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

double hamming_filter(double x) {
    if (x < 0.0) x = -x;
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x = x * kPi;
    return std::sin(x) / x * (0.54f + 0.46f * std::cos(x)); // float literals, as in Pillow
}

double bicubic_filter(double x) {
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

double sinc_filter(double x) {
    if (x == 0.0) return 1.0;
    x = x * kPi;
    return std::sin(x) / x;
}

double lanczos_filter(double x) {
    return (-3.0 <= x && x < 3.0) ? sinc_filter(x) * sinc_filter(x / 3) : 0.0;
}

struct filter_def {
    double (*fn)(double);
    double support;
};

filter_def filter_for(resample_filter f) {
    switch (f) {
        case resample_filter::box: return {box_filter, 0.5};
        case resample_filter::bilinear: return {bilinear_filter, 1.0};
        case resample_filter::hamming: return {hamming_filter, 1.0};
        case resample_filter::bicubic: return {bicubic_filter, 2.0};
        case resample_filter::lanczos: return {lanczos_filter, 3.0};
        case resample_filter::nearest: break;
    }
    return {nullptr, 0.0};
}

// Fixed-point weights of the output positions [first, first + count) along one axis.
struct axis_coeffs {
    int ksize = 0;
    std::vector<int> xmin, xcount; // first input index and number of taps, per output position
    std::vector<int32_t> k;        // count * ksize weights
};

// precompute_coeffs + normalize_coeffs_8bpc, for a sub-range of the output positions.
axis_coeffs precompute_coeffs(int in_size, int out_size, const filter_def & filter, int first, int count) {
    // Pillow passes the box edges as float; for whole images they are 0 and in_size.
    const float in0 = 0.0f, in1 = float(in_size);
    double scale = double(in1 - in0) / out_size;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = filter.support * filterscale;

    axis_coeffs c;
    c.ksize = int(std::ceil(support)) * 2 + 1;
    c.xmin.resize(count);
    c.xcount.resize(count);
    c.k.assign(size_t(count) * c.ksize, 0);
    std::vector<double> w(c.ksize);

    for (int i = 0; i < count; i++) {
        int xx = first + i;
        double center = in0 + (xx + 0.5) * scale;
        double ww = 0.0;
        double ss = 1.0 / filterscale;
        int xmin = int(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = int(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
            w[x] = filter.fn((x + xmin - center + 0.5) * ss);
            ww += w[x];
        }
        int32_t * k = &c.k[size_t(i) * c.ksize];
        for (int x = 0; x < xmax; x++) {
            double v = ww != 0.0 ? w[x] / ww : w[x];
            k[x] = v < 0 ? int(-0.5 + v * (1 << PRECISION_BITS)) : int(0.5 + v * (1 << PRECISION_BITS));
        }
        c.xmin[i] = xmin;
        c.xcount[i] = xmax;
    }
    return c;
}

inline uint8_t clip8(int32_t v) {
    v >>= PRECISION_BITS;
    return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

// One horizontal pass: rows [row0, row0 + rows) of src, output columns described by `cx`.
// The channel count is a template parameter so that the per-pixel sums stay in registers.
template <int NC>
void resample_horizontal_rows(const image_view & src, int row0, int rows, const axis_coeffs & cx, uint8_t * out) {
    const int out_w = int(cx.xmin.size());
    for (int y = 0; y < rows; y++) {
        const uint8_t * in_row = src.data + size_t(row0 + y) * src.width * NC;
        uint8_t * out_row = out + size_t(y) * out_w * NC;
        for (int xx = 0; xx < out_w; xx++) {
            const int32_t * k = &cx.k[size_t(xx) * cx.ksize];
            const uint8_t * in = in_row + size_t(cx.xmin[xx]) * NC;
            const int n = cx.xcount[xx];
            int32_t ss[NC];
            for (int ch = 0; ch < NC; ch++) ss[ch] = 1 << (PRECISION_BITS - 1);
            for (int x = 0; x < n; x++) {
                for (int ch = 0; ch < NC; ch++) ss[ch] += in[x * NC + ch] * k[x];
            }
            for (int ch = 0; ch < NC; ch++) out_row[xx * NC + ch] = clip8(ss[ch]);
        }
    }
}

image_u8 resample_horizontal(const image_view & src, int row0, int rows, const axis_coeffs & cx) {
    image_u8 out(int(cx.xmin.size()), rows, src.channels);
    switch (src.channels) {
        case 1: resample_horizontal_rows<1>(src, row0, rows, cx, out.data.data()); break;
        case 2: resample_horizontal_rows<2>(src, row0, rows, cx, out.data.data()); break;
        case 3: resample_horizontal_rows<3>(src, row0, rows, cx, out.data.data()); break;
        default: resample_horizontal_rows<4>(src, row0, rows, cx, out.data.data()); break;
    }
    return out;
}

// One vertical pass: columns [col0, col0 + cols) of src; cy's input rows are relative to row0.
image_u8 resample_vertical(const image_view & src, int row0, int col0, int cols, const axis_coeffs & cy) {
    const int nc = src.channels, out_h = int(cy.xmin.size());
    const size_t stride = size_t(src.width) * nc;
    image_u8 out(cols, out_h, nc);
    std::vector<int32_t> acc(size_t(cols) * nc);
    for (int yy = 0; yy < out_h; yy++) {
        const int32_t * k = &cy.k[size_t(yy) * cy.ksize];
        std::fill(acc.begin(), acc.end(), 1 << (PRECISION_BITS - 1));
        for (int y = 0; y < cy.xcount[yy]; y++) {
            const uint8_t * in = src.data + size_t(row0 + cy.xmin[yy] + y) * stride + size_t(col0) * nc;
            const int32_t w = k[y];
            for (size_t i = 0; i < acc.size(); i++) acc[i] += in[i] * w;
        }
        uint8_t * out_row = &out.data[size_t(yy) * cols * nc];
        for (size_t i = 0; i < acc.size(); i++) out_row[i] = clip8(acc[i]);
    }
    return out;
}

// Rows and columns of the window copied from the source unchanged.
image_u8 copy_window(const image_view & src, const pixel_window & win) {
    const int nc = src.channels;
    image_u8 out(win.width, win.height, nc);
    for (int y = 0; y < win.height; y++) {
        std::memcpy(&out.data[size_t(y) * win.width * nc],
                    src.data + (size_t(win.y + y) * src.width + win.x) * nc, size_t(win.width) * nc);
    }
    return out;
}

// ImagingScaleAffine with the matrix _resize builds for NEAREST: source positions accumulate
// a step of in/out from half a step, in double, exactly as Pillow iterates them.
std::vector<int> nearest_positions(int in_size, int out_size, int first, int count) {
    const float box0 = 0.0f, box1 = float(in_size);
    const double step = double(box1 - box0) / out_size;
    double pos = box0 + step * 0.5;
    std::vector<int> idx(count);
    for (int x = 0; x < first + count; x++) {
        int v = pos < 0.0 ? -1 : int(pos);
        if (x >= first) idx[x - first] = (v >= 0 && v < in_size) ? v : -1; // -1: left black (fill)
        pos += step;
    }
    return idx;
}

image_u8 resize_nearest(const image_view & src, int out_w, int out_h, const pixel_window & win) {
    const int nc = src.channels;
    std::vector<int> xs = nearest_positions(src.width, out_w, win.x, win.width);
    std::vector<int> ys = nearest_positions(src.height, out_h, win.y, win.height);
    image_u8 out(win.width, win.height, nc);
    for (int y = 0; y < win.height; y++) {
        uint8_t * o = &out.data[size_t(y) * win.width * nc];
        if (ys[y] < 0) continue; // already zero
        const uint8_t * in_row = src.data + size_t(ys[y]) * src.width * nc;
        for (int x = 0; x < win.width; x++) {
            if (xs[x] >= 0) std::memcpy(o + size_t(x) * nc, in_row + size_t(xs[x]) * nc, nc);
        }
    }
    return out;
}

} // namespace

bool is_resample_filter(int code) {
    return code >= 0 && code <= 5;
}

const char * resample_filter_name(resample_filter f) {
    switch (f) {
        case resample_filter::nearest: return "nearest";
        case resample_filter::lanczos: return "lanczos";
        case resample_filter::bilinear: return "bilinear";
        case resample_filter::bicubic: return "bicubic";
        case resample_filter::box: return "box";
        case resample_filter::hamming: return "hamming";
    }
    return "unknown";
}

image_u8 resize_window(const image_view & src, int out_w, int out_h, resample_filter filter,
                       const pixel_window & win) {
    if (out_w == src.width && out_h == src.height) return copy_window(src, win); // Image.resize: copy()
    if (filter == resample_filter::nearest) return resize_nearest(src, out_w, out_h, win);

    const filter_def f = filter_for(filter);
    const bool need_horizontal = out_w != src.width;
    const bool need_vertical = out_h != src.height;

    if (!need_vertical) {
        axis_coeffs cx = precompute_coeffs(src.width, out_w, f, win.x, win.width);
        return resample_horizontal(src, win.y, win.height, cx);
    }

    axis_coeffs cy = precompute_coeffs(src.height, out_h, f, win.y, win.height);
    if (!need_horizontal) return resample_vertical(src, 0, win.x, win.width, cy);

    // Horizontal pass over just the source rows the vertical pass reads, then vertical.
    const int row_first = cy.xmin.front();
    const int row_last = cy.xmin.back() + cy.xcount.back();
    axis_coeffs cx = precompute_coeffs(src.width, out_w, f, win.x, win.width);
    image_u8 temp = resample_horizontal(src, row_first, row_last - row_first, cx);
    return resample_vertical(temp.view(), -row_first, 0, win.width, cy);
}

} // namespace gitcap
