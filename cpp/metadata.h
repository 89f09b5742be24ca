// The metadata.json contract of a model file (shared/design.md); mirrors python/ptmlp/metadata.py.
#pragma once

#include <string>
#include <vector>

namespace ptmlp {

constexpr int kFormatVersion = 1;
constexpr const char *kMetadataFile = "metadata.json";

struct Metadata {
  std::vector<std::string> type_names;    // model species, in model order
  double r_cut = 0.0;                     // angstrom
  bool float64 = true;                    // dtype of the model's parameters
  bool has_te = false;                    // electronic temperature is a model input
  bool te_per_atom = false;               // T_e may be given per local atom
  double te_min_K = 0.0, te_max_K = 0.0;  // training range of T_e
  std::string json;                       // the raw text
};

// Parse and check the metadata text of `filename`; throws ptmlp::Error naming the file.
Metadata parse_metadata(const std::string &text, const std::string &filename);

// Throws ptmlp::Error if ensemble members disagree on type_names, r_cut or the T_e spec.
void check_ensemble(const std::vector<Metadata> &metas, const std::vector<std::string> &filenames);

}    // namespace ptmlp
