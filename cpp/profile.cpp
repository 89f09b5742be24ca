#include "profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ptmlp {

namespace {

struct Totals {
  double seconds[kNumPhases] = {0};
  long calls[kNumPhases] = {0};
  long long counts[kNumCounters] = {0};
  long long peak_device_bytes = -1;
  ~Totals()
  {
    if (!profiling()) return;
    const char *names[kNumPhases] = {"C++ edges forward",
                                     "C++ networks (fwd+bwd)",
                                     "C++ edges backward+ZBL",
                                     "forces/virials",
                                     "generic TorchScript (fwd+bwd)",
                                     "LAMMPS build edges",
                                     "LAMMPS scatter forces",
                                     "device pack staging (host)",
                                     "device host->device copy",
                                     "device model (fwd+bwd)",
                                     "device forces/virials",
                                     "device device->host copy"};
    for (int p = 0; p < kNumPhases; ++p)
      if (calls[p])
        std::fprintf(stderr, "ptmlp profile: %-32s %10.3f s in %8ld calls (%.3f ms/call)\n", names[p], seconds[p],
                     calls[p], 1e3 * seconds[p] / calls[p]);
    const char *counter_names[kNumCounters] = {"host->device copies",   "host->device bytes",
                                               "device->host copies",   "device->host bytes",
                                               "per-atom virial copies", "buffer growths",
                                               "device evaluations"};
    if (counts[kCountDeviceEvaluations] > 0) {
      for (int c = 0; c < kNumCounters; ++c)
        std::fprintf(stderr, "ptmlp profile: count %-24s %lld\n", counter_names[c], counts[c]);
      if (peak_device_bytes >= 0)
        std::fprintf(stderr, "ptmlp profile: count %-24s %lld\n", "peak device bytes", peak_device_bytes);
    }
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

void count(Counter counter, long long n)
{
  if (profiling()) totals.counts[counter] += n;
}

void record_peak_device_bytes(long long bytes)
{
  if (profiling()) totals.peak_device_bytes = std::max(totals.peak_device_bytes, bytes);
}

}    // namespace ptmlp
