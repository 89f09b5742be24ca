#include "evaluate.h"

#include "errors.h"
#include "fused_v1.h"
#include "profile.h"

#include <optional>

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
  if (!model.metadata().has_te) {
    if (!in.te_K.empty()) throw Error("model " + model.filename() + " has no electronic-temperature input");
    return torch::Tensor();
  }
  if (in.te_K.empty()) throw Error("model " + model.filename() + " needs an electronic temperature");
  torch::Tensor te = in.te_K.size() == 1 ? torch::full({}, in.te_K[0], torch::kFloat64)
                                         : host_doubles(in.te_K, {static_cast<int64_t>(in.te_K.size())});
  te = te.to(model.device(), dtype, false, true);
  if (req.entropy) te.requires_grad_(true);
  return te;
}

void check_energies(Model &model, const torch::Tensor &atom_e, int64_t n_local)
{
  if (atom_e.dim() != 1 || atom_e.size(0) != n_local)
    throw Error("model " + model.filename() + " returned energies of shape " + std::to_string(atom_e.dim()) +
                "-d instead of one per local atom");
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

// Density by the fused C++ kernel, the per-atom networks in TorchScript (model v1 on CPU).
Gradients fused(Model &model, const EdgeInput &in, const Request &req, bool need_grad)
{
  const FusedV1 &k = *model.fused();
  const torch::Dtype dtype = model.dtype();
  const int64_t n_edges = in.n_edges(), n_local = in.n_local;
  std::vector<double> a_host;
  {
    ScopedTimer t(kPhaseDensity);
    k.density(in, a_host);
  }
  std::optional<ScopedTimer> t_net(std::in_place, kPhaseNetwork);    // ends where the backward starts
  torch::Tensor a = torch::from_blob(a_host.data(), {n_local, int64_t(k.n_channels()), int64_t(k.n_harmonics())},
                                     torch::kFloat64)
                        .to(torch::kCPU, dtype, false, true);
  a.requires_grad_(need_grad);
  torch::Tensor te = te_tensor(model, in, req, dtype);
  torch::Tensor s_i = host_longs(in.species).slice(0, 0, n_local).clone();
  std::vector<torch::jit::IValue> inputs{a, s_i, te.defined() ? torch::jit::IValue(te) : torch::jit::IValue()};
  torch::Tensor atom_e = model.module().get_method("energy_from_density")(inputs).toTensor();
  check_energies(model, atom_e, n_local);
  std::vector<torch::Tensor> wrt;
  if (need_grad) wrt.push_back(a);
  const bool want_entropy = te.defined() && req.entropy;
  if (want_entropy) wrt.push_back(te);
  std::vector<torch::Tensor> grads;
  if (!wrt.empty()) grads = torch::autograd::grad({atom_e.sum()}, wrt, {}, false, false, true);
  Gradients out;
  out.atom_e = atom_e.detach().to(torch::kFloat64).contiguous();
  out.g = torch::zeros({n_edges, 3}, torch::kFloat64);
  t_net.reset();
  ScopedTimer t_back(kPhaseBackward);
  if (need_grad && n_edges > 0 && grads[0].defined()) {
    torch::Tensor ga = grads[0].to(torch::kFloat64).contiguous();
    k.density_backward(in, ga.data_ptr<double>(), out.g.data_ptr<double>());
  }
  k.zbl(in, out.atom_e.data_ptr<double>(), out.g.data_ptr<double>());
  if (want_entropy) out.dfdt = grads.back().defined() ? grads.back().to(torch::kFloat64) : torch::zeros_like(te);
  return out;
}

bool sorted_by_centre(const EdgeInput &in)
{
  for (int64_t e = 1; e < in.n_edges(); ++e)
    if (in.edge_i[e] < in.edge_i[e - 1]) return false;
  return true;
}

void run(Model &model, const EdgeInput &in, const Request &req, Output &out)
{
  const bool need_grad = req.forces || req.virial || req.atom_virial;
  Gradients gr = (model.fused() && sorted_by_centre(in)) ? fused(model, in, req, need_grad)
                                                         : generic(model, in, req, need_grad);
  torch::NoGradGuard no_grad;
  ScopedTimer timer(kPhaseTail);
  const int64_t n_edges = in.n_edges(), n_atoms = in.n_atoms();
  out.energy = gr.atom_e.sum().item<double>();
  if (req.atom_energy) to_host(gr.atom_e, out.atom_energy);
  if (need_grad) {
    const torch::Device dev = gr.g.device();
    torch::Tensor ei = host_longs(in.edge_i).to(dev), ej = host_longs(in.edge_j).to(dev);
    const torch::Tensor &g = gr.g;
    if (req.forces) {
      torch::Tensor f = torch::zeros({n_atoms, 3}, g.options());
      f.index_add_(0, ei, g).index_add_(0, ej, -g);
      to_host(f, out.forces);
    }
    if (req.virial || req.atom_virial) {
      torch::Tensor vec = host_doubles(in.edge_vec, {n_edges, 3}).to(dev);
      torch::Tensor w = -vec.unsqueeze(2) * g.unsqueeze(1);    // (E, 3, 3): W_ab = -r_a g_b
      if (req.virial) {
        torch::Tensor wsum = w.sum(0).to(torch::kCPU).contiguous();
        auto acc = wsum.accessor<double, 2>();
        for (int c = 0; c < 9; ++c) out.virial[c] = acc[kVirialIndex[c][0]][kVirialIndex[c][1]];
      }
      if (req.atom_virial) {
        torch::Tensor wa = torch::zeros({n_atoms, 3, 3}, w.options()).index_add_(0, ej, w).reshape({n_atoms, 9});
        torch::Tensor order = torch::tensor({0, 4, 8, 1, 2, 5, 3, 6, 7}, torch::kInt64).to(wa.device());
        to_host(wa.index_select(1, order), out.atom_virial);
      }
    }
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
