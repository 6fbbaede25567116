#pragma once
// One event-loop thread and the client connections it owns. Connections never
// move between workers: a sender sends, reads its own messages back and sends
// again on one thread, with no lock. The main thread talks to a worker only by
// posting onto its io_context and by reading its atomic progress counters.
// Asio connects; a connected socket is read and written from the worker's own
// level-triggered epoll set, one recv() per wake-up (worker::run_loop says why).

#include "histogram.hpp"
#include "options.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace loadgen {

std::uint64_t now_ns() noexcept;

/// When to send and when to measure, fixed by the main thread before sending starts.
struct run_plan {
  std::uint64_t start_ns = 0;          ///< sending starts
  std::uint64_t measure_start_ns = 0;  ///< warm-up ends
  std::uint64_t measure_end_ns = 0;    ///< measuring and sending stop
  std::string run_id;                  ///< makes message ids unique across runs
};

/// What a worker counted; read by the main thread only after the worker stopped.
struct worker_stats {
  histogram latency;                   ///< receive time minus send stamp, measured window only
  std::uint64_t measured = 0;          ///< deliveries received in the measured window
  std::uint64_t changes_measured = 0;  ///< change events (edit, delete, react) received then
  std::uint64_t received = 0;          ///< all deliveries of our messages
  std::uint64_t order_violations = 0;  ///< a seq or a sender's number that went backwards or repeated
  std::uint64_t seq_gaps = 0;          ///< seq numbers skipped
  std::uint64_t sender_gaps = 0;       ///< sender numbers skipped
  std::uint64_t errors = 0;            ///< error frames, protocol errors, failed writes
  std::uint64_t rejected = 0;          ///< error frames naming one of our message ids
  std::uint64_t connect_failures = 0;
  std::uint64_t dropped = 0;  ///< clients the server closed after they were open
  std::uint64_t foreign = 0;  ///< message lines without our stamp
  std::uint64_t frames = 0;   ///< text messages (whole frames) received: deliveries/frames shows batching
  std::map<std::string, std::uint64_t> error_codes;
};

struct connection;

class worker {
 public:
  worker(options const& opt, run_plan const& plan, std::size_t index);
  ~worker();
  worker(worker const&) = delete;
  worker& operator=(worker const&) = delete;

  /// Adds client number `client` (before start()).
  void add_client(std::size_t client);
  /// Starts the thread and the connection attempts.
  void start();
  /// Starts sending per the plan (main thread, once all are open). Safe from any thread.
  void begin_sending();
  /// Stops the loop and joins the thread. Main thread only.
  void stop();

  // Progress, readable from any thread.
  std::atomic<std::uint64_t> opened{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<bool> sending_done{false};

  /// Valid after stop().
  worker_stats const& stats() const noexcept { return stats_; }
  /// Per-client shortfall against `expected` each, after stop(): lost and duplicated deliveries.
  void count_loss(std::uint64_t expected, std::uint64_t& lost, std::uint64_t& extra) const;

 private:
  friend struct connection;
  void connect_next();
  void on_connected(connection& c, boost::system::error_code ec);
  void on_read(connection& c, boost::system::error_code ec, std::size_t n);
  void on_writable(connection& c);
  bool handle_handshake(connection& c, std::size_t& consumed, std::size_t size);
  std::size_t handle_frames(connection& c, char* data, std::size_t size, std::uint64_t now);
  void handle_payload(connection& c, std::string_view payload, std::uint64_t now);
  void handle_line(connection& c, std::string_view line, std::uint64_t now);
  void send_message(connection& c, std::uint64_t now);
  /// Reacts to message `seq` (one of the sender's own, just delivered): --react-every.
  void send_reaction(connection& c, std::uint64_t seq);
  void send_frame(connection& c, int op, std::string_view payload);
  void write(connection& c, std::string_view bytes);
  void fail(connection& c, char const* why, bool is_error);
  void mark_open(connection& c);
  void on_rate_tick();
  void stop_sending();
  void run_loop();
  /// Registers a connected socket (writes=false the first time), or turns waiting for
  /// writability on or off.
  void watch(connection& c, bool writes);
  void read_once(connection& c);
  /// Sends what the socket takes now; false when the connection failed.
  bool send_some(connection& c, std::string_view bytes, std::size_t& sent_bytes);

  options const& opt_;
  run_plan const& plan_;
  std::size_t index_;
  boost::asio::io_context ioc_;
  int epoll_fd_ = -1;  // every connected socket, level-triggered (run_loop)
  boost::asio::steady_timer rate_timer_;
  boost::asio::steady_timer stop_timer_;
  std::vector<std::unique_ptr<connection>> conns_;
  std::vector<connection*> senders_;
  std::size_t next_connect_ = 0;
  std::size_t connecting_ = 0;
  bool sending_ = false;
  double rate_share_ = 0;  // messages/s this worker sends in rate mode
  std::uint64_t rate_sent_ = 0;
  std::size_t rate_next_ = 0;
  std::string scratch_;    // payload being built
  std::string frame_;      // frame being built
  std::string handshake_;  // the upgrade request, the same for every client
  worker_stats stats_;
  std::thread thread_;
};

}  // namespace loadgen
