// Phase timers of the core (PTMLP_PROFILE=1 prints them to stderr at exit).
#pragma once

#include <chrono>

namespace ptmlp {

// The three C++ phases are summed over threads (thread-seconds).
enum Phase { kPhaseEdgesForward, kPhaseNetworkCpp, kPhaseEdgesBackward, kPhaseTail, kPhaseGeneric, kNumPhases };

bool profiling();
void add_time(Phase phase, double seconds);

class ScopedTimer {
 public:
  explicit ScopedTimer(Phase p) : phase_(p), on_(profiling()), t0_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer()
  {
    if (on_) add_time(phase_, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
  }

 private:
  Phase phase_;
  bool on_;
  std::chrono::steady_clock::time_point t0_;
};

}    // namespace ptmlp
