// What devices this process can evaluate on (no LAMMPS, no MPI): CUDA GPUs seen by libtorch, their
// identities (to count the ranks that share one), and the test switches of the device path.
#pragma once

#include <torch/types.h>

#include <string>

namespace ptmlp {

// libtorch of this build has CUDA (the plugin was built against a CUDA torch).
bool built_with_cuda();
// CUDA devices this process sees; 0 without CUDA. PTMLP_TEST_FAKE_GPUS=n pretends n GPUs for the
// placement logic only (tests on machines without one): evaluation then stays on the CPU.
int visible_gpus();
bool fake_gpus();
// A name of GPU `index` that is the same for every process of a node: its PCI address
// (domain:bus:device), or "fake-gpu-<index>" under PTMLP_TEST_FAKE_GPUS.
std::string gpu_identity(int index);
// Why `device cuda` cannot be honoured here, as one phrase.
std::string why_no_cuda();
// Peak bytes the caching allocator reserved on a CUDA device; -1 elsewhere.
long long peak_device_bytes(const torch::Device &device);
// PTMLP_STAGED=1: evaluate on the CPU through the device path (staging buffers, one copy in and
// one out, the frozen graph), so that path is tested on machines without a GPU.
bool staged_on_cpu();

}    // namespace ptmlp
