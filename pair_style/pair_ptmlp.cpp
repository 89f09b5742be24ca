/* ----------------------------------------------------------------------
   pair_style ptmlp — see pair_ptmlp.h and doc in README.md.
   The maths lives in cpp/ (no LAMMPS headers there); this file only
   checks input, gathers edges, calls the core and scatters the results.
------------------------------------------------------------------------- */

#include "pair_ptmlp.h"

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neighbor.h"
#include "update.h"
#include "utils.h"

#include "device.h"
#include "errors.h"
#include "evaluate.h"
#include "guards.h"
#include "model.h"
#include "profile.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

using namespace LAMMPS_NS;

namespace {

// Broadcast a byte string from rank 0 (in chunks below INT_MAX).
void bcast_bytes(std::string &s, MPI_Comm world, int me)
{
  long long n = static_cast<long long>(s.size());
  MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, world);
  if (me != 0) s.resize(static_cast<size_t>(n));
  const long long chunk = INT_MAX / 2;
  for (long long off = 0; off < n; off += chunk) {
    int len = static_cast<int>(std::min(chunk, n - off));
    MPI_Bcast(&s[static_cast<size_t>(off)], len, MPI_CHAR, 0, world);
  }
}

}    // namespace

/* ---------------------------------------------------------------------- */

PairPTMLP::PairPTMLP(LAMMPS *lmp) :
    Pair(lmp), style_("ptmlp"), in_(new ptmlp::EdgeInput), out_(new ptmlp::Output),
    member_out_(new ptmlp::Output)
{
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  centroidstressflag = CENTROID_AVAIL;
  no_virial_fdotr_compute = 1;    // the core returns the exact virial from the edges
  unit_convert_flag = 0;
}

PairPTMLP::~PairPTMLP()
{
  if (devi_fp_) fclose(devi_fp_);
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

[[noreturn]] void PairPTMLP::fail_all(const std::string &msg)
{
  error->all(FLERR, msg);
}

/* ---------------------------------------------------------------------- */

int PairPTMLP::parse_keyword(int narg, char **arg, int iarg)
{
  if (strcmp(arg[iarg], "device") == 0) return parse_device_keyword(lmp, style_, narg, arg, iarg, device_);
  if (strcmp(arg[iarg], "deviation") == 0) {
    if (iarg + 2 >= narg)
      error->all(FLERR, "pair_style {} deviation needs an interval and a file: deviation N devi.out", style_);
    devi_every_ = utils::inumeric(FLERR, arg[iarg + 1], false, lmp);
    if (devi_every_ <= 0)
      error->all(FLERR, "pair_style {} deviation interval {} must be a positive number of steps", style_,
                 arg[iarg + 1]);
    devi_path_ = arg[iarg + 2];
    return 3;
  }
  if (strcmp(arg[iarg], "relative") == 0) {
    if (iarg + 1 >= narg)
      error->all(FLERR, "pair_style {} relative needs a force level in eV/angstrom, e.g. relative 1.0", style_);
    devi_relative_ = utils::numeric(FLERR, arg[iarg + 1], false, lmp);
    if (devi_relative_ <= 0.0)
      error->all(FLERR, "pair_style {} relative level {} must be positive (eV/angstrom)", style_, arg[iarg + 1]);
    return 2;
  }
  return 0;
}

void PairPTMLP::settings(int narg, char **arg)
{
  if (narg < 1)
    error->all(FLERR,
               "pair_style {} needs a model file: pair_style {} model.pt [m1.pt ...] [deviation N devi.out] "
               "[device cpu|cuda|auto [share]]",
               style_, style_);
  model_files_.clear();
  device_ = DeviceRequest();
  devi_every_ = 0;
  devi_relative_ = -1.0;
  for (int iarg = 0; iarg < narg;) {
    int used = parse_keyword(narg, arg, iarg);
    if (used > 0) {
      iarg += used;
    } else {
      model_files_.emplace_back(arg[iarg]);
      ++iarg;
    }
  }
  if (model_files_.empty()) error->all(FLERR, "pair_style {} needs at least one model file", style_);
  if (model_files_.size() > 1 && devi_every_ == 0)
    error->all(FLERR,
               "pair_style {} got {} model files but no 'deviation N file': an ensemble is only "
               "useful with deviation output (m0 drives the dynamics)",
               style_, model_files_.size());
  if (devi_relative_ > 0.0 && devi_every_ == 0)
    error->all(FLERR, "pair_style {} relative needs 'deviation N file'", style_);
  load_models();
  check_model_kind();
}

void PairPTMLP::load_models()
{
  const int me = comm->me;
  std::vector<std::string> bytes(model_files_.size());
  std::string problem;
  if (me == 0) {
    try {
      for (size_t k = 0; k < model_files_.size(); ++k) bytes[k] = ptmlp::read_file_bytes(model_files_[k]);
    } catch (const ptmlp::Error &e) {
      problem = e.what();
    }
  }
  bcast_bytes(problem, world, me);
  if (!problem.empty()) fail_all(problem);
  for (auto &b : bytes) bcast_bytes(b, world, me);

  const Placement placement = place_ranks(lmp, style_, device_);
  ranks_on_node_ = placement.ranks_on_node;
  const std::string &device_text = placement.description;
  try {
    const torch::Device device = placement.cuda && !ptmlp::fake_gpus()
        ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(placement.gpu_index))
        : torch::Device(torch::kCPU);
    models_ = std::make_unique<ptmlp::Ensemble>(bytes, model_files_, device);
  } catch (const ptmlp::Error &e) {
    fail_all(e.what());
  } catch (const std::exception &e) {
    fail_all(ptmlp::first_line(e.what()));
  }
  threads_ = 0;
  use_lammps_threads();
  const ptmlp::Metadata &meta = models_->metadata();
  r_cut_ = meta.r_cut;
  warned_pressure_ = warned_distance_ = warned_neighbours_ = false;
  if (me == 0) {
    std::string species;
    for (const auto &s : meta.type_names) species += " " + s;
    utils::logmesg(lmp,
                   "pair_style {}: {} model(s), species{}, r_cut {} angstrom, {}, rank 0 on {} with {} "
                   "thread(s) per MPI rank (LAMMPS's OpenMP thread count: OMP_NUM_THREADS or package omp, "
                   "1 when unset), {}\n",
                   style_, models_->size(), species, r_cut_, meta.float64 ? "float64" : "float32",
                   device_text, threads_,
                   (*models_)[0].staged() ? "device path (one copy in, one out; frozen TorchScript graph)"
                   : (*models_)[0].fused() ? "whole model in C++ (fused kernels)"
                                           : "TorchScript model");
  }
}

// One rule for the thread count: the one LAMMPS reports ("using N OpenMP thread(s) per MPI task"),
// comm->nthreads = OMP_NUM_THREADS, or N of `package omp N` (which LAMMPS takes only before the box,
// so before any pair_style), and 1 when OMP_NUM_THREADS is unset. Warns (rank 0) when that count
// cannot fit the CPUs: more threads than rank 0's affinity mask allows (a SLURM cpuset) or
// threads x ranks on the node above its online CPUs.
void PairPTMLP::use_lammps_threads()
{
  const int threads = std::max(1, comm->nthreads);
  if (threads == threads_) return;
  ptmlp::set_threads(threads);
  threads_ = threads;
  if (comm->me != 0) return;
  const int mask_cpus = ptmlp::usable_cpus();
  const int online = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (threads > mask_cpus || threads * ranks_on_node_ > online)
    error->warning(FLERR,
                   "pair_style {}: {} thread(s) per MPI rank x {} rank(s) on this node oversubscribe the CPUs "
                   "(rank 0 may run on {} of the node's {}); set OMP_NUM_THREADS (e.g. to $SLURM_CPUS_PER_TASK) "
                   "so that threads x ranks per node <= cores",
                   style_, threads, ranks_on_node_, mask_cpus, online);
}

void PairPTMLP::check_model_kind()
{
  if (models_->metadata().has_te)
    error->all(FLERR,
               "model {} has an electronic-temperature input; use pair_style ptmlp/tel {} tel "
               "<T_e in K | v_name | c_ID>",
               model_files_[0], model_files_[0]);
}

/* ---------------------------------------------------------------------- */

void PairPTMLP::allocate()
{
  allocated = 1;
  const int n = atom->ntypes + 1;
  memory->create(setflag, n, n, "pair:setflag");
  memory->create(cutsq, n, n, "pair:cutsq");
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) setflag[i][j] = 0;
}

void PairPTMLP::coeff(int narg, char **arg)
{
  if (!models_) error->all(FLERR, "pair_coeff before pair_style {}", style_);
  if (!allocated) allocate();
  const int ntypes = atom->ntypes;
  if (narg != 2 + ntypes)
    error->all(FLERR,
               "pair_coeff * * needs one species name (or NULL) per LAMMPS atom type: this box has {} "
               "type(s), got {} name(s)",
               ntypes, narg - 2);
  if (strcmp(arg[0], "*") != 0 || strcmp(arg[1], "*") != 0)
    error->all(FLERR, "pair_style {} takes only 'pair_coeff * * <species per type>', got 'pair_coeff {} {}'",
               style_, arg[0], arg[1]);
  const auto &names = models_->metadata().type_names;
  std::string known;
  for (const auto &s : names) known += (known.empty() ? "" : " ") + s;
  type_species_.assign(ntypes + 1, -1);
  for (int t = 1; t <= ntypes; ++t) {
    const std::string name = arg[1 + t];
    if (name == "NULL") continue;
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
      error->all(FLERR,
                 "pair_coeff: species '{}' (LAMMPS type {}) is not in model {}; the model's species are: {} "
                 "(use NULL for types the model does not cover)",
                 name, t, model_files_[0], known);
    type_species_[t] = static_cast<int>(it - names.begin());
  }
  int count = 0;
  for (int i = 1; i <= ntypes; ++i)
    for (int j = i; j <= ntypes; ++j)
      if (type_species_[i] >= 0 && type_species_[j] >= 0) {
        setflag[i][j] = 1;
        ++count;
      }
  if (count == 0) error->all(FLERR, "pair_coeff * * maps no LAMMPS type to a species of model {}", model_files_[0]);
}

void PairPTMLP::init_style()
{
  if (strcmp(update->unit_style, "metal") != 0)
    error->all(FLERR,
               "pair_style {} requires 'units metal' (models are in eV and angstrom); this input uses "
               "'units {}'",
               style_, update->unit_style);
  if (force->newton_pair == 0)
    error->all(FLERR, "pair_style {} requires 'newton on': forces on ghost atoms are summed onto their owners",
               style_);
  if (atom->tag_enable == 0)
    error->all(FLERR, "pair_style {} requires atom IDs (do not use 'atom_modify id no')", style_);
  neighbor->add_request(this, NeighConst::REQ_FULL);
  comm_reverse = devi_every_ > 0 ? 3 * static_cast<int>(models_->size()) : 0;
  if (devi_every_ > 0 && comm->me == 0 && !devi_fp_) {
    devi_fp_ = fopen(devi_path_.c_str(), "w");
    if (!devi_fp_)
      error->one(FLERR, "pair_style {}: cannot open deviation file {}: {}", style_, devi_path_,
                 utils::getsyserror());
    fprintf(devi_fp_, "%-12s %18s %18s %18s %18s %18s %18s %18s\n", "#       step", "max_devi_v", "min_devi_v",
            "avg_devi_v", "max_devi_f", "min_devi_f", "avg_devi_f", "devi_e");
    fflush(devi_fp_);
  }
}

double PairPTMLP::init_one(int i, int j)
{
  if (setflag[i][j] == 0 && !(type_species_[i] >= 0 && type_species_[j] >= 0))
    error->all(FLERR, "pair_style {}: types {} and {} have no species (pair_coeff NULL)", style_, i, j);
  return r_cut_;
}

void PairPTMLP::setup()
{
  // LAMMPS sizes the ghost shell from init_one(); guard against anything that shrinks it.
  const double ghost = std::max(neighbor->cutneighmax, comm->cutghostuser);
  if (ghost < r_cut_)
    error->all(FLERR,
               "pair_style {}: model cutoff {} angstrom is larger than the ghost/neighbour cutoff {} "
               "angstrom; use a neighbor skin and 'comm_modify cutoff' of at least the model cutoff",
               style_, r_cut_, ghost);
}

/* ---------------------------------------------------------------------- */

void PairPTMLP::build_edges()
{
  ptmlp::ScopedTimer timer(ptmlp::kPhaseBuildEdges);
  ptmlp::EdgeInput &in = *in_;
  in.clear();
  const int nall = atom->nlocal + atom->nghost;
  double **x = atom->x;
  const int *type = atom->type;
  const int inum = list->inum;
  const int *ilist = list->ilist;
  const int *numneigh = list->numneigh;
  int **firstneigh = list->firstneigh;
  const double rc2 = r_cut_ * r_cut_;

  lmp_to_compact_.assign(nall, -1);
  compact_to_lmp_.clear();
  for (int ii = 0; ii < inum; ++ii) {
    const int i = ilist[ii];
    const int s = type_species_[type[i]];
    if (s < 0) continue;
    lmp_to_compact_[i] = static_cast<int>(compact_to_lmp_.size());
    compact_to_lmp_.push_back(i);
    in.species.push_back(s);
  }
  in.n_local = static_cast<int64_t>(compact_to_lmp_.size());
  double min_r2 = std::numeric_limits<double>::infinity();    // the pair itself: closest_pair(), rarely
  int min_neigh = INT_MAX, max_neigh = 0;
  for (int ii = 0; ii < inum; ++ii) {
    const int i = ilist[ii];
    const int ci = lmp_to_compact_[i];
    if (ci < 0) continue;
    const int *jlist = firstneigh[i];
    const size_t first_edge = in.edge_i.size();
    for (int jj = 0; jj < numneigh[i]; ++jj) {
      const int j = jlist[jj] & NEIGHMASK;
      const int sj = type_species_[type[j]];
      if (sj < 0) continue;
      const double dx = x[j][0] - x[i][0], dy = x[j][1] - x[i][1], dz = x[j][2] - x[i][2];
      const double r2 = dx * dx + dy * dy + dz * dz;
      if (r2 >= rc2) continue;
      min_r2 = std::min(min_r2, r2);
      int cj = lmp_to_compact_[j];
      if (cj < 0) {
        cj = static_cast<int>(compact_to_lmp_.size());
        lmp_to_compact_[j] = cj;
        compact_to_lmp_.push_back(j);
        in.species.push_back(sj);
      }
      in.edge_i.push_back(ci);
      in.edge_j.push_back(cj);
      in.edge_vec.push_back(dx);
      in.edge_vec.push_back(dy);
      in.edge_vec.push_back(dz);
    }
    const int count = static_cast<int>(in.edge_i.size() - first_edge);
    min_neigh = std::min(min_neigh, count);
    max_neigh = std::max(max_neigh, count);
  }
  min_r2_ = min_r2;
  min_neigh_ = min_neigh;
  max_neigh_ = max_neigh;
  if (min_r2 < ptmlp::kMinPairDistanceA * ptmlp::kMinPairDistanceA) fail_below_floor();
  fill_te(in);
}

// Kept out of build_edges() so that the message formatting does not weigh on the edge loop.
__attribute__((noinline)) void PairPTMLP::fail_below_floor()
{
  error->one(FLERR,
             "pair_style {}: {} at step {}, closer than the {} angstrom floor (coincident or overlapping atoms); "
             "fix the structure (e.g. delete_atoms overlap 0.5 all all)",
             style_, closest_pair(-1), update->ntimestep, ptmlp::kMinPairDistanceA);
}

// "atoms I and J are D angstrom apart" for the shortest edge (of compact atom `compact_atom`, or of
// all edges when it is < 0), with LAMMPS atom IDs; O(edges), for error messages only.
std::string PairPTMLP::closest_pair(int64_t compact_atom) const
{
  const ptmlp::EdgeInput &in = *in_;
  double best = std::numeric_limits<double>::infinity();
  int64_t pick = -1;
  for (int64_t e = 0; e < in.n_edges(); ++e) {
    if (compact_atom >= 0 && in.edge_i[e] != compact_atom && in.edge_j[e] != compact_atom) continue;
    const double *r = &in.edge_vec[3 * e];
    const double r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
    if (pick < 0 || !(r2 >= best)) {    // a NaN distance wins: it names the broken pair
      best = r2;
      pick = e;
    }
  }
  if (pick < 0) return "no pair within r_cut";
  const tagint *tag = atom->tag;
  return fmt::format("atoms {} and {} are {:.4g} angstrom apart", tag[compact_to_lmp_[in.edge_i[pick]]],
                     tag[compact_to_lmp_[in.edge_j[pick]]], std::sqrt(best));
}

void PairPTMLP::scatter(const ptmlp::Output &out, int eflag_atom_now, int vflag_atom_now, int cvflag_atom_now)
{
  ptmlp::ScopedTimer timer(ptmlp::kPhaseScatter);
  double **f = atom->f;
  const size_t n = compact_to_lmp_.size();
  for (size_t c = 0; c < n; ++c) {
    const int i = compact_to_lmp_[c];
    f[i][0] += out.forces[3 * c];
    f[i][1] += out.forces[3 * c + 1];
    f[i][2] += out.forces[3 * c + 2];
  }
  if (eflag_global) eng_vdwl += out.energy;
  if (eflag_atom_now)
    for (int64_t c = 0; c < in_->n_local; ++c) eatom[compact_to_lmp_[c]] += out.atom_energy[c];
  if (vflag_global)
    for (int k = 0; k < 6; ++k) virial[k] += out.virial[k];
  if (vflag_atom_now) {
    for (size_t c = 0; c < n; ++c) {
      const double *w = &out.atom_virial[9 * c];
      double *v = vatom[compact_to_lmp_[c]];
      v[0] += w[0];
      v[1] += w[1];
      v[2] += w[2];
      v[3] += 0.5 * (w[3] + w[6]);
      v[4] += 0.5 * (w[4] + w[7]);
      v[5] += 0.5 * (w[5] + w[8]);
    }
  }
  if (cvflag_atom_now)
    for (size_t c = 0; c < n; ++c)
      for (int k = 0; k < 9; ++k) cvatom[compact_to_lmp_[c]][k] += out.atom_virial[9 * c + k];
}

void PairPTMLP::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  build_edges();
  ptmlp::Request req;
  req.atom_energy = eflag_atom != 0;
  const bool devi_step = devi_every_ > 0 && update->ntimestep % devi_every_ == 0;
  req.virial = vflag_global != 0 || devi_step;
  req.atom_virial = vflag_atom != 0 || cvflag_atom != 0;
  req.entropy = wants_entropy();
  if (in_->n_local > 0) {
    try {
      ptmlp::evaluate((*models_)[0], *in_, req, *out_);
    } catch (const ptmlp::Error &e) {
      error->one(FLERR, "pair_style {}: {}", style_, e.what());
    }
    check_finite(*out_);
    scatter(*out_, eflag_atom, vflag_atom, cvflag_atom);
    after_compute(*out_);
  } else {
    *out_ = ptmlp::Output();
    after_compute(*out_);
  }
  if (vflag_global) check_training_ranges();
  if (devi_step) write_deviation();
}

// A NaN or infinite energy or force stops the run on the rank that sees it, naming the atom and
// its nearest neighbour. Cost: one pass over the 3N forces (the sum is non-finite if any term is).
void PairPTMLP::check_finite(const ptmlp::Output &out)
{
  double sum = out.energy;
  for (double f : out.forces) sum += f;
  if (std::isfinite(sum)) return;
  const size_t n = compact_to_lmp_.size();
  size_t bad = n;
  for (size_t c = 0; c < n && bad == n; ++c)
    if (!std::isfinite(out.forces[3 * c]) || !std::isfinite(out.forces[3 * c + 1]) ||
        !std::isfinite(out.forces[3 * c + 2]))
      bad = c;
  if (bad == n)
    error->one(FLERR,
               "pair_style {}: model {} returned a non-finite energy ({}) at step {} with finite forces (closest "
               "pair: {}); the configuration is outside what the model can describe",
               style_, model_files_[0], out.energy, update->ntimestep, closest_pair(-1));
  error->one(FLERR,
             "pair_style {}: model {} returned a non-finite force on atom {} at step {} (its closest pair: {}); "
             "the configuration is outside what the model can describe (check the structure and the timestep)",
             style_, model_files_[0], atom->tag[compact_to_lmp_[bad]], update->ntimestep,
             closest_pair(static_cast<int64_t>(bad)));
}

// Warn once per quantity (rank 0, with the values) when the virial pressure, the shortest pair
// distance or the neighbour count leaves what the model's metadata says training saw; a model
// that records none of them is not checked. Runs only when LAMMPS computes the global virial
// anyway (thermo steps; every step under a barostat) and until every recorded quantity has been
// warned about: two MPI_Allreduce of 3 + 1 doubles; build_edges() already tracked the shortest
// distance and the neighbour counts (one compare per edge, two per atom).
void PairPTMLP::check_training_ranges()
{
  const ptmlp::TrainingRanges &tr = models_->metadata().training;
  const bool want_p = tr.has_pressure && !warned_pressure_ && domain->dimension == 3;
  const bool want_d = tr.has_min_distance && !warned_distance_;
  const bool want_n = tr.has_neighbours && !warned_neighbours_;
  if (!want_p && !want_d && !want_n) return;
  const bool any_local = in_->n_local > 0;
  double local[3] = {any_local ? min_r2_ : std::numeric_limits<double>::infinity(),
                     any_local ? static_cast<double>(min_neigh_) : std::numeric_limits<double>::infinity(),
                     any_local ? -static_cast<double>(max_neigh_) : std::numeric_limits<double>::infinity()};
  double global[3];
  MPI_Allreduce(local, global, 3, MPI_DOUBLE, MPI_MIN, world);
  const double w_local = virial[0] + virial[1] + virial[2];
  double w = 0.0;
  MPI_Allreduce(&w_local, &w, 1, MPI_DOUBLE, MPI_SUM, world);

  std::string outside;
  auto add = [&outside](const std::string &part) { outside += (outside.empty() ? "" : "; ") + part; };
  if (want_p) {
    const double volume = domain->xprd * domain->yprd * domain->zprd;
    const double p_GPa = w / (3.0 * volume) * force->nktv2p * 1.0e-4;    // bar -> GPa
    if (p_GPa < tr.pressure_lo_GPa || p_GPa > tr.pressure_hi_GPa) {
      warned_pressure_ = true;
      add(fmt::format("virial pressure {:.4g} GPa (trained {:.4g} to {:.4g} GPa)", p_GPa, tr.pressure_lo_GPa,
                      tr.pressure_hi_GPa));
    }
  }
  if (want_d && std::isfinite(global[0]) && std::sqrt(global[0]) < tr.min_distance_A) {
    warned_distance_ = true;
    add(fmt::format("shortest pair distance {:.4g} angstrom (trained >= {:.4g} angstrom)", std::sqrt(global[0]),
                    tr.min_distance_A));
  }
  if (want_n && std::isfinite(global[1])) {
    const long long lo = static_cast<long long>(global[1]), hi = static_cast<long long>(-global[2]);
    if (lo < tr.neighbours_min || hi > tr.neighbours_max) {
      warned_neighbours_ = true;
      add(fmt::format("neighbours per atom within r_cut {} to {} (trained {} to {})", lo, hi, tr.neighbours_min,
                      tr.neighbours_max));
    }
  }
  if (!outside.empty() && comm->me == 0)
    error->warning(FLERR,
                   "pair_style {}: at step {} the configuration is outside the training data of model {}: {}; "
                   "results are extrapolated (warned once per quantity)",
                   style_, update->ntimestep, model_files_[0], outside);
}

/* ----------------------------------------------------------------------
   ensemble deviation (DeePMD-kit model_devi.out columns + energy deviation):
   forces of every member are summed onto owned atoms by a reverse communication,
   then per-atom std over members is reduced over all ranks.
------------------------------------------------------------------------- */

void PairPTMLP::write_deviation()
{
  const int nmodels = static_cast<int>(models_->size());
  const int nall = atom->nlocal + atom->nghost;
  const int nlocal = atom->nlocal;
  member_f_.assign(static_cast<size_t>(nall) * nmodels * 3, 0.0);
  std::vector<double> energy(nmodels, 0.0), vir(9 * nmodels, 0.0);
  ptmlp::Request req;
  req.virial = true;
  for (int k = 0; k < nmodels; ++k) {
    if (in_->n_local == 0) continue;
    const ptmlp::Output *o = out_.get();    // member 0 was evaluated with the virial on this step
    if (k > 0) {
      try {
        ptmlp::evaluate((*models_)[k], *in_, req, *member_out_);
      } catch (const ptmlp::Error &e) {
        error->one(FLERR, "pair_style {}: {}", style_, e.what());
      }
      o = member_out_.get();
    }
    energy[k] = o->energy;
    for (int c = 0; c < 9; ++c) vir[9 * k + c] = o->virial[c];
    for (size_t c = 0; c < compact_to_lmp_.size(); ++c) {
      double *dst = &member_f_[(static_cast<size_t>(compact_to_lmp_[c]) * nmodels + k) * 3];
      dst[0] += o->forces[3 * c];
      dst[1] += o->forces[3 * c + 1];
      dst[2] += o->forces[3 * c + 2];
    }
  }
  comm->reverse_comm(this);

  // per owned atom: std over members of the force vector
  double fmax = 0.0, fmin = 1e300, fsum = 0.0;
  const int *type = atom->type;
  long long counted = 0;
  for (int i = 0; i < nlocal; ++i) {
    if (type_species_[type[i]] < 0) continue;
    double mean[3] = {0, 0, 0};
    for (int k = 0; k < nmodels; ++k)
      for (int d = 0; d < 3; ++d) mean[d] += member_f_[(static_cast<size_t>(i) * nmodels + k) * 3 + d];
    for (double &m : mean) m /= nmodels;
    double var = 0.0;
    for (int k = 0; k < nmodels; ++k)
      for (int d = 0; d < 3; ++d) {
        double diff = member_f_[(static_cast<size_t>(i) * nmodels + k) * 3 + d] - mean[d];
        var += diff * diff;
      }
    double devi = std::sqrt(var / nmodels);
    if (devi_relative_ > 0.0)
      devi /= std::sqrt(mean[0] * mean[0] + mean[1] * mean[1] + mean[2] * mean[2]) + devi_relative_;
    fmax = std::max(fmax, devi);
    fmin = std::min(fmin, devi);
    fsum += devi;
    ++counted;
  }
  double gmax, gmin, gsum;
  long long gcount;
  MPI_Allreduce(&fmax, &gmax, 1, MPI_DOUBLE, MPI_MAX, world);
  MPI_Allreduce(&fmin, &gmin, 1, MPI_DOUBLE, MPI_MIN, world);
  MPI_Allreduce(&fsum, &gsum, 1, MPI_DOUBLE, MPI_SUM, world);
  MPI_Allreduce(&counted, &gcount, 1, MPI_LONG_LONG, MPI_SUM, world);
  std::vector<double> genergy(nmodels), gvir(9 * nmodels);
  MPI_Allreduce(energy.data(), genergy.data(), nmodels, MPI_DOUBLE, MPI_SUM, world);
  MPI_Allreduce(vir.data(), gvir.data(), 9 * nmodels, MPI_DOUBLE, MPI_SUM, world);

  if (comm->me != 0 || gcount == 0) return;
  const double natoms = static_cast<double>(gcount);
  double vmax = 0.0, vmin = 1e300, vsum = 0.0;
  for (int c = 0; c < 9; ++c) {
    double mean = 0.0, var = 0.0;
    for (int k = 0; k < nmodels; ++k) mean += gvir[9 * k + c];
    mean /= nmodels;
    for (int k = 0; k < nmodels; ++k) var += (gvir[9 * k + c] - mean) * (gvir[9 * k + c] - mean);
    const double devi = std::sqrt(var / nmodels) / natoms;
    vmax = std::max(vmax, devi);
    vmin = std::min(vmin, devi);
    vsum += devi;
  }
  double emean = 0.0, evar = 0.0;
  for (double e : genergy) emean += e;
  emean /= nmodels;
  for (double e : genergy) evar += (e - emean) * (e - emean);
  const double devi_e = std::sqrt(evar / nmodels) / natoms;
  fprintf(devi_fp_, "%12lld %18.10e %18.10e %18.10e %18.10e %18.10e %18.10e %18.10e\n",
          static_cast<long long>(update->ntimestep), vmax, vmin, vsum / 9.0, gmax, gmin, gsum / natoms, devi_e);
  fflush(devi_fp_);
}

int PairPTMLP::pack_reverse_comm(int n, int first, double *buf)
{
  const int width = 3 * static_cast<int>(models_->size());
  int m = 0;
  for (int i = first; i < first + n; ++i)
    for (int c = 0; c < width; ++c) buf[m++] = member_f_[static_cast<size_t>(i) * width + c];
  return m;
}

void PairPTMLP::unpack_reverse_comm(int n, int *list, double *buf)
{
  const int width = 3 * static_cast<int>(models_->size());
  int m = 0;
  for (int ii = 0; ii < n; ++ii) {
    const int j = list[ii];
    for (int c = 0; c < width; ++c) member_f_[static_cast<size_t>(j) * width + c] += buf[m++];
  }
}

double PairPTMLP::memory_usage()
{
  double bytes = Pair::memory_usage();
  bytes += static_cast<double>(in_->edge_vec.capacity()) * sizeof(double);
  bytes += static_cast<double>(in_->edge_i.capacity() + in_->edge_j.capacity() + in_->species.capacity()) *
      sizeof(int64_t);
  bytes += static_cast<double>(member_f_.capacity()) * sizeof(double);
  return bytes;
}
