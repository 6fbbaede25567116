#pragma once

#include <optional>

namespace message::client {

/// Runs `message send|tail|chat ...` when argv[1] names one of them and returns its exit
/// code; nullopt otherwise (the server's own command line goes on).
std::optional<int> run_subcommand(int argc, char** argv);

int run_send(int argc, char** argv);
int run_tail(int argc, char** argv);
int run_chat(int argc, char** argv);
int run_link(int argc, char** argv);
int run_export(int argc, char** argv);

}  // namespace message::client
