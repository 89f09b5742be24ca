#include "compute_ptmlp_tel_entropy.h"

#include "atom.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "pair.h"
#include "update.h"

#include "pair_ptmlp_tel.h"

using namespace LAMMPS_NS;

ComputePtmlpTelEntropy::ComputePtmlpTelEntropy(LAMMPS *lmp, int narg, char **arg) : Compute(lmp, narg, arg)
{
  if (narg != 3) error->all(FLERR, "compute ptmlp/tel/entropy takes no arguments: compute ID group ptmlp/tel/entropy");
  scalar_flag = 1;
  extscalar = 1;
  vector_flag = 1;
  size_vector = 3;
  extvector = -1;
  extlist = new int[3]{1, 0, 1};
  peratom_flag = 1;
  size_peratom_cols = 0;
  vector = new double[3];
}

ComputePtmlpTelEntropy::~ComputePtmlpTelEntropy()
{
  delete[] vector;
  delete[] extlist;
  memory->destroy(peratom_);
}

void ComputePtmlpTelEntropy::find_pair()
{
  pair_ = dynamic_cast<PairPTMLPTel *>(force->pair_match("^ptmlp/tel", 0, 0));
  if (!pair_) error->all(FLERR, "compute ptmlp/tel/entropy requires pair_style ptmlp/tel");
}

void ComputePtmlpTelEntropy::init()
{
  find_pair();
}

double ComputePtmlpTelEntropy::compute_scalar()
{
  invoked_scalar = update->ntimestep;
  find_pair();
  double local = pair_->local_entropy(atom->mask, groupbit);
  MPI_Allreduce(&local, &scalar, 1, MPI_DOUBLE, MPI_SUM, world);
  return scalar;
}

void ComputePtmlpTelEntropy::compute_vector()
{
  invoked_vector = update->ntimestep;
  const double s = compute_scalar();
  vector[0] = s;
  vector[1] = pair_->te_K();
  vector[2] = pair_->te_K() * s;
}

void ComputePtmlpTelEntropy::compute_peratom()
{
  invoked_peratom = update->ntimestep;
  find_pair();
  if (atom->nmax > nmax_) {
    memory->destroy(peratom_);
    nmax_ = atom->nmax;
    memory->create(peratom_, nmax_, "ptmlp/tel/entropy:peratom");
    vector_atom = peratom_;
  }
  const auto &s = pair_->atom_entropy();
  const int *mask = atom->mask;
  for (int i = 0; i < atom->nlocal; ++i)
    peratom_[i] = (mask[i] & groupbit) && i < static_cast<int>(s.size()) ? s[i] : 0.0;
}

double ComputePtmlpTelEntropy::memory_usage()
{
  return static_cast<double>(nmax_) * sizeof(double);
}
