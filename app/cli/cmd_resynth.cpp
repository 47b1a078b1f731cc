// morphstation-cli resynth: magnitude-only resynthesis of an audio file through Griffin-Lim
// (optionally through the 128-band mel spectrum and back), the way a decoded spectrogram becomes
// audio. Prints the spectral convergence and the time taken.
#include "cli/CliCommand.h"
#include "dataset/AudioFile.h"
#include "dsp/GriffinLim.h"
#include "dsp/MelFilterbank.h"
#include "dsp/Stft.h"
#include "util/Errors.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int runResynth(const std::vector<std::string>& raw)
{
    using namespace morph;
    const cli::Args args(raw, {"mel"});
    args.requireKnown({"iters", "momentum", "mel", "seed", "nfft", "hop"});
    if (args.positionals().size() != 2)
        throw ConfigError("expected IN.wav and OUT.wav");
    const std::string in = args.positionals()[0], out = args.positionals()[1];
    const int iters = args.getInt("iters", 32);
    const double momentum = args.getDouble("momentum", 0.99);
    const int seed = args.getInt("seed", 0);
    const bool mel = args.has("mel");
    dsp::StftConfig config;
    config.nFft = args.getInt("nfft", 1024);
    config.hop = args.getInt("hop", 512);
    if (iters < 0)
        throw ConfigError("--iters must be >= 0, got " + std::to_string(iters));
    if (momentum < 0.0 || momentum >= 1.0)
        throw ConfigError("--momentum must be in [0, 1), got " + args.get("momentum"));

    const LoadedAudio audio = loadAudio(in, 0);  // keep the file's rate
    for (const auto& a : audio.adjustments)
        std::printf("input: %s\n", a.c_str());
    if (audio.samples.empty())
        throw AudioFileError(in + ": no samples");

    const auto t0 = Clock::now();
    const dsp::Stft stft(config);
    const dsp::Spectrogram original = dsp::magnitude(stft.forward(audio.samples));
    dsp::Spectrogram target = original;
    double melMs = 0.0;
    if (mel) {
        const auto tm = Clock::now();
        const dsp::MelFilterbank fb(audio.sampleRate, config.nFft, 128);
        target = fb.toLinear(fb.toMel(original));
        melMs = msSince(tm);
    }
    const auto tg = Clock::now();
    dsp::GriffinLimOptions opt;
    opt.iterations = iters;
    opt.momentum = static_cast<float>(momentum);
    opt.seed = static_cast<uint32_t>(seed);
    const dsp::GriffinLimResult result = dsp::GriffinLim(config).run(target, audio.samples.size(), opt);
    const double glMs = msSince(tg);
    const double totalMs = msSince(t0);
    writeWav16(out, result.audio, audio.sampleRate);

    std::printf("%s: %zu samples at %d Hz, %d x %d spectrogram%s\n", in.c_str(), audio.samples.size(),
                audio.sampleRate, target.bins, target.frames, mel ? " (through 128 mel bands)" : "");
    std::printf("Griffin-Lim: %d iterations, momentum %.3g, seed %d\n", result.iterationsRun, momentum, seed);
    std::printf("spectral convergence: %.5f", result.spectralConvergence);
    if (mel)
        std::printf(" (to the mel-inverted magnitudes); %.5f to the original magnitudes",
                    dsp::spectralConvergence(original, dsp::Stft(config).forward(result.audio)));
    std::printf("\ntime: %.2f ms total (Griffin-Lim %.2f ms%s)\n", totalMs, glMs,
                mel ? (", mel and back " + std::to_string(melMs).substr(0, 6) + " ms").c_str() : "");
    std::printf("wrote %s\n", out.c_str());
    return 0;
}

morph::cli::CliRegistration reg({"resynth",
                                 "resynth IN.wav OUT.wav [--iters N] [--momentum M] [--mel] [--seed S] "
                                 "[--nfft N] [--hop H]",
                                 "Magnitude-only resynthesis through fast Griffin-Lim (optionally via 128 "
                                 "mel bands and back); prints spectral convergence and time.",
                                 &runResynth});

} // namespace
