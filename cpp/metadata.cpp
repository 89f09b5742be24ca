#include "metadata.h"

#include "errors.h"

// nlohmann/json as shipped with LAMMPS (namespace nlohmann_lmp) or a stand-alone copy.
#include <nlohmann/json.hpp>

#include <cctype>
#include <set>
#include <sstream>

namespace ptmlp {

namespace {

#ifdef LMP_NLOHMANN_JSON_VERSION_MAJOR
using Json = ::nlohmann_lmp::json;
#else
using Json = ::nlohmann::json;
#endif

[[noreturn]] void fail(const std::string &filename, const std::string &problem)
{
  throw Error("model file " + filename + ": " + problem);
}

// The value as compact JSON for messages ("null" when absent); python/ptmlp/metadata.py renders
// values the same way (sorted keys, no spaces), so both validators print identical lines.
std::string shown(const Json *v)
{
  if (v == nullptr) return "null";
  std::string s = v->dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

const Json *member(const Json &obj, const char *key)
{
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

bool is_null(const Json *v) { return v == nullptr || v->is_null(); }

// [lo, hi] of numbers with lo <= hi
bool number_pair(const Json *v)
{
  return v && v->is_array() && v->size() == 2 && (*v)[0].is_number() && (*v)[1].is_number() &&
      (*v)[0].get<double>() <= (*v)[1].get<double>();
}

constexpr long long kMaxNeighbours = 1000000;    // same bound as python/ptmlp/metadata.py

bool count(const Json &v)
{
  return v.is_number_integer() && (v.is_number_unsigned() ? v.get<unsigned long long>() <= kMaxNeighbours
                                                          : v.get<long long>() >= 0 && v.get<long long>() <= kMaxNeighbours);
}

// Strip "[json.exception.parse_error.101] " from nlohmann's message; name NaN/Infinity tokens as
// the Python reader does.
std::string parse_problem(const std::string &text, const Json::exception &e, size_t byte)
{
  if (byte > 0) {
    size_t start = byte - 1;
    while (start > 0 && (std::isalpha(static_cast<unsigned char>(text[start - 1])) || text[start - 1] == '-')) --start;
    size_t end = start;
    while (end < text.size() && (std::isalpha(static_cast<unsigned char>(text[end])) || text[end] == '-')) ++end;
    const std::string token = text.substr(start, end - start);
    if (token == "NaN" || token == "Infinity" || token == "-Infinity")
      return token + " is not a JSON value; re-export the model (NaN is written as null)";
  }
  std::string what = e.what();
  size_t close = what.find("] ");
  if (close != std::string::npos) what = what.substr(close + 2);
  // "number overflow parsing '<token>'": cut the token to 40 characters (as the Python reader does)
  const std::string overflow = "number overflow parsing '";
  if (what.compare(0, overflow.size(), overflow) == 0 && what.size() > overflow.size() + 41)
    what = what.substr(0, overflow.size() + 37) + "...'";
  // drop "; last read: '<raw bytes>'": they may be ill-formed UTF-8 or span lines
  size_t read = what.find("; last read: '");
  if (read != std::string::npos) {
    size_t expected = what.rfind("'; expected");
    what.erase(read, expected != std::string::npos && expected > read ? expected + 1 - read : std::string::npos);
  }
  return what;
}

struct DuplicateKey {
  std::string key;
};

Json parse_document(const std::string &text, const std::string &filename)
{
  // repeated keys are refused (Python's json keeps the last one silently; so would nlohmann);
  // reported when the object closes, in the order Python's object_pairs_hook sees them
  std::vector<std::pair<std::set<std::string>, std::string>> frames;
  Json::parser_callback_t cb = [&frames](int, Json::parse_event_t event, Json &parsed) {
    using E = Json::parse_event_t;
    if (event == E::object_start) frames.emplace_back();
    if (event == E::key && !frames.back().first.insert(parsed.get<std::string>()).second &&
        frames.back().second.empty())
      frames.back().second = parsed.dump();
    if (event == E::object_end) {
      if (!frames.back().second.empty()) throw DuplicateKey{frames.back().second};
      frames.pop_back();
    }
    return true;
  };
  try {
    return Json::parse(text, cb);
  } catch (const DuplicateKey &d) {
    fail(filename, std::string(kMetadataFile) + " repeats key " + d.key + " (each key may appear once)");
  } catch (const Json::parse_error &e) {
    fail(filename, std::string(kMetadataFile) + " is not valid JSON (" + parse_problem(text, e, e.byte) + ")");
  } catch (const Json::exception &e) {
    fail(filename, std::string(kMetadataFile) + " is not valid JSON (" + parse_problem(text, e, 0) + ")");
  }
}

void parse_training(const Json &root, const std::string &filename, TrainingRanges &out)
{
  const Json *tr = member(root, "training");
  if (is_null(tr)) return;
  if (!tr->is_object()) fail(filename, "training " + shown(tr) + " must be null or an object");
  const Json *p = member(*tr, "pressure_range_GPa");
  if (!is_null(p)) {
    if (!number_pair(p))
      fail(filename, "training.pressure_range_GPa " + shown(p) +
                         " must be null or [low_GPa, high_GPa] with low_GPa <= high_GPa");
    out.has_pressure = true;
    out.pressure_lo_GPa = (*p)[0].get<double>();
    out.pressure_hi_GPa = (*p)[1].get<double>();
  }
  const Json *d = member(*tr, "min_pair_distance_A");
  if (!is_null(d)) {
    if (!d->is_number() || !(d->get<double>() > 0.0))
      fail(filename, "training.min_pair_distance_A " + shown(d) + " must be null or a positive number (angstrom)");
    out.has_min_distance = true;
    out.min_distance_A = d->get<double>();
  }
  const Json *n = member(*tr, "neighbours_per_atom_range");
  if (!is_null(n)) {
    if (!(n->is_array() && n->size() == 2 && count((*n)[0]) && count((*n)[1]) &&
          (*n)[0].get<long long>() <= (*n)[1].get<long long>()))
      fail(filename, "training.neighbours_per_atom_range " + shown(n) +
                         " must be null or [min, max] neighbour counts (integers, 0 <= min <= max <= 1000000)");
    out.has_neighbours = true;
    out.neighbours_min = (*n)[0].get<long long>();
    out.neighbours_max = (*n)[1].get<long long>();
  }
}

std::string join(const std::vector<std::string> &v)
{
  std::string out;
  for (const auto &s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::string te_spec(const Metadata &m)
{
  if (!m.has_te) return "none";
  return std::string("K, per_atom=") + (m.te_per_atom ? "true" : "false");
}

}    // namespace

Metadata parse_metadata(const std::string &text, const std::string &filename)
{
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    fail(filename, "has no metadata.json; export it with ptmlp.export.export_model");
  const Json root = parse_document(text, filename);
  if (!root.is_object()) fail(filename, "metadata.json must be a JSON object");
  const Json *kind = member(root, "model_kind");
  if (kind && kind->is_string() && kind->get<std::string>() == "elf")
    fail(filename, "is an ELF model (use `ptmlp elf predict` / `ptmlp elf info`), not an interatomic potential");
  const char *required[] = {"format_version", "type_names", "r_cut", "dtype",
                            "energy_unit", "length_unit", "electronic_temperature"};
  std::string missing;
  for (const char *key : required)
    if (!member(root, key)) missing += (missing.empty() ? "" : ", ") + std::string(key);
  if (!missing.empty()) fail(filename, "metadata.json lacks key(s) " + missing);

  const Json &fv = root.at("format_version");
  if (!fv.is_number_integer() || fv.get<long long>() != kFormatVersion)
    fail(filename, "format_version " + shown(&fv) + " is not supported (this ptmlp reads " +
                       std::to_string(kFormatVersion) + "); re-export the model with a matching ptmlp");

  Metadata m;
  m.json = text;
  const Json &names = root.at("type_names");
  bool names_ok = names.is_array() && !names.empty();
  if (names_ok)
    for (const auto &n : names) names_ok = names_ok && n.is_string() && !n.get<std::string>().empty();
  if (!names_ok) fail(filename, "type_names " + shown(&names) + " must be a non-empty list of species names");
  std::set<std::string> seen;
  for (const auto &n : names) {
    if (!seen.insert(n.get<std::string>()).second)
      fail(filename, "type_names " + shown(&names) + " has duplicate " + n.dump());
    m.type_names.push_back(n.get<std::string>());
  }
  const Json &rc = root.at("r_cut");
  if (!rc.is_number() || !(rc.get<double>() > 0.0))
    fail(filename, "r_cut " + shown(&rc) + " must be a positive number (angstrom)");
  m.r_cut = rc.get<double>();
  const Json &dt = root.at("dtype");
  if (!(dt == "float64" || dt == "float32")) fail(filename, "dtype " + shown(&dt) + " must be float64 or float32");
  m.float64 = dt == "float64";
  const Json &eu = root.at("energy_unit");
  if (eu != "eV") fail(filename, "energy_unit " + shown(&eu) + " is not supported (expected eV)");
  const Json &lu = root.at("length_unit");
  if (lu != "angstrom") fail(filename, "length_unit " + shown(&lu) + " is not supported (expected angstrom)");

  const Json &te = root.at("electronic_temperature");
  if (!te.is_null()) {
    if (!te.is_object()) fail(filename, "electronic_temperature " + shown(&te) + " must be null or an object");
    const Json *unit = member(te, "unit");
    if (!unit || *unit != "K")
      fail(filename, "electronic_temperature.unit " + shown(unit) + " is not supported (expected K)");
    const Json *per_atom = member(te, "per_atom");
    if (!per_atom || !per_atom->is_boolean())
      fail(filename, "electronic_temperature.per_atom " + shown(per_atom) + " must be true or false");
    const Json *range = member(te, "train_range");
    if (!number_pair(range) || (*range)[0].get<double>() < 0.0)
      fail(filename, "electronic_temperature.train_range " + shown(range) +
                         " must be [low_K, high_K] with 0 <= low_K <= high_K");
    m.has_te = true;
    m.te_per_atom = per_atom->get<bool>();
    m.te_min_K = (*range)[0].get<double>();
    m.te_max_K = (*range)[1].get<double>();
  }
  parse_training(root, filename, m.training);
  return m;
}

void check_ensemble(const std::vector<Metadata> &metas, const std::vector<std::string> &filenames)
{
  const Metadata &ref = metas.at(0);
  for (size_t k = 1; k < metas.size(); ++k) {
    const Metadata &m = metas[k];
    std::string what, mine, theirs;
    if (m.type_names != ref.type_names) {
      what = "type_names";
      mine = "[" + join(m.type_names) + "]";
      theirs = "[" + join(ref.type_names) + "]";
    } else if (m.r_cut != ref.r_cut) {
      std::ostringstream a, b;
      a << m.r_cut;
      b << ref.r_cut;
      what = "r_cut";
      mine = a.str();
      theirs = b.str();
    } else if (te_spec(m) != te_spec(ref)) {
      what = "electronic_temperature spec";
      mine = te_spec(m);
      theirs = te_spec(ref);
    } else {
      continue;
    }
    throw Error("ensemble member " + filenames[k] + " has " + what + " " + mine + " but " + filenames[0] +
                " has " + theirs + "; all members must share type_names, r_cut and the T_e spec");
  }
}

}    // namespace ptmlp
