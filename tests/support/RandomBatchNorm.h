#pragma once
// Test helper (torch): gives a model's BatchNorms non-trivial statistics and affine parameters,
// as after training, so tests of weight folding and widening exercise them.
#include <torch/torch.h>

#include <string>

namespace morph::test {

inline void randomiseBatchNorms(torch::nn::Module& m, int seed)
{
    torch::manual_seed(seed);
    torch::NoGradGuard g;
    for (auto& p : m.named_buffers()) {
        if (p.key().find("running_mean") != std::string::npos)
            p.value().copy_(torch::randn_like(p.value()) * 0.5);
        if (p.key().find("running_var") != std::string::npos)
            p.value().copy_(torch::rand_like(p.value()) * 2 + 0.3);
    }
    for (auto& p : m.named_parameters()) {
        if (p.key().find("_bn") != std::string::npos && p.key().find("weight") != std::string::npos)
            p.value().copy_(torch::rand_like(p.value()) + 0.5);
        if (p.key().find("_bn") != std::string::npos && p.key().find("bias") != std::string::npos)
            p.value().copy_(torch::randn_like(p.value()) * 0.3);
    }
}

} // namespace morph::test
