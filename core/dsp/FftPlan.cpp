#include "dsp/FftPlan.h"

#include "util/AtomicFile.h"
#include "util/Errors.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

namespace morph::dsp::detail {
namespace {

std::filesystem::path wisdomPath()
{
    if (const char* p = std::getenv("MORPH_FFTW_WISDOM"); p && *p)
        return p;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
        return std::filesystem::path(x) / "morphstation" / "fftw3f.wisdom";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::filesystem::path(h) / ".cache" / "morphstation" / "fftw3f.wisdom";
    return {};
}

struct PlanCache {
    std::mutex mutex;
    std::map<int, std::unique_ptr<RealFftPlans>> plans;
    bool wisdomLoaded = false;
};

PlanCache& cache()
{
    // Deliberately never destroyed: the plans live as long as the process (a thread still
    // running FFTs during exit never meets a destroyed map), and they stay reachable, so
    // LeakSanitizer does not report them. (A destroyed map used to drop the plan pointers.)
    static PlanCache* c = new PlanCache;
    return *c;
}

void loadWisdomOnce(PlanCache& c)
{
    if (c.wisdomLoaded)
        return;
    c.wisdomLoaded = true;
    const auto path = wisdomPath();
    std::error_code ec;
    if (!path.empty() && std::filesystem::exists(path, ec)) {
        // Bad or foreign wisdom is harmless: FFTW ignores what it cannot use.
        fftwf_import_wisdom_from_filename(path.string().c_str());
    }
}

void saveWisdom()
{
    const auto path = wisdomPath();
    if (path.empty())
        return;
    char* text = fftwf_export_wisdom_to_string();
    if (!text)
        return;
    const std::string wisdom(text);
    fftwf_free(text);
    try {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        writeFileAtomically(path, wisdom);
    } catch (const IoError&) {
        // A cache that cannot be written only costs the measuring again in the next process.
    }
}

} // namespace

const RealFftPlans& plansFor(int n)
{
    PlanCache& c = cache();
    std::lock_guard lock(c.mutex);
    auto it = c.plans.find(n);
    if (it != c.plans.end())
        return *it->second;
    if (n < 2 || n % 2 != 0)
        throw ConfigError("FFT size must be even and >= 2, got " + std::to_string(n));
    loadWisdomOnce(c);
    const char* est = std::getenv("MORPH_FFTW_ESTIMATE");
    const unsigned flags = (est && *est == '1') ? FFTW_ESTIMATE : FFTW_MEASURE;
    AlignedBuffer<float> real(static_cast<std::size_t>(n));
    AlignedBuffer<fftwf_complex> spec(static_cast<std::size_t>(n / 2 + 1));
    auto plans = std::make_unique<RealFftPlans>();
    plans->n = n;
    // Planning with FFTW_MEASURE would overwrite the arrays; these are scratch.
    plans->forward = fftwf_plan_dft_r2c_1d(n, real.data(), spec.data(), flags);
    plans->backward = fftwf_plan_dft_c2r_1d(n, spec.data(), real.data(), flags);
    if (!plans->forward || !plans->backward)
        throw ConfigError("FFTW could not make a plan for size " + std::to_string(n));
    if (flags == FFTW_MEASURE)
        saveWisdom();
    const RealFftPlans& ref = *plans;
    c.plans.emplace(n, std::move(plans));
    return ref;
}

} // namespace morph::dsp::detail
