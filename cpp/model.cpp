#include "model.h"

#include "device.h"
#include "device_stage.h"
#include "errors.h"
#include "fused_v1.h"

#include <ATen/Parallel.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/python/update_graph_executor_opt.h>
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

JitModeGuard::JitModeGuard(bool optimize) :
    profiling_(torch::jit::getProfilingMode().exchange(optimize)), optimize_(torch::jit::getGraphExecutorOptimize())
{
  torch::jit::setGraphExecutorOptimize(optimize);
}

JitModeGuard::~JitModeGuard()
{
  torch::jit::getProfilingMode() = profiling_;
  torch::jit::setGraphExecutorOptimize(optimize_);
}

namespace {

bool env_is(const char *name, const char *value)
{
  const char *e = std::getenv(name);
  return e && std::string(e) == value;
}

}    // namespace

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
  if (device.is_cuda() || staged_on_cpu()) {
    // Device path: the graph frozen (weights folded in as constants) and run by the profiling
    // executor, which specialises it to the shapes it sees and fuses element-wise chains on CUDA.
    try {
      if (!env_is("PTMLP_FREEZE", "0")) module_ = torch::jit::freeze(module_);
    } catch (const c10::Error &e) {
      throw Error("model file " + filename + ": cannot be frozen for the device (" +
                  first_sentence(e.what_without_backtrace()) + "); PTMLP_FREEZE=0 runs it unfrozen");
    }
    jit_optimize_ = !env_is("PTMLP_JIT_OPTIMIZE", "0");
    stage_ = std::make_shared<DeviceStage>(device);
    return;
  }
  // CPU: the simple executor (the profiling one re-specialises at every neighbour-list rebuild),
  // unless PTMLP_JIT_OPTIMIZE=1; model v1 runs wholly in C++ unless PTMLP_FUSED=0.
  jit_optimize_ = env_is("PTMLP_JIT_OPTIMIZE", "1");
  if (!env_is("PTMLP_FUSED", "0")) fused_ = FusedV1::try_create(module_);
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
    if (k > 0 && models_.back()->staged()) models_.back()->share_stage(*models_.front());
  }
  check_ensemble(metas, filenames);
}

}    // namespace ptmlp
