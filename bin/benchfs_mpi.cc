// benchfs-mpi: one MPI job that runs BenchFS end to end. Ranks below
// --servers run benchfsd, the others run `benchfs bench small` against all of
// them. MPI is used only to exchange UCX worker addresses, to start the
// clients together and to gather their results; every byte of the benchmark
// travels over UCX like in any other run.
//
//   mpirun -np 4 benchfs-mpi --servers 2 --results DIR [daemon flags] [bench flags]
#include <mpi.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <vector>

#include "service/client_commands.h"
#include "service/daemon.h"
#include "service/knob_registry.h"
#include "service/small_bench_flags.h"

namespace {

using benchfs::Status;

// Every rank contributes `mine`; every rank gets all contributions in rank order.
std::vector<std::vector<std::byte>> AllGather(const std::vector<std::byte>& mine, MPI_Comm comm) {
  int size = 0;
  MPI_Comm_size(comm, &size);
  int len = static_cast<int>(mine.size());
  std::vector<int> lens(size);
  MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, comm);
  std::vector<int> displs(size, 0);
  for (int i = 1; i < size; ++i) displs[i] = displs[i - 1] + lens[i - 1];
  std::vector<std::byte> all(displs[size - 1] + lens[size - 1]);
  MPI_Allgatherv(mine.data(), len, MPI_BYTE, all.data(), lens.data(), displs.data(), MPI_BYTE, comm);
  std::vector<std::vector<std::byte>> out(size);
  for (int i = 0; i < size; ++i) out[i].assign(all.begin() + displs[i], all.begin() + displs[i] + lens[i]);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  benchfs::DaemonConfig daemon;
  daemon.listen = "";  // addresses travel over MPI
  benchfs::Knobs knobs;
  benchfs::AddDaemonKnobs(knobs, &daemon);
  benchfs::ClientOptions client;
  benchfs::SmallBenchConfig bench;
  benchfs::OutputOptions out;
  int servers = 1;
  std::string results_dir = ".";
  benchfs::SmallBenchFlags flags;
  CLI::App app{
      "benchfs-mpi - BenchFS as one MPI job: ranks < --servers run benchfsd, the rest run\n"
      "`benchfs bench small` against all servers. MPI exchanges UCX addresses, starts the\n"
      "clients together and gathers their results into --results (client-<i>.json).",
      "benchfs-mpi"};
  app.add_option("--servers", servers, "ranks that run benchfsd (the first ones)")->capture_default_str();
  app.add_option("--results", results_dir, "where client rank 0 writes client-<i>.json")->capture_default_str();
  benchfs::AddSmallBenchFlags(app, benchfs::SmallBenchCommand::kMpi, &flags, &bench, &out);
  app.add_flag("--allow-root", daemon.allow_root,
               "let the server ranks run the daemon as root (refused otherwise, as by benchfsd)");
  knobs.Declare(app);
  auto finish = [&](int code) {
    if (code != 0) MPI_Abort(MPI_COMM_WORLD, code);
    MPI_Finalize();
    return code;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = rank == 0 ? app.exit(e) : 2;
    return finish(code == 0 ? 0 : 2);
  }
  Status s = knobs.Apply("");
  if (s.ok() && (servers < 1 || servers >= size)) {
    s = Status::InvalidArgument("--servers " + std::to_string(servers) + " needs 1.." + std::to_string(size - 1) +
                   " so at least one rank is a client (this job has " + std::to_string(size) + " ranks)");
  }
  char host[128] = {};
  gethostname(host, sizeof(host) - 1);
  const std::string rank_id = std::string(host) + "-rank" + std::to_string(rank);
  if (s.ok()) s = benchfs::ResolveSmallBenchFlags(app, benchfs::SmallBenchCommand::kMpi, flags, rank_id, &bench, &out);
  if (!s.ok()) {
    if (rank == 0) std::fprintf(stderr, "benchfs-mpi: %s\n", s.message().c_str());
    return finish(2);
  }
  // One --client-id for the job: each rank's files stay apart under it.
  if (!flags.client_id.empty()) bench.client_id += "-rank" + std::to_string(rank);
  const bool is_server = rank < servers;
  MPI_Comm role;
  MPI_Comm_split(MPI_COMM_WORLD, is_server ? 0 : 1, rank, &role);

  if (is_server) {
    daemon.chunks.data_dir += "/server-" + std::to_string(rank);
    bool ready = false;
    int code = benchfs::RunDaemon(daemon, [&](const benchfs::DaemonInfo& info) {
      ready = true;
      AllGather(info.worker_address, MPI_COMM_WORLD);
    });
    if (!ready) return finish(code == 0 ? 1 : code);  // the others wait in AllGather: abort them
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Comm_free(&role);
    MPI_Finalize();
    return code;
  }

  auto addresses = AllGather({}, MPI_COMM_WORLD);
  for (int r = 0; r < servers; ++r) {
    benchfs::ServerRef ref;
    ref.worker_address = addresses[r];
    ref.label = "rank " + std::to_string(r);
    client.refs.push_back(ref);
  }
  client.executor = daemon.executor;  // the same reactor knobs on both sides
  client.ucx = daemon.ucx;
  int client_rank = 0;
  MPI_Comm_rank(role, &client_rank);
  // Start together: client 0 picks a moment shortly ahead and tells the others.
  double start_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() + 1.0;
  MPI_Bcast(&start_at, 1, MPI_DOUBLE, 0, role);
  out.start_at = start_at;
  auto json = benchfs::BenchSmallJson(client, bench, out, client_rank != 0);
  if (!json.ok()) std::fprintf(stderr, "benchfs: %s\n", json.status().message().c_str());
  std::string doc = json.ok() ? json.value() : std::string();
  std::vector<std::byte> mine(reinterpret_cast<const std::byte*>(doc.data()),
                              reinterpret_cast<const std::byte*>(doc.data()) + doc.size());
  auto all = AllGather(mine, role);
  int code = json.ok() ? 0 : 1;
  if (client_rank == 0) {
    for (size_t i = 0; i < all.size(); ++i) {
      const std::string path = results_dir + "/client-" + std::to_string(i) + ".json";
      std::ofstream f(path, std::ios::trunc);
      f.write(reinterpret_cast<const char*>(all[i].data()), static_cast<std::streamsize>(all[i].size()));
      if (all[i].empty()) {
        std::fprintf(stderr, "benchfs-mpi: client %zu produced no result\n", i);
        code = 1;
      }
    }
    std::printf("benchfs-mpi: %d servers, %zu clients; results in %s/client-*.json\n", servers, all.size(),
                results_dir.c_str());
    benchfs::ClientOptions stop = client;
    auto refused = benchfs::RunShutdown(stop);
    if (!refused.ok()) std::fprintf(stderr, "benchfs: %s\n", refused.status().message().c_str());
    if (!refused.ok() || *refused > 0) code = 1;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Comm_free(&role);
  MPI_Finalize();
  return code;
}
