/* ----------------------------------------------------------------------
   pair_style ptmlp/tel model.pt tel <T_e in K | v_name | c_ID>
------------------------------------------------------------------------- */

#include "pair_ptmlp_tel.h"

#include "atom.h"
#include "comm.h"
#include "compute.h"
#include "error.h"
#include "input.h"
#include "modify.h"
#include "update.h"
#include "utils.h"
#include "variable.h"

#include "evaluate.h"
#include "model.h"

#include <cmath>
#include <cstring>

using namespace LAMMPS_NS;

PairPTMLPTel::PairPTMLPTel(LAMMPS *lmp) : PairPTMLP(lmp)
{
  style_ = "ptmlp/tel";
}

int PairPTMLPTel::parse_keyword(int narg, char **arg, int iarg)
{
  if (strcmp(arg[iarg], "tel") != 0) return PairPTMLP::parse_keyword(narg, arg, iarg);
  if (iarg + 1 >= narg)
    error->all(FLERR, "pair_style ptmlp/tel: 'tel' needs a value: tel <T_e in K> | tel v_name | tel c_ID");
  const std::string v = arg[iarg + 1];
  if (utils::strmatch(v, "^v_")) {
    source_ = Source::VARIABLE;
    te_name_ = v.substr(2);
  } else if (utils::strmatch(v, "^c_")) {
    source_ = Source::COMPUTE;
    te_name_ = v.substr(2);
  } else if (utils::strmatch(v, "^f_")) {
    error->all(FLERR,
               "pair_style ptmlp/tel: 'tel {}' (per-atom T_e from a fix) is not supported yet; use tel <K>, "
               "tel v_name or tel c_ID",
               v);
  } else {
    source_ = Source::CONSTANT;
    te_const_ = utils::numeric(FLERR, v, false, lmp);
    if (!(te_const_ > 0.0))
      error->all(FLERR, "pair_style ptmlp/tel: tel {} must be a positive electronic temperature in K", v);
  }
  return 2;
}

void PairPTMLPTel::check_model_kind()
{
  if (source_ == Source::NONE)
    error->all(FLERR, "pair_style ptmlp/tel needs 'tel <T_e in K | v_name | c_ID>'");
  if (!models_->metadata().has_te)
    error->all(FLERR,
               "model {} has no electronic-temperature input; use pair_style ptmlp {} (without tel)",
               model_files_[0], model_files_[0]);
}

void PairPTMLPTel::init_style()
{
  PairPTMLP::init_style();
  if (source_ == Source::VARIABLE) {
    ivar_ = input->variable->find(te_name_.c_str());
    if (ivar_ < 0) error->all(FLERR, "pair_style ptmlp/tel: variable {} for tel does not exist", te_name_);
    if (!input->variable->equalstyle(ivar_))
      error->all(FLERR,
                 "pair_style ptmlp/tel: variable {} for tel must be equal-style (variable {} equal <expression>)",
                 te_name_, te_name_);
  } else if (source_ == Source::COMPUTE) {
    te_compute_ = modify->get_compute_by_id(te_name_);
    if (!te_compute_) error->all(FLERR, "pair_style ptmlp/tel: compute {} for tel does not exist", te_name_);
    if (!te_compute_->scalar_flag)
      error->all(FLERR, "pair_style ptmlp/tel: compute {} for tel must compute a global scalar (a temperature)",
                 te_name_);
  }
}

double PairPTMLPTel::current_te()
{
  double te = te_const_;
  const char *what = "tel";
  if (source_ == Source::VARIABLE) {
    te = input->variable->compute_equal(ivar_);
    what = "variable";
  } else if (source_ == Source::COMPUTE) {
    modify->clearstep_compute();
    // during setup the pair is evaluated before Modify::setup() has set up computes
    // (e.g. compute temp's degrees of freedom): do it here first
    if (update->setupflag) te_compute_->setup();
    if (update->setupflag || te_compute_->invoked_scalar != update->ntimestep) te = te_compute_->compute_scalar();
    else te = te_compute_->scalar;
    modify->addstep_compute(update->ntimestep + 1);
    what = "compute";
  }
  if (te == 0.0 && source_ == Source::COMPUTE)
    error->all(FLERR,
               "pair_style ptmlp/tel: T_e = 0 K from compute {} at step {}: the atoms have no velocities yet; "
               "create them before the run (velocity all create <T_K> <seed>), or run first with a fixed "
               "'tel <T_e in K>' and use 'tel c_{}' from the next run on",
               te_name_, update->ntimestep, te_name_);
  if (!(te > 0.0) || !std::isfinite(te))
    error->all(FLERR, "pair_style ptmlp/tel: T_e = {} K from {} {} at step {} must be positive", te, what, te_name_,
               update->ntimestep);
  const ptmlp::Metadata &meta = models_->metadata();
  if (!warned_range_ && (te < meta.te_min_K || te > meta.te_max_K) && comm->me == 0) {
    error->warning(FLERR,
                   "pair_style ptmlp/tel: T_e = {} K is outside the model's training range [{}, {}] K "
                   "(warned once)",
                   te, meta.te_min_K, meta.te_max_K);
  }
  if (te < meta.te_min_K || te > meta.te_max_K) warned_range_ = true;
  return te;
}

void PairPTMLPTel::fill_te(ptmlp::EdgeInput &in)
{
  te_last_ = current_te();
  in.te_K.assign(static_cast<size_t>(in.n_local), te_last_);    // per atom: gives per-atom S_e
}

void PairPTMLPTel::after_compute(const ptmlp::Output &out)
{
  atom_entropy_.assign(atom->nlocal, 0.0);
  if (out.atom_entropy.empty()) return;
  for (int64_t c = 0; c < in_->n_local; ++c) atom_entropy_[compact_to_lmp_[c]] = out.atom_entropy[c];
}

double PairPTMLPTel::local_entropy(const int *mask, int groupbit) const
{
  double sum = 0.0;
  const int n = std::min(static_cast<int>(atom_entropy_.size()), atom->nlocal);
  for (int i = 0; i < n; ++i)
    if (mask[i] & groupbit) sum += atom_entropy_[i];
  return sum;
}
