// The device path: the step's inputs go over in one copy (DeviceStage::upload), the frozen graph
// and its backward run on the device, forces, virials and entropy are summed there in float64 into
// one results buffer, which comes back in one copy. On CUDA always; on CPU under PTMLP_STAGED=1
// (tests: the same code with a CPU "device"). Float32 models run their graph in float32 and are
// accumulated in float64 (energies, forces, virials). No LAMMPS headers.
#include "device.h"
#include "device_stage.h"
#include "errors.h"
#include "evaluate.h"
#include "profile.h"

namespace ptmlp {

namespace {

// Offsets (in float64 values) of the results of one evaluation in the device results buffer.
struct Layout {
  static constexpr int64_t kEnergy = 0, kVirial = 1, kEntropy = 10, kHeader = 11;
  int64_t forces = -1, atom_energy = -1, atom_virial = -1, atom_entropy = -1, size = kHeader;

  Layout(const Request &req, int64_t n_atoms, int64_t n_local, bool atom_entropy_wanted)
  {
    auto take = [this](bool want, int64_t n) {
      if (!want) return int64_t(-1);
      const int64_t at = size;
      size += n;
      return at;
    };
    forces = take(req.forces, 3 * n_atoms);
    atom_energy = take(req.atom_energy, n_local);
    atom_virial = take(req.atom_virial, 9 * n_atoms);
    atom_entropy = take(atom_entropy_wanted, n_local);
  }
};

struct DeviceGradients {
  torch::Tensor atom_e;    // (n_local,) float64
  torch::Tensor g;         // (E, 3) float64: dE/d(edge vector), undefined without need_grad
  torch::Tensor dfdt;      // undefined, () or (n_local,) float64
};

DeviceGradients model_on_device(Model &model, const DeviceStage::Inputs &x, const EdgeInput &in, const Request &req,
                                bool need_grad)
{
  ScopedTimer timer(kPhaseDeviceModel);
  const torch::Dtype dtype = model.dtype();
  const int64_t n_edges = in.n_edges();
  torch::Tensor vec = (dtype == torch::kFloat64 ? x.vec : x.vec.to(dtype)).detach();
  vec.requires_grad_(need_grad && n_edges > 0);
  const bool want_entropy = x.te.defined() && req.entropy;
  torch::Tensor te;
  if (x.te.defined()) {
    te = (dtype == torch::kFloat64 ? x.te : x.te.to(dtype)).detach();
    te.requires_grad_(want_entropy);
  }
  std::vector<torch::jit::IValue> inputs{vec, x.edge_i, x.edge_j, x.species, in.n_local,
                                         te.defined() ? torch::jit::IValue(te) : torch::jit::IValue()};
  JitModeGuard jit(model.jit_optimize());    // also for the backward graph, built on the first call
  torch::Tensor atom_e = model.module().forward(inputs).toTensor();
  check_energies(model, atom_e, in.n_local);
  std::vector<torch::Tensor> wrt;
  if (need_grad && n_edges > 0) wrt.push_back(vec);
  if (want_entropy) wrt.push_back(te);
  std::vector<torch::Tensor> grads;
  if (!wrt.empty()) grads = torch::autograd::grad({atom_e.sum()}, wrt, {}, false, false, true);
  DeviceGradients out;
  out.atom_e = atom_e.detach().to(torch::kFloat64);
  if (need_grad)
    out.g = (n_edges > 0 && grads[0].defined()) ? grads[0].to(torch::kFloat64)
                                                : torch::zeros({n_edges, 3}, out.atom_e.options());
  if (want_entropy)
    out.dfdt = grads.back().defined() ? grads.back().to(torch::kFloat64) : torch::zeros_like(x.te);
  model.stage().sync_if_profiling();
  return out;
}

// f_i += g_e, f_j -= g_e; W_ab = -sum_e r_a g_b; per-atom (centroid) virial on the neighbour j.
void tail_on_device(DeviceStage &stage, const DeviceStage::Inputs &x, const DeviceGradients &gr, const Request &req,
                    const Layout &lay, const EdgeInput &in, torch::Tensor &res)
{
  ScopedTimer timer(kPhaseDeviceTail);
  torch::NoGradGuard no_grad;
  const int64_t n_atoms = in.n_atoms(), n_local = in.n_local;
  res.narrow(0, 0, Layout::kHeader).zero_();
  res.narrow(0, Layout::kEnergy, 1).copy_(gr.atom_e.sum().reshape({1}));
  if (lay.atom_energy >= 0) res.narrow(0, lay.atom_energy, n_local).copy_(gr.atom_e);
  if (lay.forces >= 0) {
    torch::Tensor f = res.narrow(0, lay.forces, 3 * n_atoms).view({n_atoms, 3});
    f.zero_();
    f.index_add_(0, x.edge_i, gr.g).index_add_(0, x.edge_j, gr.g, -1.0);
  }
  if (req.virial) {
    torch::Tensor w = torch::mm(x.vec.t(), gr.g).reshape({9}).index_select(0, stage.virial_order());
    res.narrow(0, Layout::kVirial, 9).copy_(w).neg_();
  }
  if (lay.atom_virial >= 0) {
    torch::Tensor wa = res.narrow(0, lay.atom_virial, 9 * n_atoms).view({n_atoms, 9});
    wa.zero_();
    for (int c = 0; c < 9; ++c)
      wa.select(1, c).index_add_(0, x.edge_j, x.vec.select(1, kVirialIndex[c][0]) * gr.g.select(1, kVirialIndex[c][1]),
                                 -1.0);
  }
  if (gr.dfdt.defined()) {
    res.narrow(0, Layout::kEntropy, 1).copy_(gr.dfdt.sum().reshape({1})).neg_();
    if (lay.atom_entropy >= 0) res.narrow(0, lay.atom_entropy, n_local).copy_(gr.dfdt).neg_();
  }
  stage.sync_if_profiling();
}

void unpack(const double *h, const Request &req, const Layout &lay, const EdgeInput &in, bool entropy, Output &out)
{
  const int64_t n_atoms = in.n_atoms(), n_local = in.n_local;
  out.energy = h[Layout::kEnergy];
  for (int c = 0; c < 9; ++c) out.virial[c] = req.virial ? h[Layout::kVirial + c] : 0.0;
  out.entropy_eV_per_K = entropy ? h[Layout::kEntropy] : 0.0;
  if (lay.forces >= 0) out.forces.assign(h + lay.forces, h + lay.forces + 3 * n_atoms);
  if (lay.atom_energy >= 0) out.atom_energy.assign(h + lay.atom_energy, h + lay.atom_energy + n_local);
  if (lay.atom_virial >= 0) out.atom_virial.assign(h + lay.atom_virial, h + lay.atom_virial + 9 * n_atoms);
  if (lay.atom_entropy >= 0) out.atom_entropy.assign(h + lay.atom_entropy, h + lay.atom_entropy + n_local);
  else out.atom_entropy.clear();
}

}    // namespace

void evaluate_on_device(Model &model, const EdgeInput &in, const Request &req, Output &out)
{
  check_te_input(model, in);
  count(kCountDeviceEvaluations);
  DeviceStage &stage = model.stage();
  const DeviceStage::Inputs &x = stage.upload(in);
  const bool need_grad = req.forces || req.virial || req.atom_virial;
  const bool entropy = model.metadata().has_te && req.entropy;
  const Layout lay(req, in.n_atoms(), in.n_local, entropy && in.te_K.size() > 1);
  DeviceGradients gr = model_on_device(model, x, in, req, need_grad);
  torch::Tensor res = stage.results(lay.size);
  tail_on_device(stage, x, gr, req, lay, in, res);
  ScopedTimer timer(kPhaseDeviceToHost);
  const double *h = stage.download(lay.size, req.atom_virial);
  unpack(h, req, lay, in, entropy, out);
  record_peak_device_bytes(peak_device_bytes(stage.device()));
}

}    // namespace ptmlp
