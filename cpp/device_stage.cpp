#include "device_stage.h"

#include "device.h"
#include "profile.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <cstring>

namespace ptmlp {

namespace {

// memcpy in chunks over the intra-op threads (the pair style sets their count from LAMMPS)
void copy_words(void *dst, const void *src, int64_t words)
{
  constexpr int64_t kChunk = 1 << 19;    // 4 MiB of 8-byte words
  const int64_t chunks = (words + kChunk - 1) / kChunk;
  at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const int64_t off = c * kChunk, n = std::min(kChunk, words - off);
      std::memcpy(static_cast<char *>(dst) + 8 * off, static_cast<const char *>(src) + 8 * off, 8 * n);
    }
  });
}

}    // namespace

DeviceStage::DeviceStage(const torch::Device &device) : device_(device), pinned_(device.is_cuda())
{
  virial_order_ = torch::tensor({0, 4, 8, 1, 2, 5, 3, 6, 7}, torch::kInt64).to(device_);
}

void DeviceStage::grow(torch::Tensor &buffer, int64_t n, torch::Dtype dtype, bool on_device)
{
  if (buffer.defined() && buffer.numel() >= n) return;
  const int64_t capacity = n + n / 4 + 1024;
  auto options = torch::TensorOptions().dtype(dtype);
  if (on_device) options = options.device(device_);
  else if (pinned_) options = options.pinned_memory(true);
  buffer = torch::Tensor();    // release the old one first
  buffer = torch::empty({capacity}, options);
  count(kCountBufferGrowths);
}

void DeviceStage::sync_if_profiling() const
{
  if (profiling() && device_.is_cuda()) torch::cuda::synchronize(device_.index());
}

const DeviceStage::Inputs &DeviceStage::upload(const EdgeInput &in)
{
  if (last_input_ == &in && last_generation_ == in.generation) return inputs_;
  const int64_t n_edges = in.n_edges(), n_atoms = in.n_atoms();
  const int64_t n_te = static_cast<int64_t>(in.te_K.size());
  const int64_t words = 5 * n_edges + n_atoms + n_te;
  {
    ScopedTimer timer(kPhaseStagePack);
    grow(host_in_, words, torch::kInt64, false);
    grow(dev_in_, words, torch::kInt64, true);
    int64_t *w = host_in_.data_ptr<int64_t>();
    copy_words(w, in.edge_vec.data(), 3 * n_edges);
    copy_words(w + 3 * n_edges, in.edge_i.data(), n_edges);
    copy_words(w + 4 * n_edges, in.edge_j.data(), n_edges);
    copy_words(w + 5 * n_edges, in.species.data(), n_atoms);
    if (n_te > 0) std::memcpy(w + 5 * n_edges + n_atoms, in.te_K.data(), 8 * n_te);
  }
  {
    ScopedTimer timer(kPhaseHostToDevice);
    dev_in_.narrow(0, 0, words).copy_(host_in_.narrow(0, 0, words), /*non_blocking=*/pinned_);
    count(kCountHostToDevice);
    count(kCountHostToDeviceBytes, 8 * words);
    sync_if_profiling();
  }
  inputs_.vec = dev_in_.narrow(0, 0, 3 * n_edges).view(torch::kFloat64).view({n_edges, 3});
  inputs_.edge_i = dev_in_.narrow(0, 3 * n_edges, n_edges);
  inputs_.edge_j = dev_in_.narrow(0, 4 * n_edges, n_edges);
  inputs_.species = dev_in_.narrow(0, 5 * n_edges, n_atoms);
  inputs_.te = torch::Tensor();
  if (n_te > 0) {
    torch::Tensor te = dev_in_.narrow(0, 5 * n_edges + n_atoms, n_te).view(torch::kFloat64);
    inputs_.te = n_te == 1 ? te.reshape({}) : te;
  }
  last_input_ = &in;
  last_generation_ = in.generation;
  return inputs_;
}

torch::Tensor DeviceStage::results(int64_t n)
{
  grow(dev_out_, n, torch::kFloat64, true);
  grow(host_out_, n, torch::kFloat64, false);
  return dev_out_.narrow(0, 0, n);
}

const double *DeviceStage::download(int64_t n, bool atom_virial)
{
  // blocking: the host reads the values right after
  host_out_.narrow(0, 0, n).copy_(dev_out_.narrow(0, 0, n), /*non_blocking=*/false);
  count(kCountDeviceToHost);
  count(kCountDeviceToHostBytes, 8 * n);
  if (atom_virial) count(kCountAtomVirialCopies);
  return host_out_.data_ptr<double>();
}

}    // namespace ptmlp
