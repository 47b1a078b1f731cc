#pragma once
// Fast Griffin-Lim (Perraudin, Balazs, Sondergaard 2013), exactly the update of
// torchaudio.functional.griffinlim / librosa.griffinlim:
//   x       = istft(S * angles)                 (same window/hop as the STFT, zero padding)
//   rebuilt = stft(x)
//   angles  = rebuilt - momentum / (1 + momentum) * tprev
//   angles /= |angles| + 1e-16
//   tprev   = rebuilt
// followed by a final x = istft(S * angles). Spectral convergence ||S - |STFT(x)|||_F / ||S||_F
// is reported for the returned audio.
// Initial phase: Random (uniform phase in [0, 2pi) quantised to 2pi/4096, from a seeded
// xorshift generator, so the same seed gives the same phases on every platform), Zeros
// (phase 0), or Given (the phase of `initial`, a warm start). torchaudio's rand_init instead
// draws real and imaginary parts uniform in [0, 1) (phases in the first quadrant only); uniform
// phase is the usual choice (librosa) and converged at least as well on the NSynth notes. Optional early stop once the convergence of the current
// iterate falls to stopAtConvergence.
//
// Parallelism: one note splits its frames over ThreadPool::shared() (each iteration is one
// parallel pass: frame f rebuilds its own window of the overlap-add from the previous pass's
// inverse FFTs, so passes need no other synchronisation); runBatch runs several notes in
// parallel, one note per task. The per-iteration loop allocates nothing (buffers are made once
// per run). Results do not depend on how frames are split (each frame's arithmetic is fixed).
//
// Thread contract: a GriffinLim is immutable; run/runBatch may be called from any non-real-time
// thread (parallel runs from several threads are serialised by the pool, not wrong).
#include "dsp/Spectrogram.h"
#include "dsp/Stft.h"
#include "util/CancelToken.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace morph::dsp {

struct GriffinLimOptions {
    int iterations = 32;
    float momentum = 0.99f;
    enum class Init { Random, Zeros, Given } init = Init::Random;
    uint32_t seed = 0;
    const ComplexSpectrogram* initial = nullptr;  // for Init::Given (warm start)
    float stopAtConvergence = 0.f;                // 0 = run all iterations
    bool parallel = true;                         // split frames over ThreadPool::shared()
    bool recordHistory = false;                   // convergence of every iterate (costs ~10 %)
    const CancelToken* cancel = nullptr;          // checked after every iteration
};

struct GriffinLimResult {
    std::vector<float> audio;
    ComplexSpectrogram estimate;      // S * final phase
    float spectralConvergence = 0.f;  // of `audio`
    int iterationsRun = 0;
    /// Convergence of the iterate at each iteration (before its update); filled when
    /// recordHistory or stopAtConvergence is set.
    std::vector<float> convergenceHistory;
};

class GriffinLim {
public:
    explicit GriffinLim(StftConfig = {});

    const StftConfig& config() const { return stft_.config(); }

    /// targetMag: bins() x frameCount(length). Throws ConfigError on a shape mismatch or a
    /// Given init without a matching `initial`, CancelledError once options.cancel is set.
    GriffinLimResult run(const Spectrogram& targetMag, std::size_t length,
                         const GriffinLimOptions& = {}) const;

    /// Several notes in parallel (one per pool thread); options.parallel is ignored, and
    /// options.initial must be null (use runBatch with initials for warm starts).
    std::vector<GriffinLimResult> runBatch(const std::vector<const Spectrogram*>& targets,
                                           const std::vector<std::size_t>& lengths,
                                           const GriffinLimOptions& = {},
                                           const std::vector<const ComplexSpectrogram*>& initials = {}) const;

private:
    Stft stft_;
};

/// ||S - |X||| / ||S|| (Frobenius); 0 when S is all zero and X matches.
float spectralConvergence(const Spectrogram& target, const ComplexSpectrogram& x);

} // namespace morph::dsp
