#include "device.h"

#include <torch/cuda.h>

#ifdef PTMLP_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ptmlp {

namespace {

int fake_gpu_count()
{
  const char *e = std::getenv("PTMLP_TEST_FAKE_GPUS");
  return e ? std::atoi(e) : 0;
}

}    // namespace

bool built_with_cuda()
{
#ifdef PTMLP_WITH_CUDA
  return true;
#else
  return false;
#endif
}

bool fake_gpus()
{
  return fake_gpu_count() > 0;
}

int visible_gpus()
{
  if (fake_gpus()) return fake_gpu_count();
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

std::string gpu_identity(int index)
{
  if (fake_gpus()) return "fake-gpu-" + std::to_string(index);
#ifdef PTMLP_WITH_CUDA
  const cudaDeviceProp *p = at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(index));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04x:%02x:%02x", p->pciDomainID, p->pciBusID, p->pciDeviceID);
  return buf;
#else
  return "cuda-" + std::to_string(index);
#endif
}

std::string why_no_cuda()
{
  if (!built_with_cuda())
    return "this plugin was built against a CPU-only libtorch (build a CUDA plugin with "
           "tools/build_cuda_plugin.sh)";
  const char *vis = std::getenv("CUDA_VISIBLE_DEVICES");
  return std::string("libtorch sees no CUDA GPU (CUDA_VISIBLE_DEVICES=") + (vis ? vis : "unset") + ")";
}

long long peak_device_bytes(const torch::Device &device)
{
#ifdef PTMLP_WITH_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    return stats.reserved_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)].peak;
  }
#endif
  (void) device;
  return -1;
}

bool staged_on_cpu()
{
  const char *e = std::getenv("PTMLP_STAGED");
  return e && std::string(e) == "1";
}

}    // namespace ptmlp
