// Found on the LAN with nothing typed (issue 26): the invite's key stays out of logs, the QR
// code in a terminal decodes to the invite, /invite.svg carries the key only for those who
// present it, and avahi announces the server (with its collision rename).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "qr_reader.hpp"

namespace message::test {
namespace {

/// A child process whose stdout and stderr both go to `log`; stopped by PID when destroyed.
class logged_process {
 public:
  logged_process(const std::vector<std::string>& argv, std::filesystem::path log,
                 const std::vector<std::pair<std::string, std::string>>& env = {})
      : log_(std::move(log)) {
    const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + log_.string());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(fd);
    if (pid_ < 0) throw std::runtime_error("fork failed");
  }
  ~logged_process() { stop(); }
  logged_process(const logged_process&) = delete;
  logged_process& operator=(const logged_process&) = delete;

  std::string output() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// Waits (bounded) until the output matches `pattern`; returns the match's groups (0 = the
  /// whole match), or nothing.
  std::optional<std::vector<std::string>> wait_for(const std::string& pattern,
                                                   std::chrono::milliseconds limit = 10s) {
    const std::regex re(pattern);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const std::string text = output();
      if (std::smatch m; std::regex_search(text, m, re)) return std::vector<std::string>(m.begin(), m.end());
      if (exited() || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(10ms);  // Polling a file for a line; not a timing assumption.
    }
  }
  /// Waits (bounded) for the process to end on its own; returns its status, -1 if it did not.
  int wait_exit(std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!exited() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    return exited() ? status_ : -1;
  }
  /// SIGTERM, a bounded wait, then SIGKILL.
  void stop() {
    if (pid_ <= 0 || exited()) return;
    ::kill(pid_, SIGTERM);
    if (wait_exit(5s) == -1) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
      done_ = true;
    }
  }

 private:
  bool exited() {
    if (done_) return true;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) done_ = true;
    return done_;
  }
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int status_ = -1;
  bool done_ = false;
};

/// Everything in a string after an HTTP response's blank line.
std::string body_of(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

const std::string key = "s3cret+key/\xC3\xBC & more";
const std::string escaped_key = "s3cret%2Bkey%2F%C3%BC%20%26%20more";

TEST(Lan, TheKeyIsInNoLogLineAndTheInviteSvgCarriesItOnlyForItsHolders) {
  temp_dir dir;
  logged_process server({server_binary(), "--host", "127.0.0.1", "--port", "0", "--data",
                         (dir.path() / "d").string(), "--key", key, "--log-level", "trace"},
                        dir.path() / "server.log");
  const auto started = server.wait_for(R"(Server start on port (\d+))");
  ASSERT_TRUE(started) << server.output();
  const auto port = static_cast<unsigned short>(std::stoi((*started)[1]));

  // Without the key: 401 like every data path. With it: the invite of the address used, key inside.
  EXPECT_EQ(http_get(port, "/invite.svg").first, 401);
  const auto [status, response] = http_get(port, "/invite.svg", {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(status, 200) << response;
  EXPECT_NE(response.find("image/svg+xml"), std::string::npos);
  if (have_tool("zbarimg") && have_tool("rsvg-convert")) {
    EXPECT_EQ(decode_svg_qr(body_of(response), dir.path()),
              "https://127.0.0.1:" + std::to_string(port) + "/#k=" + escaped_key);
  }
  // A wrong key is logged as a failure (trace level logs everything there is).
  EXPECT_EQ(http_get(port, "/invite.svg", {{"Authorization", "Bearer wrong"}}).first, 401);
  server.stop();

  const std::string log = server.output();
  EXPECT_NE(log.find("open https://127.0.0.1:" + std::to_string(port) + "/"), std::string::npos) << log;
  EXPECT_NE(log.find("'message invite'"), std::string::npos) << "says how to show the invite:\n" << log;
  EXPECT_EQ(log.find(key), std::string::npos) << log;
  EXPECT_EQ(log.find(escaped_key), std::string::npos) << log;
  EXPECT_EQ(log.find("#k="), std::string::npos) << log;
  EXPECT_EQ(log.find("\u2588"), std::string::npos) << "no QR code off a terminal:\n" << log;
}

/// Runs `message invite ...` in a pseudo-terminal (script, util-linux) `columns` wide.
std::string invite_in_terminal(const temp_dir& dir, const std::string& flags, int columns) {
  logged_process script({"script", "-qec", server_binary() + " invite " + flags, "/dev/null"},
                        dir.path() / "script.log", {{"COLUMNS", std::to_string(columns)}});
  EXPECT_EQ(script.wait_exit(), 0);
  return script.output();
}

TEST(Lan, MessageInviteDrawsAQrCodeOfTheLinkWithTheKeyInATerminal) {
  if (!have_tool("script")) GTEST_SKIP() << "script (util-linux) is not installed";
  temp_dir dir;
  const std::string out =
      invite_in_terminal(dir, "--host 127.0.0.1 --port 8123 --key 's3cret+key/\xC3\xBC & more'", 120);
  const std::string url = "https://127.0.0.1:8123/#k=" + escaped_key;
  EXPECT_NE(out.find("open " + url), std::string::npos) << out;
  ASSERT_NE(out.find("\u2588"), std::string::npos) << out;
  if (have_tool("zbarimg")) {
    EXPECT_EQ(decode_terminal_qr(out, dir.path()), url);
  }

  const std::string narrow = invite_in_terminal(dir, "--host 127.0.0.1 --port 8123 --key abc", 20);
  EXPECT_NE(narrow.find("did not fit"), std::string::npos) << narrow;
  EXPECT_NE(narrow.find("https://127.0.0.1:8123/#k=abc"), std::string::npos) << narrow;
  EXPECT_EQ(narrow.find("\u2588"), std::string::npos) << narrow;

  const std::string none = invite_in_terminal(dir, "--host 127.0.0.1 --port 8123 --no-qr --no-tls", 120);
  EXPECT_NE(none.find("open http://127.0.0.1:8123/"), std::string::npos) << "--no-tls: plain http\n" << none;
  EXPECT_EQ(none.find("\u2588"), std::string::npos) << none;
}

TEST(Lan, WithoutAvahiItSaysOnceWhyThereIsNoLocalName) {
  temp_dir dir;
  // A bus that does not exist: avahi-client cannot reach any daemon.
  logged_process server(
      {server_binary(), "--host", "0.0.0.0", "--port", "0", "--data", (dir.path() / "d").string()},
      dir.path() / "server.log",
      {{"DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + (dir.path() / "no-bus").string()}});
  ASSERT_TRUE(server.wait_for(R"(no \.local name: .*\n)")) << server.output();
  EXPECT_TRUE(server.wait_for(R"(Server start on port \d+)"));
  const std::string log = server.output();
  EXPECT_EQ(log.find("no .local name"), log.rfind("no .local name")) << "said once:\n" << log;
}

TEST(Lan, MessageInviteAsksTheServerRunningInItsDataDirectoryForThePortAndScheme) {
  temp_dir dir;
  const std::string data = (dir.path() / "d").string();
  std::string port;
  {
    // --port 0 picks a port `message invite` cannot guess; --no-tls makes the scheme http.
    server_process server({"--data", data, "--store", "memory", "--no-tls"});
    port = std::to_string(server.port());
    const auto [status, out] = run_to_exit({"invite", "--host", "127.0.0.1", "--data", data});
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("open http://127.0.0.1:" + port + "/"), std::string::npos) << out;
    // An explicit --port wins, with the flags' scheme (https by default).
    const auto [given_status, given] =
        run_to_exit({"invite", "--host", "127.0.0.1", "--data", data, "--port", "8123"});
    EXPECT_EQ(given_status, 0) << given;
    EXPECT_NE(given.find("open https://127.0.0.1:8123/"), std::string::npos) << given;
  }
  // Stopped: the lock file still says the old port, but nobody holds the lock.
  const auto [status, out] = run_to_exit({"invite", "--host", "127.0.0.1", "--data", data});
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("no server is running with --data " + data), std::string::npos) << out;
  EXPECT_EQ(out.find(":" + port + "/"), std::string::npos) << out;
}

/// Why this machine cannot give a test its own network and host name (unshare, util-linux, as
/// root), or empty.
std::string namespaces_unavailable() {
  if (!have_tool("unshare")) return "unshare (util-linux) is not installed";
  if (::geteuid() != 0) return "new network and UTS namespaces need root, and the tests do not run as root";
  if (std::system("unshare -nu true >/dev/null 2>&1") != 0) return "this machine refuses new namespaces";
  return {};
}

TEST(Lan, NoLanAddressAndAHostNameThatIsNoDnsLabel) {
  if (const auto why = namespaces_unavailable(); !why.empty()) GTEST_SKIP() << why;
  temp_dir dir;
  // A network namespace of its own has the loopback interface only; its host name "my_host"
  // (an underscore) cannot be a DNS label, so it cannot go into the certificate or a .local name.
  logged_process server(
      {"unshare", "-nu", "sh", "-c", R"(echo my_host >/proc/sys/kernel/hostname && exec "$0" "$@")",
       server_binary(), "--host", "0.0.0.0", "--port", "0", "--data", (dir.path() / "d").string(), "--store",
       "memory"},
      dir.path() / "server.log");
  const auto said = server.wait_for(
      R"(Server start on port (\d+)\n  no LAN address: this machine is on no network, so only it can open https://127\.0\.0\.1:(\d+)/\n)");
  ASSERT_TRUE(said) << server.output();
  EXPECT_EQ((*said)[1], (*said)[2]);
  ASSERT_TRUE(server.wait_for(R"(data: in memory)")) << server.output();
  if (have_tool("openssl")) {
    const std::string sans = output_of("openssl x509 -in '" + (dir.path() / "d" / "tls-cert.pem").string() +
                                       "' -noout -ext subjectAltName");
    EXPECT_NE(sans.find("DNS:localhost"), std::string::npos) << sans;
    EXPECT_EQ(sans.find("my_host"), std::string::npos) << "no DNS label, so not in the certificate:\n"
                                                       << sans;
  }
  server.stop();
  EXPECT_EQ(server.wait_exit(), 0) << server.output();
}

/// A private D-Bus system bus and an avahi-daemon on it, confined to the loopback interface.
class private_avahi {
 public:
  explicit private_avahi(const std::filesystem::path& dir) : bus_("unix:path=" + (dir / "bus").string()) {
    std::ofstream(dir / "bus.conf")
        << R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>)"
        << bus_ << R"(</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/>
<allow send_type="method_call"/><allow send_type="signal"/><allow send_type="method_return"/><allow send_type="error"/>
<allow receive_type="method_call"/><allow receive_type="signal"/><allow receive_type="method_return"/><allow receive_type="error"/>
</policy></busconfig>)";
    std::ofstream(dir / "avahi.conf")
        << "[server]\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=lo\nenable-dbus=yes\n"
           "[publish]\npublish-hinfo=no\npublish-workstation=no\n";
    dbus_.emplace(std::vector<std::string>{"dbus-daemon", "--config-file=" + (dir / "bus.conf").string(),
                                           "--nofork", "--print-address"},
                  dir / "dbus.log");
    if (!dbus_->wait_for("unix:path=")) {
      problem_ = "dbus-daemon did not start: " + dbus_->output();
      return;
    }
    avahi_.emplace(std::vector<std::string>{"avahi-daemon", "--no-drop-root", "--no-chroot", "--no-rlimits",
                                            "-f", (dir / "avahi.conf").string()},
                   dir / "avahi.log", env());
    if (!avahi_->wait_for("Server startup complete"))
      problem_ = "avahi-daemon did not start: " + avahi_->output();
  }
  /// Why avahi is not usable here, or empty.
  const std::string& problem() const { return problem_; }
  std::vector<std::pair<std::string, std::string>> env() const { return {{"DBUS_SYSTEM_BUS_ADDRESS", bus_}}; }

 private:
  std::string bus_;
  std::string problem_;
  std::optional<logged_process> dbus_;  // Declared first: stopped after avahi.
  std::optional<logged_process> avahi_;
};

/// Why this machine cannot run a private avahi-daemon for a test, or empty.
std::string avahi_unavailable() {
  for (const char* tool : {"dbus-daemon", "avahi-daemon", "avahi-browse", "avahi-publish"})
    if (!have_tool(tool)) return std::string(tool) + " is not installed (avahi-daemon, avahi-utils, dbus)";
  if (::geteuid() != 0) return "avahi-daemon needs root to start, and the tests do not run as root";
  std::ifstream pid_file("/run/avahi-daemon/pid");
  if (int pid = 0; pid_file >> pid && ::kill(pid, 0) == 0)
    return "an avahi-daemon already runs here (pid " + std::to_string(pid) + "); a second one cannot start";
  return {};
}

TEST(Lan, AvahiAnnouncesTheServerAndPrintsTheCollisionRename) {
  if (const auto why = avahi_unavailable(); !why.empty()) GTEST_SKIP() << why;
  temp_dir dir;
  private_avahi avahi(dir.path());
  if (!avahi.problem().empty()) GTEST_SKIP() << avahi.problem();
  // Someone else on the LAN already has the name.
  logged_process other({"avahi-publish", "-s", "Kitchen chat", "_http._tcp", "1"}, dir.path() / "publish.log",
                       avahi.env());
  ASSERT_TRUE(other.wait_for("Established")) << other.output();

  logged_process server({server_binary(), "--host", "0.0.0.0", "--port", "0", "--data",
                         (dir.path() / "d").string(), "--name", "Kitchen chat"},
                        dir.path() / "server.log", avahi.env());
  const auto started = server.wait_for(R"(Server start on port (\d+))");
  ASSERT_TRUE(started) << server.output();
  const std::string port = (*started)[1];
  EXPECT_TRUE(server.wait_for("\"Kitchen chat\" is taken.*: announcing as \"Kitchen chat #2\""))
      << server.output();
  const auto announced =
      server.wait_for(R"(open https://(\S+)\.local:(\d+)/ too: announced on the LAN as "Kitchen chat #2")");
  ASSERT_TRUE(announced) << server.output();
  EXPECT_EQ((*announced)[2], port);

  logged_process browse({"avahi-browse", "-rtp", "_http._tcp"}, dir.path() / "browse.log", avahi.env());
  ASSERT_EQ(browse.wait_exit(20s), 0) << browse.output();
  // "=;lo;IPv4;Kitchen\032chat\032\0352;Web Site;local;vm.local;127.0.0.1;PORT;"path=/""
  const std::string found = browse.output();
  EXPECT_TRUE(std::regex_search(
      found, std::regex("=;lo;IPv4;Kitchen\\\\032chat\\\\032\\\\0352;[^;]*;local;[^;]*;[^;]*;" + port + ";")))
      << found;
}

}  // namespace
}  // namespace message::test
