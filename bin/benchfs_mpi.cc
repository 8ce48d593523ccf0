// SPDX-License-Identifier: BSD-3-Clause
// benchfs-mpi: one MPI job that runs BenchFS end to end. Ranks below
// --servers run benchfsd, the others run `benchfs bench small` against all of
// them. MPI is used only to exchange UCX worker addresses, to start the
// clients together and to gather their results; every byte of the benchmark
// travels over UCX like in any other run. No MPI wait is unbounded: the
// start-up exchanges must finish within --mpi-timeout and the gathering of
// results within --run-timeout, else the rank names the step, exits 1 and
// mpirun ends the job (a wedged rank cannot hold the others forever).
//
//   mpirun -np 4 benchfs-mpi --servers 2 --results DIR [daemon flags] [bench flags]
#include <mpi.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "service/client_commands.h"
#include "service/daemon.h"
#include "service/knob_registry.h"
#include "service/small_bench_flags.h"

namespace {

using benchfs::Status;

// Bounds a blocking MPI step: if Disarm() does not come within the time
// given to Arm(), the rank says which step and of which rank hung, and exits
// 1 (mpirun then ends the job).
class StepDeadline {
 public:
  explicit StepDeadline(int rank) : rank_(rank), thread_([this] { Watch(); }) {}
  ~StepDeadline() {
    {
      std::lock_guard<std::mutex> l(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Arm(const std::string& step, double seconds) {
    {
      std::lock_guard<std::mutex> l(mu_);
      step_ = step;
      seconds_ = seconds;
      deadline_ = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                          std::chrono::duration<double>(seconds));
      armed_ = true;
    }
    cv_.notify_all();
  }
  void Disarm() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = false;
  }

 private:
  void Watch() {
    std::unique_lock<std::mutex> l(mu_);
    while (!quit_) {
      if (!armed_) {
        cv_.wait(l);
        continue;
      }
      if (cv_.wait_until(l, deadline_) == std::cv_status::timeout && armed_ && !quit_ &&
          std::chrono::steady_clock::now() >= deadline_) {
        std::fprintf(stderr, "benchfs-mpi: rank %d: %s did not finish within %.0f s; ending the job\n", rank_,
                     step_.c_str(), seconds_);
        std::fflush(stderr);
        std::_Exit(1);
      }
    }
  }

  const int rank_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool quit_ = false;
  bool armed_ = false;
  std::string step_;
  double seconds_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;
};

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
  double mpi_timeout = 120;
  double run_timeout = 3600;
  app.add_option("--mpi-timeout", mpi_timeout, "seconds each start-up exchange (addresses, start time) may take")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--run-timeout", run_timeout, "seconds the clients may take until their results are gathered")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 604800.0));
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
  StepDeadline deadline(rank);
  MPI_Comm role;
  MPI_Comm_split(MPI_COMM_WORLD, is_server ? 0 : 1, rank, &role);

  if (is_server) {
    daemon.chunks.data_dir += "/server-" + std::to_string(rank);
    bool ready = false;
    int code = benchfs::RunDaemon(daemon, [&](const benchfs::DaemonInfo& info) {
      ready = true;
      deadline.Arm("the exchange of server addresses", mpi_timeout);
      AllGather(info.worker_address, MPI_COMM_WORLD);
      deadline.Disarm();
    });
    if (!ready) return finish(code == 0 ? 1 : code);  // the others wait in AllGather: abort them
    deadline.Arm("the final barrier after the shutdown", mpi_timeout);
    MPI_Barrier(MPI_COMM_WORLD);
    deadline.Disarm();
    MPI_Comm_free(&role);
    MPI_Finalize();
    return code;
  }

  deadline.Arm("the exchange of server addresses", mpi_timeout);
  auto addresses = AllGather({}, MPI_COMM_WORLD);
  deadline.Disarm();
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
  deadline.Arm("the start-time broadcast", mpi_timeout);
  MPI_Bcast(&start_at, 1, MPI_DOUBLE, 0, role);
  deadline.Disarm();
  out.start_at = start_at;
  auto json = benchfs::BenchSmallJson(client, bench, out, client_rank != 0);
  if (!json.ok()) std::fprintf(stderr, "benchfs: %s\n", json.status().message().c_str());
  std::string doc = json.ok() ? json.value() : std::string();
  std::vector<std::byte> mine(reinterpret_cast<const std::byte*>(doc.data()),
                              reinterpret_cast<const std::byte*>(doc.data()) + doc.size());
  deadline.Arm("gathering the clients' results", run_timeout);
  auto all = AllGather(mine, role);
  deadline.Disarm();
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
  deadline.Arm("the final barrier", mpi_timeout);
  MPI_Barrier(MPI_COMM_WORLD);
  deadline.Disarm();
  MPI_Comm_free(&role);
  MPI_Finalize();
  return code;
}
