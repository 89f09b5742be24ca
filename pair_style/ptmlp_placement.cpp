/* ----------------------------------------------------------------------
   Device placement of pair_style ptmlp (see ptmlp_placement.h).
------------------------------------------------------------------------- */

#include "ptmlp_placement.h"

#include "comm.h"
#include "error.h"
#include "lammps.h"
#include "utils.h"

#include "device.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

using namespace LAMMPS_NS;

namespace {

constexpr int kIdLength = 64;    // bytes per GPU identity in the node gather

const char *kind_word(DeviceRequest::Kind kind)
{
  switch (kind) {
    case DeviceRequest::CPU: return "cpu";
    case DeviceRequest::CUDA: return "cuda";
    case DeviceRequest::AUTO: return "auto";
    default: return "";
  }
}

// Every rank's string gathered at world rank 0 (only there non-empty).
std::vector<std::string> gather_lines(const std::string &line, bool contributes, MPI_Comm world)
{
  int me = 0, nprocs = 1;
  MPI_Comm_rank(world, &me);
  MPI_Comm_size(world, &nprocs);
  int len = contributes ? static_cast<int>(line.size()) : 0;
  std::vector<int> lens(nprocs), offsets(nprocs, 0);
  MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, world);
  int total = 0;
  for (int r = 0; r < nprocs; ++r) {
    offsets[r] = total;
    total += lens[r];
  }
  std::string all(me == 0 ? total : 0, ' ');
  MPI_Gatherv(line.data(), len, MPI_CHAR, me == 0 ? &all[0] : nullptr, lens.data(), offsets.data(), MPI_CHAR, 0,
              world);
  std::vector<std::string> out;
  if (me == 0)
    for (int r = 0; r < nprocs; ++r)
      if (lens[r] > 0) out.push_back(all.substr(offsets[r], lens[r]));
  return out;
}

}    // namespace

std::string DeviceRequest::text() const
{
  if (kind == DEFAULT && !share) return "(no device keyword)";
  std::string t = "device";
  if (kind != DEFAULT) t += std::string(" ") + kind_word(kind);
  if (share) t += " share";
  return t;
}

int LAMMPS_NS::parse_device_keyword(LAMMPS *lmp, const std::string &style, int narg, char **arg, int iarg,
                                    DeviceRequest &request)
{
  Error *error = lmp->error;
  if (request.kind != DeviceRequest::DEFAULT || request.share)
    error->all(FLERR, "pair_style {}: 'device' given twice; give it once: device cpu|cuda|auto [share]", style);
  if (iarg + 1 >= narg)
    error->all(FLERR, "pair_style {} device needs a value: device cpu|cuda|auto [share], e.g. device cuda", style);
  const std::string value = arg[iarg + 1];
  if (value == "cpu") request.kind = DeviceRequest::CPU;
  else if (value == "cuda") request.kind = DeviceRequest::CUDA;
  else if (value == "auto") request.kind = DeviceRequest::AUTO;
  else if (value == "share") {
    request.kind = DeviceRequest::AUTO;
    request.share = true;
    return 2;
  } else
    error->all(FLERR,
               "pair_style {} device {}: expected cpu, cuda, auto or share (e.g. device cuda, or device cuda share "
               "to let several MPI ranks use one GPU)",
               style, value);
  if (iarg + 2 < narg && strcmp(arg[iarg + 2], "share") == 0) {
    if (request.kind == DeviceRequest::CPU)
      error->all(FLERR, "pair_style {} device cpu share: 'share' is for ranks sharing a GPU; use device cpu alone",
                 style);
    request.share = true;
    return 3;
  }
  return 2;
}

Placement LAMMPS_NS::place_ranks(LAMMPS *lmp, const std::string &style, const DeviceRequest &request)
{
  Error *error = lmp->error;
  MPI_Comm world = lmp->world;
  int me = 0, nprocs = 1;
  MPI_Comm_rank(world, &me);
  MPI_Comm_size(world, &nprocs);
  MPI_Comm node;
  MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, me, MPI_INFO_NULL, &node);
  int node_rank = 0;
  Placement p;
  MPI_Comm_rank(node, &node_rank);
  MPI_Comm_size(node, &p.ranks_on_node);

  const int gpus = request.kind == DeviceRequest::CPU ? 0 : ptmlp::visible_gpus();
  if (request.kind == DeviceRequest::CUDA) {
    int without = gpus > 0 ? 0 : 1, total_without = 0;
    MPI_Allreduce(&without, &total_without, 1, MPI_INT, MPI_SUM, world);
    if (total_without > 0) {
      MPI_Comm_free(&node);
      const std::string who = nprocs == 1 ? "" : fmt::format("{} of {} MPI ranks: ", total_without, nprocs);
      const std::string why = gpus > 0 ? "some ranks see none" : ptmlp::why_no_cuda();
      error->all(FLERR, "pair_style {} device cuda: {}no CUDA GPU: {}; use 'device cpu' or 'device auto'", style,
                 who, why);
    }
  }
  p.cuda = gpus > 0;
  p.gpu_index = p.cuda ? node_rank % gpus : 0;
  const std::string id = p.cuda ? ptmlp::gpu_identity(p.gpu_index) : std::string("cpu");
  if (!p.cuda) p.description = "CPU";
  else if (ptmlp::fake_gpus())
    p.description = fmt::format("CPU (placement test: fake GPU {} of {}, PTMLP_TEST_FAKE_GPUS)", p.gpu_index, gpus);
  else p.description = fmt::format("CUDA device {} ({}) of {}", p.gpu_index, id, gpus);

  // node: which world ranks use which GPU
  char mine[kIdLength] = {0};
  std::strncpy(mine, id.c_str(), kIdLength - 1);
  std::vector<char> ids(static_cast<size_t>(kIdLength) * p.ranks_on_node);
  std::vector<int> ranks(p.ranks_on_node);
  MPI_Allgather(mine, kIdLength, MPI_CHAR, ids.data(), kIdLength, MPI_CHAR, node);
  MPI_Allgather(&me, 1, MPI_INT, ranks.data(), 1, MPI_INT, node);
  MPI_Comm_free(&node);
  std::map<std::string, std::vector<int>> by_gpu;
  int on_cpu = 0;
  for (int r = 0; r < p.ranks_on_node; ++r) {
    const std::string gid(&ids[static_cast<size_t>(kIdLength) * r]);
    if (gid == "cpu") ++on_cpu;
    else by_gpu[gid].push_back(ranks[r]);
  }
  int most = 0;
  for (const auto &g : by_gpu) most = std::max(most, static_cast<int>(g.second.size()));

  std::string line;
  if (node_rank == 0) {
    char host[MPI_MAX_PROCESSOR_NAME] = {0};
    int host_len = 0;
    MPI_Get_processor_name(host, &host_len);
    line = fmt::format("pair_style {}: node {}: {} MPI rank(s)", style, host, p.ranks_on_node);
    if (!by_gpu.empty()) {
      line += fmt::format(", {} GPU(s) used, up to {} rank(s) per GPU:", by_gpu.size(), most);
      for (const auto &g : by_gpu) {
        line += fmt::format(" GPU {} <- rank(s)", g.first);
        for (int r : g.second) line += fmt::format(" {}", r);
        line += ";";
      }
      if (on_cpu > 0) line += fmt::format(" {} rank(s) on the CPU", on_cpu);
      if (line.back() == ';') line.pop_back();
      if (ptmlp::fake_gpus()) line += " (PTMLP_TEST_FAKE_GPUS: placement test, evaluation on the CPU)";
    } else {
      line += " on the CPU";
    }
  }
  for (const auto &l : gather_lines(line, node_rank == 0, world)) utils::logmesg(lmp, "{}\n", l);

  int most_all = 0;
  MPI_Allreduce(&most, &most_all, 1, MPI_INT, MPI_MAX, world);
  if (most_all > 1 && !request.share) {
    if (request.kind == DeviceRequest::DEFAULT) {
      if (me == 0)
        error->warning(FLERR,
                       "pair_style {}: up to {} MPI ranks share one GPU (see the node lines above); add 'device "
                       "cuda share' to say it is intended, or start one rank per GPU",
                       style, most_all);
    } else {
      error->all(FLERR,
                 "pair_style {} {}: up to {} MPI ranks share one GPU (see the node lines above); start one rank "
                 "per GPU, or add share ({} share) if sharing is intended",
                 style, request.text(), most_all, request.text());
    }
  }
  return p;
}
