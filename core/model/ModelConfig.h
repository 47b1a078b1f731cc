#pragma once
// The description of one autoencoder: architecture, channel widths and the pre-processing its
// inputs went through. Plain C++ (no torch): the GUI, the morph engine and the checkpoint reader
// use it without LibTorch. Every size (embedding, per-layer lengths, output padding) is computed
// from the layer arithmetic of METHOD §3, never hard-coded.
// Thread contract: value type; const members are safe from any thread.
#include <string>
#include <vector>

namespace morph {

enum class Architecture { Single, Double, Triple, Frame1d };

/// "single", "double", "triple", "frame1d".
const char* architectureName(Architecture);
/// Accepts the names above (case-insensitive); throws ConfigError naming the valid choices.
Architecture parseArchitecture(const std::string&);

/// One convolution layer of the encoder along the frequency axis (and time for 2D models).
/// The decoder layer that mirrors it is a transposed convolution with the same kernel, stride
/// and padding plus `outputPadding`, mapping outLength back to inLength exactly.
struct LayerGeometry {
    int inChannels = 1, outChannels = 1;
    int kernel = 3;
    int stride = 1;            // along frequency
    int padFreq = 0, padTime = 0;
    int inLength = 0, outLength = 0;   // frequency lengths
    int outputPadding = 0;     // for the mirrored transposed layer (frequency axis)
    int inWidth = 1, outWidth = 1;     // time widths (1 for Frame1d)
};

struct ModelConfig {
    Architecture arch = Architecture::Single;
    bool mel = false;
    /// Encoder widths, one per hidden layer (2D: 4 values for layers 1-4; Frame1d: 8 values for
    /// layers 1-8). The last encoder layer always has 1 output channel (single-channel
    /// embedding). Empty = defaultChannels(arch).
    std::vector<int> channels;
    /// 2D models only: every layer adds a learned bias per output position (channel x frequency
    /// x time, "untied" biases) to its per-channel one. A plain convolution applies the same
    /// function at 100 Hz as at 7 kHz; measured, the 16-32-32-32 model's error below 1 kHz was
    /// 1.6x PCA's while above 5 kHz it was half of PCA's (docs/MODELS.md). Position biases let
    /// ReLU thresholds, and so which channels are active, depend on frequency. They cost nothing
    /// at inference (the fast path already adds a per-position bias map) and start at zero, so a
    /// plain model continues with them unchanged (train --init-from).
    bool positionBias = false;
    int sampleRate = 16000, nFft = 1024, hop = 512;
    float amin = 1e-5f, topDb = 80.f;
    int melBands = 128;

    int inputBins() const;      // nFft/2+1 (513) or melBands (128)
    int sliceWidth() const;     // 3 (2D) or 1 (Frame1d)
    int embeddingSize() const;  // 250/124/62 (log-mag 2D), 57/28/14 (mel 2D), 495 (1D, 513)
    int sliceValues() const { return inputBins() * sliceWidth(); }

    /// The channel list actually used (defaults filled in); validated.
    std::vector<int> effectiveChannels() const;
    /// Encoder layers, input to embedding. Throws ConfigError when the input is too small.
    std::vector<LayerGeometry> encoderLayers() const;
    /// Throws ConfigError with a clear message when the configuration cannot be built.
    void validate() const;

    /// "double log-mag, 513 bins, channels 16-32-32-32, embedding 124" (one line).
    std::string summary() const;

    bool operator==(const ModelConfig& o) const;
    bool operator!=(const ModelConfig& o) const { return !(*this == o); }
};

/// Encoder hidden widths chosen for CPU speed (see docs/MODELS.md for the measurements).
std::vector<int> defaultChannels(Architecture arch);
/// Number of encoder layers (5 for 2D, 9 for Frame1d).
int encoderLayerCount(Architecture arch);
/// "16-32-32-32".
std::string channelsText(const std::vector<int>& channels);

} // namespace morph
