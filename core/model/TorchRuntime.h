#pragma once
// Process-wide LibTorch settings, behind a plain header so Qt translation units never include
// torch. Thread contract: call configureTorchRuntime() once at start-up, before any model runs.
#include <string>

namespace morph {

/// Sets LibTorch's intra-op thread count (it defaults to 1 on this Debian build). 0 = all cores.
void configureTorchRuntime(int threads = 0);

/// LibTorch's OpenMP threads spin-wait between parallel regions by default (libgomp's ACTIVE
/// policy). When other threads compete for the cores (Griffin-Lim workers, the GUI, other
/// processes) that spinning is catastrophic: on this 2-core machine under load a training step ran
/// 7.5 slices/s with 2 spinning threads vs 58-79 with OMP_WAIT_POLICY=PASSIVE. libgomp reads the
/// variable only when it is loaded, before main(), so this re-executes the program
/// (/proc/self/exe) with OMP_WAIT_POLICY=PASSIVE unless it is already set (any value is kept; set
/// it to ACTIVE to opt out). Call it first thing in main(), before any thread is started.
/// Returns only when no relaunch happened (already set, or exec failed).
void relaunchWithPassiveOpenMp(int argc, char** argv);

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
