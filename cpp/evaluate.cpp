#include "evaluate.h"

#include "errors.h"

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

void run(Model &model, const EdgeInput &in, const Request &req, Output &out)
{
  const torch::Device dev = model.device();
  const torch::Dtype dtype = model.dtype();
  const int64_t n_edges = in.n_edges(), n_atoms = in.n_atoms(), n_local = in.n_local;

  torch::Tensor vec = host_doubles(in.edge_vec, {n_edges, 3}).to(dev, dtype, false, true);
  torch::Tensor ei = host_longs(in.edge_i).to(dev);
  torch::Tensor ej = host_longs(in.edge_j).to(dev);
  torch::Tensor species = host_longs(in.species).to(dev);
  const bool need_grad = req.forces || req.virial || req.atom_virial;
  vec.requires_grad_(need_grad);

  const bool has_te = model.metadata().has_te;
  torch::jit::IValue te_value;    // None
  torch::Tensor te;
  if (has_te) {
    if (in.te_K.empty()) throw Error("model " + model.filename() + " needs an electronic temperature");
    te = in.te_K.size() == 1 ? torch::full({}, in.te_K[0], torch::kFloat64)
                             : host_doubles(in.te_K, {static_cast<int64_t>(in.te_K.size())});
    te = te.to(dev, dtype, false, true);
    if (req.entropy) te.requires_grad_(true);
    te_value = te;
  } else if (!in.te_K.empty()) {
    throw Error("model " + model.filename() + " has no electronic-temperature input");
  }

  std::vector<torch::jit::IValue> inputs{vec, ei, ej, species, n_local, te_value};
  torch::Tensor atom_e = model.module().forward(inputs).toTensor();
  if (atom_e.dim() != 1 || atom_e.size(0) != n_local)
    throw Error("model " + model.filename() + " returned energies of shape " + std::to_string(atom_e.dim()) +
                "-d instead of one per local atom");
  torch::Tensor total = atom_e.sum();

  std::vector<torch::Tensor> wrt;
  if (need_grad && n_edges > 0) wrt.push_back(vec);
  const bool want_entropy = has_te && req.entropy;
  if (want_entropy) wrt.push_back(te);
  std::vector<torch::Tensor> grads;
  if (!wrt.empty()) grads = torch::autograd::grad({total}, wrt, {}, false, false, true);

  torch::NoGradGuard no_grad;
  out.energy = total.item<double>();
  if (req.atom_energy) to_host(atom_e, out.atom_energy);

  torch::Tensor g;
  if (need_grad) {
    g = (n_edges > 0 && grads[0].defined()) ? grads[0] : torch::zeros({n_edges, 3}, vec.options());
    g = g.to(torch::kFloat64);
  }
  if (req.forces) {
    torch::Tensor f = torch::zeros({n_atoms, 3}, g.options());
    f.index_add_(0, ei, g).index_add_(0, ej, -g);
    to_host(f, out.forces);
  }
  if (req.virial || req.atom_virial) {
    torch::Tensor w = -vec.detach().to(torch::kFloat64).unsqueeze(2) * g.unsqueeze(1);    // (E, 3, 3)
    if (req.virial) {
      torch::Tensor wsum = w.sum(0).to(torch::kCPU).contiguous();
      auto acc = wsum.accessor<double, 2>();
      for (int k = 0; k < 9; ++k) out.virial[k] = acc[kVirialIndex[k][0]][kVirialIndex[k][1]];
    }
    if (req.atom_virial) {
      torch::Tensor wa = torch::zeros({n_atoms, 3, 3}, w.options()).index_add_(0, ej, w).reshape({n_atoms, 9});
      // row-major 3x3 -> LAMMPS cvatom order
      torch::Tensor order = torch::tensor({0, 4, 8, 1, 2, 5, 3, 6, 7}, torch::kInt64).to(wa.device());
      to_host(wa.index_select(1, order), out.atom_virial);
    }
  }
  if (want_entropy) {
    torch::Tensor dfdt = grads.back().defined() ? grads.back() : torch::zeros_like(te);
    torch::Tensor s = -dfdt.to(torch::kFloat64);
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
