#pragma once

#include <cstddef>

namespace message::core {

/// The steps of a loop's pipeline (room_pipeline) that may run on the calling thread instead
/// of being handed on.
enum class pipeline_step {
  commit_sends,  ///< A turn's sends: committed in place, or queued for the store thread.
  fan_out,       ///< A commit's messages and its senders' answers, on one loop: now, or posted.
  event,         ///< An event (typing, presence) or a resync, on one loop: always posted.
};

/// What the rule looks at. Each field is read by whoever calls it, under the lock (if any)
/// that makes it true: the store thread's for a commit, the loop's own thread for a fan-out.
struct step_facts {
  /// The caller is the step's own loop, at the end of its turn (commit_sends) or outside any
  /// running step of this pipeline (fan_out): running now cannot re-enter a step.
  bool on_own_loop = false;
  /// Nothing handed on before is still waiting or running: for a commit, the store thread is
  /// idle with nothing queued; for a fan-out, no earlier task of this pipeline is posted.
  /// Running now then cannot overtake anything.
  bool nothing_ahead = false;
  /// commit_sends: how many sends the group holds.
  std::size_t sends = 0;
  /// commit_sends: the store's commit waits for no disk sync (sequencing_store::commit_never_waits).
  bool store_never_waits = false;
};

/// THE rule for "run now or post", the one place it is decided (room_pipeline and
/// store_thread's in-place commit both ask it):
///
/// A step runs now, on the calling thread, only when it is on its own loop and nothing handed
/// on before it is still waiting (so it overtakes nothing and re-enters nothing), and:
///  - a commit holds exactly one send and the store never waits: a lone message then skips
///    the two thread hops to the store thread and back (each a context switch), and is
///    committed, fanned out and written in the turn that read it. A group of several goes to
///    the store thread, which commits it while the loop goes on writing;
///  - a fan-out always qualifies: its followers' writes then leave in the same round;
///  - an event never does: events come from inside a client's own handlers, and running the
///    others' at once would re-enter them.
/// Everything else is posted (or queued for the store thread), behind what came before.
///
/// Thread-safety: a pure function.
constexpr bool runs_now(pipeline_step step, const step_facts& facts) {
  if (!facts.on_own_loop || !facts.nothing_ahead) return false;
  switch (step) {
    case pipeline_step::commit_sends:
      return facts.sends == 1 && facts.store_never_waits;
    case pipeline_step::fan_out:
      return true;
    case pipeline_step::event:
      return false;
  }
  return false;
}

}  // namespace message::core
