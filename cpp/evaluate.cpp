#include "evaluate.h"

#include "errors.h"
#include "fused_v1.h"
#include "profile.h"

#include <torch/torch.h>

namespace ptmlp {

void EdgeInput::clear()
{
  edge_vec.clear();
  edge_i.clear();
  edge_j.clear();
  species.clear();
  te_K.clear();
  n_local = 0;
  ++generation;
}

void check_te_input(const Model &model, const EdgeInput &in)
{
  if (!model.metadata().has_te) {
    if (!in.te_K.empty()) throw Error("model " + model.filename() + " has no electronic-temperature input");
  } else if (in.te_K.empty()) {
    throw Error("model " + model.filename() + " needs an electronic temperature");
  }
}

void check_energies(const Model &model, const torch::Tensor &atom_e, int64_t n_local)
{
  if (atom_e.dim() != 1 || atom_e.size(0) != n_local)
    throw Error("model " + model.filename() + " returned energies of shape " + std::to_string(atom_e.dim()) +
                "-d instead of one per local atom");
}

namespace {

torch::Tensor host_doubles(const std::vector<double> &v, std::vector<int64_t> shape)
{
  return torch::from_blob(const_cast<double *>(v.data()), shape, torch::kFloat64);
}

torch::Tensor host_longs(const std::vector<int64_t> &v)
{
  return torch::from_blob(const_cast<int64_t *>(v.data()), {static_cast<int64_t>(v.size())}, torch::kInt64);
}

void to_host(const torch::Tensor &t, std::vector<double> &dst)
{
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  dst.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// What both paths deliver: per-atom energies, dE/d(edge vector), dF/dT_e.
struct Gradients {
  torch::Tensor atom_e;    // (n_local,) float64, CPU or device
  torch::Tensor g;         // (E, 3) float64
  torch::Tensor dfdt;      // undefined, scalar or (n_local,)
};

torch::Tensor te_tensor(Model &model, const EdgeInput &in, const Request &req, torch::Dtype dtype)
{
  check_te_input(model, in);
  if (!model.metadata().has_te) return torch::Tensor();
  torch::Tensor te = in.te_K.size() == 1 ? torch::full({}, in.te_K[0], torch::kFloat64)
                                         : host_doubles(in.te_K, {static_cast<int64_t>(in.te_K.size())});
  te = te.to(model.device(), dtype, false, true);
  if (req.entropy) te.requires_grad_(true);
  return te;
}

// The whole model in TorchScript; autograd for the edge gradient (any device).
Gradients generic(Model &model, const EdgeInput &in, const Request &req, bool need_grad)
{
  ScopedTimer timer(kPhaseGeneric);
  const torch::Device dev = model.device();
  const torch::Dtype dtype = model.dtype();
  const int64_t n_edges = in.n_edges();
  torch::Tensor vec = host_doubles(in.edge_vec, {n_edges, 3}).to(dev, dtype, false, true);
  vec.requires_grad_(need_grad);
  torch::Tensor te = te_tensor(model, in, req, dtype);
  std::vector<torch::jit::IValue> inputs{vec, host_longs(in.edge_i).to(dev), host_longs(in.edge_j).to(dev),
                                         host_longs(in.species).to(dev), in.n_local,
                                         te.defined() ? torch::jit::IValue(te) : torch::jit::IValue()};
  JitModeGuard jit(model.jit_optimize());
  torch::Tensor atom_e = model.module().forward(inputs).toTensor();
  check_energies(model, atom_e, in.n_local);
  std::vector<torch::Tensor> wrt;
  if (need_grad && n_edges > 0) wrt.push_back(vec);
  const bool want_entropy = te.defined() && req.entropy;
  if (want_entropy) wrt.push_back(te);
  std::vector<torch::Tensor> grads;
  if (!wrt.empty()) grads = torch::autograd::grad({atom_e.sum()}, wrt, {}, false, false, true);
  Gradients out;
  out.atom_e = atom_e.detach().to(torch::kFloat64);
  if (need_grad)
    out.g = (n_edges > 0 && grads[0].defined()) ? grads[0].to(torch::kFloat64)
                                                : torch::zeros({n_edges, 3}, out.atom_e.options());
  if (want_entropy) out.dfdt = grads.back().defined() ? grads.back().to(torch::kFloat64) : torch::zeros_like(te);
  return out;
}

// The whole model v1 in C++ (FusedV1::evaluate): no TorchScript call per step.
Gradients all_cpp(Model &model, const EdgeInput &in, const Request &req, bool need_grad)
{
  const FusedV1 &k = *model.fused();
  te_tensor(model, in, req, torch::kFloat64);    // the same checks (and messages) as the other paths
  const int64_t n_local = in.n_local;
  const bool want_entropy = model.metadata().has_te && req.entropy;
  Gradients out;
  out.atom_e = torch::empty({n_local}, torch::kFloat64);
  out.g = torch::empty({need_grad ? in.n_edges() : 0, 3}, torch::kFloat64);
  torch::Tensor dedt = want_entropy ? torch::empty({n_local}, torch::kFloat64) : torch::Tensor();
  k.evaluate(in, need_grad, out.atom_e.data_ptr<double>(), need_grad ? out.g.data_ptr<double>() : nullptr,
             want_entropy ? dedt.data_ptr<double>() : nullptr);
  if (want_entropy) out.dfdt = in.te_K.size() == 1 ? dedt.sum() : dedt;
  return out;
}

bool sorted_by_centre(const EdgeInput &in)
{
  for (int64_t e = 1; e < in.n_edges(); ++e)
    if (in.edge_i[e] < in.edge_i[e - 1]) return false;
  return true;
}

// Forces and virials from dE/dr_e on the host: f_i += g_e, f_j -= g_e; W_ab = -r_a g_b, the
// per-atom (centroid) virial on the neighbour atom j.
void host_tail(const EdgeInput &in, const Request &req, const double *g, Output &out)
{
  const int64_t n_edges = in.n_edges(), n_atoms = in.n_atoms();
  if (req.forces) {
    out.forces.assign(3 * n_atoms, 0.0);
    double *f = out.forces.data();
    for (int64_t e = 0; e < n_edges; ++e) {
      const int64_t i = in.edge_i[e], j = in.edge_j[e];
      for (int d = 0; d < 3; ++d) {
        f[3 * i + d] += g[3 * e + d];
        f[3 * j + d] -= g[3 * e + d];
      }
    }
  }
  if (!req.virial && !req.atom_virial) return;
  double w[9] = {0};
  if (req.atom_virial) out.atom_virial.assign(9 * n_atoms, 0.0);
  for (int64_t e = 0; e < n_edges; ++e) {
    const double *r = &in.edge_vec[3 * e], *ge = &g[3 * e];
    double we[9];
    for (int c = 0; c < 9; ++c) we[c] = -r[kVirialIndex[c][0]] * ge[kVirialIndex[c][1]];
    for (int c = 0; c < 9; ++c) w[c] += we[c];
    if (req.atom_virial) {
      double *wa = &out.atom_virial[9 * in.edge_j[e]];
      for (int c = 0; c < 9; ++c) wa[c] += we[c];
    }
  }
  if (req.virial)
    for (int c = 0; c < 9; ++c) out.virial[c] = w[c];
}

void run(Model &model, const EdgeInput &in, const Request &req, Output &out)
{
  if (model.staged()) return evaluate_on_device(model, in, req, out);
  const bool need_grad = req.forces || req.virial || req.atom_virial;
  Gradients gr = (model.fused() && sorted_by_centre(in)) ? all_cpp(model, in, req, need_grad)
                                                         : generic(model, in, req, need_grad);
  torch::NoGradGuard no_grad;
  ScopedTimer timer(kPhaseTail);
  out.energy = gr.atom_e.sum().item<double>();
  if (req.atom_energy) to_host(gr.atom_e, out.atom_energy);
  if (need_grad) {    // host paths only: the device path has its own tail (evaluate_device.cpp)
    torch::Tensor g = gr.g.to(torch::kFloat64).contiguous();
    host_tail(in, req, g.data_ptr<double>(), out);
  }
  if (gr.dfdt.defined()) {
    torch::Tensor s = -gr.dfdt;
    out.entropy_eV_per_K = s.sum().item<double>();
    if (s.dim() == 1) to_host(s, out.atom_entropy);
    else out.atom_entropy.clear();
  }
}

}    // namespace

void evaluate(Model &model, const EdgeInput &in, const Request &req, Output &out)
{
  try {
    run(model, in, req, out);
  } catch (const Error &) {
    throw;
  } catch (const c10::Error &e) {
    throw Error("model " + model.filename() + " failed: " + first_line(e.what_without_backtrace()));
  } catch (const std::exception &e) {
    throw Error("model " + model.filename() + " failed: " + first_line(e.what()));
  }
}

}    // namespace ptmlp
