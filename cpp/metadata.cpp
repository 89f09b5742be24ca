#include "metadata.h"

#include "errors.h"
#include "json_lite.h"

#include <set>
#include <sstream>

namespace ptmlp {

namespace {

using T = JsonValue::Type;

[[noreturn]] void fail(const std::string &filename, const std::string &problem)
{
  throw Error("model file " + filename + ": " + problem);
}

bool is_number(const JsonValue &v) { return v.type == T::Number; }

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
  JsonValue root;
  try {
    root = parse_json(text);
  } catch (const Error &e) {
    fail(filename, std::string("metadata.json is not valid JSON (") + e.what() + ")");
  }
  if (root.type != T::Object) fail(filename, "metadata.json must be a JSON object");
  if (root.has("model_kind") && root.at("model_kind").type == T::String && root.at("model_kind").string == "elf")
    fail(filename, "is an ELF model (use `ptmlp elf predict` / `ptmlp elf info`), not an interatomic potential");
  const char *required[] = {"format_version", "type_names", "r_cut", "dtype",
                            "energy_unit", "length_unit", "electronic_temperature"};
  std::string missing;
  for (const char *key : required)
    if (!root.has(key)) missing += (missing.empty() ? "" : ", ") + std::string(key);
  if (!missing.empty()) fail(filename, "metadata.json lacks key(s) " + missing);

  const JsonValue &fv = root.at("format_version");
  if (!is_number(fv) || !fv.is_integer || fv.number != kFormatVersion)
    fail(filename, "format_version " + fv.brief() + " is not supported (this ptmlp reads " +
                       std::to_string(kFormatVersion) + "); re-export the model with a matching ptmlp");

  Metadata m;
  m.json = text;
  const JsonValue &names = root.at("type_names");
  if (names.type != T::Array || names.array.empty())
    fail(filename, "type_names must be a non-empty list of species names");
  std::set<std::string> seen;
  for (const auto &n : names.array) {
    if (n.type != T::String || n.string.empty())
      fail(filename, "type_names must be a non-empty list of species names");
    if (!seen.insert(n.string).second) fail(filename, "type_names has duplicate " + n.string);
    m.type_names.push_back(n.string);
  }
  const JsonValue &rc = root.at("r_cut");
  if (!is_number(rc) || !(rc.number > 0.0))
    fail(filename, "r_cut " + rc.brief() + " must be a positive number (angstrom)");
  m.r_cut = rc.number;
  const JsonValue &dt = root.at("dtype");
  if (dt.type != T::String || (dt.string != "float64" && dt.string != "float32"))
    fail(filename, "dtype " + dt.brief() + " must be float64 or float32");
  m.float64 = dt.string == "float64";
  const JsonValue &eu = root.at("energy_unit");
  if (eu.type != T::String || eu.string != "eV")
    fail(filename, "energy_unit " + eu.brief() + " is not supported (expected eV)");
  const JsonValue &lu = root.at("length_unit");
  if (lu.type != T::String || lu.string != "angstrom")
    fail(filename, "length_unit " + lu.brief() + " is not supported (expected angstrom)");

  const JsonValue &te = root.at("electronic_temperature");
  if (te.type != T::Null) {
    if (te.type != T::Object) fail(filename, "electronic_temperature must be null or an object");
    if (!te.has("unit") || te.at("unit").type != T::String || te.at("unit").string != "K")
      fail(filename, "electronic_temperature unit " + (te.has("unit") ? te.at("unit").brief() : "null") +
                         " is not supported (expected K)");
    if (!te.has("per_atom") || te.at("per_atom").type != T::Bool)
      fail(filename, "electronic_temperature.per_atom must be true or false");
    const bool ok_range = te.has("train_range") && te.at("train_range").type == T::Array &&
        te.at("train_range").array.size() == 2 && is_number(te.at("train_range").array[0]) &&
        is_number(te.at("train_range").array[1]) && te.at("train_range").array[0].number >= 0.0 &&
        te.at("train_range").array[0].number <= te.at("train_range").array[1].number;
    if (!ok_range) fail(filename, "electronic_temperature.train_range must be [low_K, high_K]");
    m.has_te = true;
    m.te_per_atom = te.at("per_atom").boolean;
    m.te_min_K = te.at("train_range").array[0].number;
    m.te_max_K = te.at("train_range").array[1].number;
  }
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
