#include "model/ModelConfig.h"

#include "util/Errors.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace morph {

namespace {

constexpr int kKernel = 3;
constexpr int kSliceWidth2d = 3;
constexpr int kLayers2d = 5;
constexpr int kLayers1d = 9;
constexpr int kMaxFft = 1 << 16;
constexpr int kMaxSampleRate = 768000;
constexpr int kMaxMelBands = 4096;

/// 1-based encoder layers with stride 2 along frequency (METHOD §3 table).
std::vector<int> stridedLayers(Architecture arch)
{
    switch (arch) {
    case Architecture::Single: return {2};
    case Architecture::Double: return {2, 4};
    case Architecture::Triple: return {2, 3, 5};
    case Architecture::Frame1d: return {};
    }
    return {};
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

} // namespace

const char* architectureName(Architecture a)
{
    switch (a) {
    case Architecture::Single: return "single";
    case Architecture::Double: return "double";
    case Architecture::Triple: return "triple";
    case Architecture::Frame1d: return "frame1d";
    }
    return "unknown";
}

Architecture parseArchitecture(const std::string& name)
{
    const std::string n = lower(name);
    if (n == "single") return Architecture::Single;
    if (n == "double") return Architecture::Double;
    if (n == "triple") return Architecture::Triple;
    if (n == "frame1d" || n == "1d" || n == "frame") return Architecture::Frame1d;
    throw ConfigError("unknown architecture '" + name + "' (choose single, double, triple or frame1d)");
}

int encoderLayerCount(Architecture arch)
{
    return arch == Architecture::Frame1d ? kLayers1d : kLayers2d;
}

std::vector<int> defaultChannels(Architecture arch)
{
    // Chosen by measurement (docs/MODELS.md): on the rendered default dataset, the single model
    // with 8-16-16-16 reached a LOWER validation MSE than 16-32-32-32 for the same 32k training
    // slices (11.05 vs 12.45 dB^2), trains ~3x faster and encodes+decodes a note 3-4x faster on
    // CPU. Wider models remain available with --channels for GPU training.
    if (arch == Architecture::Frame1d)
        return std::vector<int>(kLayers1d - 1, 16);
    return {8, 16, 16, 16};
}

std::string channelsText(const std::vector<int>& channels)
{
    std::string out;
    for (std::size_t i = 0; i < channels.size(); ++i) {
        if (i) out += '-';
        out += std::to_string(channels[i]);
    }
    return out;
}

int ModelConfig::inputBins() const
{
    return mel ? melBands : nFft / 2 + 1;
}

int ModelConfig::sliceWidth() const
{
    return arch == Architecture::Frame1d ? 1 : kSliceWidth2d;
}

std::vector<int> ModelConfig::effectiveChannels() const
{
    std::vector<int> c = channels.empty() ? defaultChannels(arch) : channels;
    const int expected = encoderLayerCount(arch) - 1;
    if (static_cast<int>(c.size()) != expected)
        throw ConfigError(std::string("the ") + architectureName(arch) + " model needs " + std::to_string(expected) +
                          " channel widths (one per hidden encoder layer), got " + std::to_string(c.size()) +
                          " (" + channelsText(c) + ")");
    for (int w : c)
        if (w < 1 || w > 4096)
            throw ConfigError("channel width " + std::to_string(w) + " is out of range 1..4096 (" + channelsText(c) + ")");
    return c;
}

std::vector<LayerGeometry> ModelConfig::encoderLayers() const
{
    const std::vector<int> widths = effectiveChannels();
    const int layers = encoderLayerCount(arch);
    const std::vector<int> strided = stridedLayers(arch);
    std::vector<LayerGeometry> out;
    int length = inputBins();
    int width = sliceWidth();
    int inCh = 1;
    for (int i = 1; i <= layers; ++i) {
        LayerGeometry g;
        g.inChannels = inCh;
        g.outChannels = i == layers ? 1 : widths[static_cast<std::size_t>(i - 1)];
        g.kernel = kKernel;
        g.stride = std::find(strided.begin(), strided.end(), i) != strided.end() ? 2 : 1;
        if (arch == Architecture::Frame1d) {
            g.padFreq = 0;
            g.padTime = 0;
        } else {
            g.padFreq = i == 1 ? 1 : 0;
            g.padTime = i == layers ? 0 : 1;
        }
        g.inLength = length;
        g.inWidth = width;
        const int span = length + 2 * g.padFreq - g.kernel;
        if (span < 0)
            throw ConfigError("input of " + std::to_string(inputBins()) + " bins is too small for the " +
                              architectureName(arch) + " model (layer " + std::to_string(i) + " gets " +
                              std::to_string(length) + " bins)");
        g.outLength = span / g.stride + 1;
        g.outputPadding = span % g.stride;
        if (arch == Architecture::Frame1d) {
            g.outWidth = 1;
        } else {
            g.outWidth = width + 2 * g.padTime - g.kernel + 1;
        }
        out.push_back(g);
        length = g.outLength;
        width = g.outWidth;
        inCh = g.outChannels;
    }
    return out;
}

int ModelConfig::embeddingSize() const
{
    return encoderLayers().back().outLength;
}

void ModelConfig::validate() const
{
    // Upper bounds too: a damaged or hostile checkpoint must not ask for a 2^30-point FFT.
    if (nFft < 16 || nFft > kMaxFft || (nFft & (nFft - 1)) != 0)
        throw ConfigError("n_fft must be a power of two in 16.." + std::to_string(kMaxFft) + ", got " + std::to_string(nFft));
    if (hop < 1 || hop > nFft)
        throw ConfigError("hop must be in 1..n_fft, got " + std::to_string(hop));
    if (sampleRate < 1000 || sampleRate > kMaxSampleRate)
        throw ConfigError("sample rate " + std::to_string(sampleRate) + " Hz is implausible");
    if (mel && (melBands < 8 || melBands > kMaxMelBands))
        throw ConfigError("mel band count must be in 8.." + std::to_string(kMaxMelBands) + ", got " + std::to_string(melBands));
    if (!(amin > 0.f && amin < 1.f))  // also false for NaN
        throw ConfigError("amin (the dB floor's magnitude) must be in (0, 1), got " + std::to_string(amin));
    if (!(topDb > 0.f && topDb <= 1000.f))
        throw ConfigError("top_db must be in (0, 1000], got " + std::to_string(topDb));
    if (positionBias && arch == Architecture::Frame1d)
        throw ConfigError("position biases are implemented for the 2D slice models only (not frame1d)");
    const auto layers = encoderLayers();
    if (layers.back().outWidth != 1)
        throw ConfigError("internal: the embedding is not a single time step");
}

std::string ModelConfig::summary() const
{
    std::ostringstream s;
    s << architectureName(arch) << ' ' << (mel ? "mel" : "log-mag") << ", " << inputBins() << " bins, channels "
      << channelsText(effectiveChannels()) << ", embedding " << embeddingSize();
    if (positionBias)
        s << ", position biases";
    return s.str();
}

bool ModelConfig::operator==(const ModelConfig& o) const
{
    return arch == o.arch && mel == o.mel && effectiveChannels() == o.effectiveChannels() &&
           positionBias == o.positionBias &&
           sampleRate == o.sampleRate && nFft == o.nFft && hop == o.hop && amin == o.amin && topDb == o.topDb &&
           (!mel || melBands == o.melBands);
}

} // namespace morph
