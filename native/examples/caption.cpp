// gitcap-caption: the C++ library without Node. Captions images (or the frames of one video)
// with a GGUF model and prints the caption and the time of each stage.
//
//   gitcap-caption -m model.gguf [--video] [--prompt "question"] [--backend cpu|cuda|...]
//                  [--threads n] [--max-new-tokens n] [--min-new-tokens n] [--beams n]
//                  [--pixels values.f32 --count n] [--dump prefix] image...
//
// --pixels reads float32 pixel values [count, 3, H, W] instead of image files (parity checks);
// --dump writes the first step's logits and the vision intermediates as raw float32 files.
#include "gitcap.h"
#include "gitcap_image.h"
#include "gitcap_tokenizer.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

static std::vector<uint8_t> read_file(const std::string & path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw gitcap::error(gitcap::error_code::input, path + ": cannot open");
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

static void write_floats(const std::string & path, const std::vector<float> & v) {
    std::ofstream(path, std::ios::binary).write((const char *) v.data(), (std::streamsize) (v.size() * sizeof(float)));
}

int main(int argc, char ** argv) {
    std::string model_path, pixels_path, prompt, dump;
    gitcap::model_params mp;
    gitcap::generate_params gp;
    bool video = false;
    int count = 1;
    std::vector<std::string> images;
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "-m") model_path = next();
        else if (a == "--video") video = true;
        else if (a == "--prompt") prompt = next();
        else if (a == "--backend") mp.backend = next();
        else if (a == "--threads") mp.n_threads = std::atoi(next().c_str());
        else if (a == "--max-new-tokens") gp.max_new_tokens = std::atoi(next().c_str());
        else if (a == "--min-new-tokens") gp.min_new_tokens = std::atoi(next().c_str());
        else if (a == "--beams") gp.num_beams = std::atoi(next().c_str());
        else if (a == "--pixels") pixels_path = next();
        else if (a == "--count") count = std::atoi(next().c_str());
        else if (a == "--dump") dump = next();
        else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        } else images.push_back(a);
    }
    if (model_path.empty() || (images.empty() && pixels_path.empty())) {
        std::fprintf(stderr, "usage: gitcap-caption -m model.gguf [options] image...\n");
        return 2;
    }
    try {
        auto model = gitcap::load_model(model_path, mp);
        const gitcap::model_info & info = gitcap::get_info(*model);
        const gitcap::Tokenizer & tok = gitcap::get_tokenizer(*model);

        gitcap::pixel_batch pixels;
        if (!pixels_path.empty()) {
            const std::vector<uint8_t> raw = read_file(pixels_path);
            pixels.n_images = count;
            pixels.height = pixels.width = info.image_size;
            pixels.data.resize(raw.size() / sizeof(float));
            std::memcpy(pixels.data.data(), raw.data(), pixels.data.size() * sizeof(float));
        } else {
            std::vector<gitcap::decoded_image> decoded;
            std::vector<gitcap::image_view> views;
            for (const auto & path : images) {
                const std::vector<uint8_t> bytes = read_file(path);
                decoded.push_back(gitcap::decode_image(bytes.data(), bytes.size()));
            }
            for (const auto & d : decoded) views.push_back(d.image.view());
            pixels = gitcap::preprocess_images(views, gitcap::get_preprocess_params(*model));
        }
        pixels.is_video = video || pixels.n_images > 1;

        gp.prompt_ids = {info.bos_id};
        if (!prompt.empty()) {
            const std::vector<int32_t> q = tok.encode(prompt, false);
            gp.prompt_ids.insert(gp.prompt_ids.end(), q.begin(), q.end());
        }
        if (!dump.empty()) gp.debug_tensors = {"vision.frame0", "vision.temporal", "vision.projected"};

        gitcap::runner runner(model);
        const gitcap::generation out = gitcap::generate(runner, pixels, gp);
        std::printf("%s\n", tok.decode(out.ids).c_str());
        std::printf("ids:");
        for (int32_t id : out.ids) std::printf(" %d", id);
        const auto & t = out.timings;
        std::printf("\nbackend %s, vision %.1f ms, prefix %.1f ms, decode %.1f ms (%d steps, %.1f ms/step)\n",
                    info.backend.c_str(), t.vision_ms, t.prefix_ms, t.decode_ms, t.decode_steps,
                    t.decode_steps ? t.decode_ms / t.decode_steps : 0.0);
        if (!dump.empty()) {
            write_floats(dump + "logits0.f32", out.first_logits);
            for (const auto & d : out.debug) write_floats(dump + d.name + ".f32", d.data);
        }
    } catch (const gitcap::error & e) {
        std::fprintf(stderr, "error %s: %s\n", e.code_name(), e.what());
        return 1;
    }
    return 0;
}
