#include "profile.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ptmlp {

namespace {

struct Totals {
  double seconds[kNumPhases] = {0};
  long calls[kNumPhases] = {0};
  ~Totals()
  {
    if (!profiling()) return;
    const char *names[kNumPhases] = {"C++ edges forward", "C++ networks (fwd+bwd)", "C++ edges backward+ZBL",
                                     "forces/virials", "generic TorchScript (fwd+bwd)"};
    for (int p = 0; p < kNumPhases; ++p)
      if (calls[p])
        std::fprintf(stderr, "ptmlp profile: %-32s %10.3f s in %8ld calls (%.3f ms/call)\n", names[p], seconds[p],
                     calls[p], 1e3 * seconds[p] / calls[p]);
  }
};

Totals totals;

}    // namespace

bool profiling()
{
  static const bool on = [] {
    const char *e = std::getenv("PTMLP_PROFILE");
    return e && std::strcmp(e, "0") != 0;
  }();
  return on;
}

void add_time(Phase phase, double seconds)
{
  totals.seconds[phase] += seconds;
  totals.calls[phase] += 1;
}

}    // namespace ptmlp
