// Hard limits on a configuration, shared with the ASE calculator (python/ptmlp/guards.py holds the
// value and says why; CMakeLists.txt reads it from there and defines PTMLP_MIN_PAIR_DISTANCE_A).
#pragma once

#ifndef PTMLP_MIN_PAIR_DISTANCE_A
#error "PTMLP_MIN_PAIR_DISTANCE_A must be set by the build (CMakeLists.txt reads python/ptmlp/guards.py)"
#endif

namespace ptmlp {

// Two atoms closer than this (angstrom) stop the run: coincident or overlapping atoms.
constexpr double kMinPairDistanceA = PTMLP_MIN_PAIR_DISTANCE_A;

}    // namespace ptmlp
