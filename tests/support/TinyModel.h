#pragma once
// Test support: a small 2D slice autoencoder trained for a few seconds on a couple of notes and
// saved as a real self-describing checkpoint, so morph tests exercise the real decode path.
// Includes torch: include it FIRST, and only from tests that need it (slow to compile).
#include <torch/torch.h>

#include "dataset/AudioFile.h"
#include "dsp/NoteAnalysis.h"
#include "dsp/Slicing.h"
#include "model/TorchCheckpoint.h"

#include <filesystem>
#include <string>
#include <vector>

namespace morph::test {

inline std::string sharedNote(const std::string& name)
{
    return std::string(MORPH_SHARED_DATA_DIR) + "/nsynth-test-pitch60/audio/" + name + ".wav";
}

/// Trains `steps` Adam steps on all slices of the given notes and writes the checkpoint.
inline void writeTinyModel(const std::filesystem::path& path, const std::vector<std::string>& notes,
                           int steps = 60, Architecture arch = Architecture::Single)
{
    torch::manual_seed(1);
    ModelConfig config;
    config.arch = arch;
    config.channels = {4, 8, 8, 8};
    std::vector<float> all;
    int count = 0;
    for (const auto& n : notes) {
        const auto audio = loadNoteAudio(sharedNote(n));
        const auto spectra = dsp::analyseNote(audio.samples);
        const auto s = dsp::toSlices(spectra.db, config.sliceWidth());
        const int slices = spectra.db.frames - config.sliceWidth() + 1;
        const std::size_t values = std::size_t(config.inputBins()) * std::size_t(config.sliceWidth());
        for (int i = 0; i < slices; i += 3) {  // every third slice keeps a step cheap
            all.insert(all.end(), s.begin() + long(i * values), s.begin() + long((i + 1) * values));
            ++count;
        }
    }
    auto model = nn::makeAutoencoder(config);
    const auto x = torch::from_blob(all.data(), {count, 1, config.inputBins(), config.sliceWidth()}).clone();
    // Start the output layer at the data's mean dB: raw dB targets (-80..0) otherwise need
    // hundreds of steps just to move the bias.
    {
        torch::NoGradGuard noGrad;
        torch::Tensor lastBias;
        for (auto& p : model->named_parameters())
            if (p.key().find("bias") != std::string::npos && p.value().numel() == 1)
                lastBias = p.value();
        if (lastBias.defined())
            lastBias.fill_(x.mean().item<float>());
    }
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
    model->train();
    for (int step = 0; step < steps; ++step) {
        optimizer.zero_grad();
        auto loss = torch::mse_loss(model->forward(x), x);
        loss.backward();
        optimizer.step();
    }
    model->eval();
    nn::saveCheckpoint(path, nn::baseMetadata(config), *model);
}

} // namespace morph::test
