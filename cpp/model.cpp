#include "model.h"

#include "errors.h"
#include "fused_v1.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ptmlp {

std::string first_line(const std::string &text)
{
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "unknown error";
  size_t end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string first_sentence(const std::string &text)
{
  std::string line = first_line(text);
  size_t dot = line.find(". ");
  return dot == std::string::npos ? line : line.substr(0, dot);
}

std::string read_file_bytes(const std::string &path)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error("model file " + path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("model file " + path + ": cannot be opened for reading");
  std::ostringstream os;
  os << in.rdbuf();
  if (!in.good() && !in.eof()) throw Error("model file " + path + ": read error");
  return os.str();
}

torch::Device choose_device(int node_local_rank, std::string *description)
{
  if (torch::cuda::is_available()) {
    int n = static_cast<int>(torch::cuda::device_count());
    int id = n > 0 ? node_local_rank % n : 0;
    if (description) *description = "CUDA device " + std::to_string(id) + " of " + std::to_string(n);
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(id));
  }
  if (description) *description = "CPU";
  return torch::Device(torch::kCPU);
}

void set_threads(int threads)
{
  threads = std::max(1, threads);
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
}

int usable_cpus()
{
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0) return std::max(1, CPU_COUNT(&mask));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

Model::Model(const std::string &bytes, const std::string &filename, const torch::Device &device) :
    filename_(filename), device_(device)
{
  // The profiling graph executor re-specialises the graph whenever tensor shapes change (every
  // neighbour-list rebuild in MD); the simple executor runs the same ops without that overhead.
  const char *jit_opt = std::getenv("PTMLP_JIT_OPTIMIZE");
  if (!(jit_opt && std::string(jit_opt) == "1")) {
    torch::jit::getProfilingMode() = false;
    torch::jit::setGraphExecutorOptimize(false);
  }
  torch::jit::ExtraFilesMap extra{{kMetadataFile, ""}};
  try {
    std::istringstream stream(bytes);
    module_ = torch::jit::load(stream, device, extra);
  } catch (const c10::Error &e) {
    throw Error("model file " + filename + ": not a readable TorchScript file (" +
                first_sentence(e.what_without_backtrace()) + ")");
  } catch (const std::exception &e) {
    throw Error("model file " + filename + ": not a readable TorchScript file (" + first_sentence(e.what()) + ")");
  }
  meta_ = parse_metadata(extra[kMetadataFile], filename);
  module_.eval();
  const char *env = std::getenv("PTMLP_FUSED");
  const bool allowed = !(env && std::string(env) == "0");
  if (allowed && device.is_cpu()) fused_ = FusedV1::try_create(module_);
}

Model::~Model() = default;

Ensemble::Ensemble(const std::vector<std::string> &bytes, const std::vector<std::string> &filenames,
                   const torch::Device &device)
{
  if (bytes.empty()) throw Error("no model file given");
  std::vector<Metadata> metas;
  for (size_t k = 0; k < bytes.size(); ++k) {
    models_.push_back(std::make_unique<Model>(bytes[k], filenames[k], device));
    metas.push_back(models_.back()->metadata());
  }
  check_ensemble(metas, filenames);
}

}    // namespace ptmlp
