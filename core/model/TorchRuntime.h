#pragma once
// Process-wide LibTorch settings, behind a plain header so Qt translation units never include
// torch. Thread contract: call configureTorchRuntime() once at start-up, before any model runs.
#include <string>

namespace morph {

/// Sets LibTorch's intra-op thread count (it defaults to 1 on this Debian build). 0 = all cores.
void configureTorchRuntime(int threads = 0);

/// LibTorch's current intra-op thread count.
int torchThreads();

/// "cpu" or "cuda:<n> (<device name>)" for the best available device.
std::string describeBestDevice();

/// True when LibTorch sees a CUDA device.
bool cudaAvailable();

/// Paths of the BLAS/LAPACK/oneDNN/OpenMP libraries mapped into this process (from
/// /proc/self/maps), e.g. ".../openblas-pthread/libblas.so.3, .../libdnnl.so.2".
std::string loadedMathLibraries();

} // namespace morph
