#include "model/TorchRuntime.h"

#include <torch/torch.h>

#include <thread>

namespace morph {

void configureTorchRuntime(int threads)
{
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

std::string describeBestDevice()
{
    if (!cudaAvailable())
        return "cpu";
    return "cuda:0";
}

} // namespace morph
