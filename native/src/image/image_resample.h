// Pillow's Image.resize() for 8-bit images, bit for bit (src/libImaging/Resample.c and the
// nearest-neighbour path of Geometry.c), so that the model sees what Hugging Face's PIL-based
// image processors feed it.
#pragma once

#include "gitcap_image.h"

namespace gitcap {

// A rectangle of the resized image, in output pixels.
struct pixel_window {
    int x = 0, y = 0, width = 0, height = 0;
};

// The pixels inside `window` of `Image.resize((out_width, out_height), filter)` applied to `src`.
// Each output pixel depends only on its own coordinates, so computing a window gives exactly the
// same values as resizing the whole image and cropping, at the cost of the window only.
// Channels are resampled independently, as Pillow does for L and RGB images (it premultiplies
// alpha for LA/RGBA, which callers here never resize). An image already of the requested size is
// copied, as Pillow does.
image_u8 resize_window(const image_view & src, int out_width, int out_height, resample_filter filter,
                       const pixel_window & window);

} // namespace gitcap
