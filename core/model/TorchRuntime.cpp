#include "model/TorchRuntime.h"

#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include <cstdlib>
#include <unistd.h>

namespace morph {

void configureTorchRuntime(int threads)
{
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
}

void relaunchWithPassiveOpenMp(int argc, char** argv)
{
    if (argc < 1 || std::getenv("OMP_WAIT_POLICY") != nullptr)
        return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc): carry on with the default policy; the variable now set tells a
    // child process not to try again.
}

int torchThreads()
{
    return torch::get_num_threads();
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

std::string describeBestDevice()
{
    if (!cudaAvailable())
        return "cpu";
    return "cuda:0 (" + std::to_string(torch::cuda::device_count()) + " CUDA device(s))";
}

std::string loadedMathLibraries()
{
    // What the dynamic loader actually mapped (Debian's libtorch goes through the libblas.so.3
    // alternative, which may point at OpenBLAS, BLIS or the reference BLAS).
    std::ifstream maps("/proc/self/maps");
    std::set<std::string> libs;
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        const std::string name = path.substr(path.rfind('/') + 1);
        if (name.find("blas") != std::string::npos || name.find("lapack") != std::string::npos ||
            name.find("dnnl") != std::string::npos || name.find("mkl") != std::string::npos ||
            name.find("gomp") != std::string::npos)
            libs.insert(path);
    }
    std::string out;
    for (const auto& l : libs)
        out += (out.empty() ? "" : ", ") + l;
    return out.empty() ? "(none found in /proc/self/maps)" : out;
}

} // namespace morph
