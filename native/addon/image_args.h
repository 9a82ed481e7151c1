// Images and preprocessing parameters as JS passes them (image.cpp), shared with the testing hooks.
#pragma once

#include "gitcap_image.h"

#include <napi.h>

#include <string>

namespace gitcap_addon {

// A view of { data, width, height, channels }; the data stays owned by JS for this call.
gitcap::image_view ReadImageView(const Napi::Value & v, const std::string & name);
// { processor, doResize, shortestEdge, ... } over the CLIPImageProcessor defaults, checked.
gitcap::preprocess_params ReadPreprocessParams(const Napi::Value & v);
// { data, width, height, channels } holding a copy of the pixels.
Napi::Object ImageObject(Napi::Env env, const gitcap::image_u8 & im);

} // namespace gitcap_addon
