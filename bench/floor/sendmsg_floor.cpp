// The kernel's floor under any WebSocket server's fan-out: CPU time of one send() of `lines`
// 150-byte messages to one of `clients` loopback TCP connections, with nothing else in the
// process. On loopback the receiving side's TCP work runs in the sender's system call, so this
// is what each write costs a server whatever its design; a server that writes each message on
// its own (one line per write) cannot spend less than this per delivery.
//
//   message_sendmsg_floor [--clients N] [--rate MSGS_PER_S] [--lines K] [--seconds S]
//
// Sender pinned to core 0, the reader (busy epoll, discards everything) to core 1. --rate 0 sends as
// fast as it can. Prints one JSON line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

void pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string(what) + " failed");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 1000, rate = 300, lines = 1, seconds = 5;
  CLI::App app{"CPU per send() on loopback TCP"};
  app.add_option("--clients", clients)->check(CLI::Range(1, 5000));
  app.add_option("--rate", rate, "messages per second to every client (0 = as fast as possible)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--lines", lines, "messages joined into each send()")->check(CLI::Range(1, 64));
  app.add_option("--seconds", seconds)->check(CLI::Range(1, 60));
  CLI11_PARSE(app, argc, argv);

  const int listener = check(socket(AF_INET, SOCK_STREAM, 0), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), "bind");
  check(listen(listener, 4096), "listen");
  socklen_t len = sizeof addr;
  check(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), "getsockname");

  std::vector<int> readers, writers;
  const int one = 1;
  for (int i = 0; i < clients; ++i) {
    const int c = check(socket(AF_INET, SOCK_STREAM, 0), "socket");
    check(connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr), "connect");
    const int s = check(accept(listener, nullptr, nullptr), "accept");
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // As every server here does.
    readers.push_back(c);
    writers.push_back(s);
  }

  std::atomic<bool> done{false};
  std::thread reader([&] {
    pin(1);
    const int ep = check(epoll_create1(0), "epoll_create1");
    for (const int c : readers) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = c;
      check(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev), "epoll_ctl");
    }
    std::vector<epoll_event> events(256);
    std::vector<char> sink(65536);
    while (!done.load(std::memory_order_relaxed)) {
      // Polls without sleeping, like a busy client: a sleeping reader makes every send() pay
      // for waking it, which is the reader's cost here, not the server's.
      const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 0);
      for (int i = 0; i < n; ++i) {
        while (recv(events[static_cast<std::size_t>(i)].data.fd, sink.data(), sink.size(), MSG_DONTWAIT) >
               0) {
        }
      }
    }
    close(ep);
  });

  pin(0);
  const std::string payload(static_cast<std::size_t>(150 * lines), 'x');
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  const double cpu_start = thread_cpu_seconds();
  std::uint64_t sends = 0;
  // One round = one write to every client; with --rate, rounds are spaced to carry `rate`
  // messages per second to each client (`lines` per round).
  const auto round_gap = rate > 0 ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        std::chrono::duration<double>(static_cast<double>(lines) / rate))
                                  : std::chrono::steady_clock::duration::zero();
  auto next_round = start;
  while (std::chrono::steady_clock::now() < end) {
    for (const int s : writers) {
      if (send(s, payload.data(), payload.size(), MSG_NOSIGNAL) > 0) ++sends;
    }
    if (rate > 0) {
      next_round += round_gap;
      std::this_thread::sleep_until(next_round);
    }
  }
  const double cpu = thread_cpu_seconds() - cpu_start;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  done = true;
  reader.join();
  const double deliveries = static_cast<double>(sends) * lines;
  std::printf(
      "{\"bench\":\"sendmsg_floor\",\"clients\":%d,\"rate\":%d,\"lines_per_send\":%d,\"seconds\":%.2f,"
      "\"sends\":%llu,\"deliveries_per_s\":%.0f,\"sender_cpu\":%.3f,\"cpu_ns_per_send\":%.0f,"
      "\"cpu_ns_per_delivery\":%.0f}\n",
      clients, rate, lines, wall, static_cast<unsigned long long>(sends), deliveries / wall, cpu / wall,
      cpu * 1e9 / static_cast<double>(sends), cpu * 1e9 / deliveries);
  for (const int fd : readers) close(fd);
  for (const int fd : writers) close(fd);
  close(listener);
  return 0;
}
