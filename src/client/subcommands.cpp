#include "client/subcommands.hpp"

#include <csignal>
#include <string_view>

namespace message::client {

std::optional<int> run_subcommand(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  const std::string_view name = argv[1];
  int (*run)(int, char**) = nullptr;
  if (name == "send") run = run_send;
  if (name == "tail") run = run_tail;
  if (name == "chat") run = run_chat;
  if (name == "link") run = run_link;
  if (name == "export") run = run_export;
  if (!run) return std::nullopt;
  // A closed stdout (`message tail -f | head -1`) must be a write error we end on quietly,
  // not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  return run(argc - 1, argv + 1);
}

}  // namespace message::client
