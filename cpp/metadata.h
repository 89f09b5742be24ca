// The metadata.json contract of a model file (shared/design.md); mirrors python/ptmlp/metadata.py.
// Both validators accept exactly the same files with the same one-line messages: the shared test
// vectors in tests/data/metadata_vectors/ are run through both (tests/unit/test_metadata_vectors.py).
#pragma once

#include <string>
#include <vector>

namespace ptmlp {

constexpr int kFormatVersion = 1;
constexpr const char *kMetadataFile = "metadata.json";

// What training saw (metadata "training" block); each item is optional (older models lack some).
struct TrainingRanges {
  bool has_pressure = false;              // training.pressure_range_GPa
  double pressure_lo_GPa = 0.0, pressure_hi_GPa = 0.0;
  bool has_min_distance = false;          // training.min_pair_distance_A
  double min_distance_A = 0.0;
  bool has_neighbours = false;            // training.neighbours_per_atom_range (within r_cut)
  long long neighbours_min = 0, neighbours_max = 0;
};

struct Metadata {
  std::vector<std::string> type_names;    // model species, in model order
  double r_cut = 0.0;                     // angstrom
  bool float64 = true;                    // dtype of the model's parameters
  bool has_te = false;                    // electronic temperature is a model input
  bool te_per_atom = false;               // T_e may be given per local atom
  double te_min_K = 0.0, te_max_K = 0.0;  // training range of T_e
  TrainingRanges training;
  std::string json;                       // the raw text
};

// Parse and check the metadata text of `filename`; throws ptmlp::Error naming the file.
Metadata parse_metadata(const std::string &text, const std::string &filename);

// Throws ptmlp::Error if ensemble members disagree on type_names, r_cut or the T_e spec.
void check_ensemble(const std::vector<Metadata> &metas, const std::vector<std::string> &filenames);

}    // namespace ptmlp
