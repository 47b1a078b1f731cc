// Test fixture tool: writes a tiny trained checkpoint (support/TinyModel.h) so that Qt tests,
// which must never include torch, can load a real model.
//   morph_make_tiny_model OUT.pt [single|double|triple|frame1d] [steps]
#include "support/TinyModel.h"  // torch first

#include "model/ModelConfig.h"

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s OUT.pt [single|double|triple|frame1d] [steps]\n", argv[0]);
        return 2;
    }
    try {
        torch::set_num_threads(1);
        const morph::Architecture arch = argc > 2 ? morph::parseArchitecture(argv[2]) : morph::Architecture::Single;
        const int steps = argc > 3 ? std::atoi(argv[3]) : 60;
        morph::test::writeTinyModel(argv[1], {"guitar_acoustic_010-060-100", "brass_acoustic_006-060-100"}, steps, arch);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "morph_make_tiny_model: %s\n", e.what());
        return 1;
    }
    return 0;
}
