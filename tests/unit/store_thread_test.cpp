// The store worker as the ordering point: a message that comes alone while the worker is idle
// is committed on the caller's thread (no hop there and back), but nothing ever overtakes what
// is already queued or being committed, a group goes to the worker, and a store whose commit
// may wait (a sync per commit) is never committed in place. Real stores; futures with bounded
// waits instead of sleeps.
#include "core/store_thread.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include <sqlite3.h>

#include "store/journaled_message_store.hpp"
#include "store/memory_message_store.hpp"
#include "store/sqlite_message_store.hpp"
#include "temp_dir.hpp"

namespace message::core {
namespace {

using namespace std::chrono_literals;

/// What one append's callback saw.
struct outcome_seen {
  std::uint64_t seq = 0;
  std::thread::id thread;
};

class StoreThread : public ::testing::Test {
 protected:
  std::unique_ptr<store_thread> make(std::unique_ptr<store::sequencing_store> store) {
    return std::make_unique<store_thread>(std::move(store), config,
                                          [this](std::vector<chat_message>&& stored) {
                                            std::lock_guard lock(mutex);
                                            for (auto& m : stored) committed.push_back(m.seq);
                                            commit_threads.push_back(std::this_thread::get_id());
                                          });
  }
  /// An append request whose outcome fulfils `seen`.
  static store_thread::append_request request(const std::string& id, std::promise<outcome_seen>& seen) {
    new_message m;
    m.room = "lobby";
    m.id = id;
    m.username = "kim";
    m.text = "hello " + id;
    m.device = "dev123";
    m.ts = 1000;
    return {std::move(m), [&seen](const append_outcome& o) {
              seen.set_value({o.result ? o.result->seq : 0, std::this_thread::get_id()});
            }};
  }
  static std::vector<store_thread::append_request> one(store_thread::append_request r) {
    std::vector<store_thread::append_request> group;
    group.push_back(std::move(r));
    return group;
  }
  static bool ready(std::future<outcome_seen>& f) { return f.wait_for(0s) == std::future_status::ready; }
  /// Offers messages for an in-place commit until one is committed in place: a new worker
  /// first runs a retention pass, and an offer during it is queued (and committed by the
  /// worker). Returns that message's outcome and how many offers it took; bounded.
  static std::pair<outcome_seen, int> commit_in_place(store_thread& worker) {
    for (int offer = 1; offer <= 100; ++offer) {
      std::promise<outcome_seen> seen;
      auto f = seen.get_future();
      worker.append(one(request("m" + std::to_string(offer), seen)), true);
      if (ready(f)) return {f.get(), offer};
      await(f);  // Queued: the worker commits it before the promise goes out of scope.
    }
    ADD_FAILURE() << "no offer was committed in place";
    return {};
  }
  static outcome_seen await(std::future<outcome_seen>& f) {
    if (f.wait_for(10s) != std::future_status::ready) ADD_FAILURE() << "no outcome within 10 s";
    return f.get();
  }

  limits config;
  std::mutex mutex;
  std::vector<std::uint64_t> committed;
  std::vector<std::thread::id> commit_threads;
};

TEST_F(StoreThread, AMessageAloneOnAnIdleWorkerIsCommittedInPlace) {
  auto worker = make(std::make_unique<store::memory_message_store>());
  // The ack is there when append returns, given on this thread, after the commit listener.
  const auto [o, offers] = commit_in_place(*worker);
  EXPECT_EQ(o.seq, static_cast<std::uint64_t>(offers));
  EXPECT_EQ(o.thread, std::this_thread::get_id());
  std::lock_guard lock(mutex);
  ASSERT_EQ(committed.size(), static_cast<std::size_t>(offers));
  EXPECT_EQ(committed.back(), o.seq);
  EXPECT_EQ(commit_threads.back(), std::this_thread::get_id());
}

TEST_F(StoreThread, NothingOvertakesWhatTheWorkerHolds) {
  auto worker = make(std::make_unique<store::memory_message_store>());
  // Hold the worker inside a read job.
  std::promise<void> started, release;
  auto release_f = release.get_future().share();
  worker->read([&started, release_f](store::sequencing_store&) {
    started.set_value();
    (void)release_f.wait_for(10s);
  });
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);

  std::promise<outcome_seen> first_seen, second_seen;
  auto first = first_seen.get_future();
  auto second = second_seen.get_future();
  worker->append(one(request("first", first_seen)), false);   // Queued behind the read.
  worker->append(one(request("second", second_seen)), true);  // Must queue behind "first".
  EXPECT_FALSE(ready(second)) << "committed in place while the worker held the store";
  release.set_value();
  const auto a = await(first);
  const auto b = await(second);
  EXPECT_EQ(a.seq, 1u);
  EXPECT_EQ(b.seq, 2u);
  EXPECT_NE(b.thread, std::this_thread::get_id());
}

TEST_F(StoreThread, AGroupGoesToTheWorkerInOrder) {
  auto worker = make(std::make_unique<store::memory_message_store>());
  std::promise<outcome_seen> a_seen, b_seen;
  auto a = a_seen.get_future();
  auto b = b_seen.get_future();
  std::vector<store_thread::append_request> group;
  group.push_back(request("a", a_seen));
  group.push_back(request("b", b_seen));
  worker->append(std::move(group), true);
  const auto oa = await(a);
  const auto ob = await(b);
  EXPECT_EQ(oa.seq, 1u);
  EXPECT_EQ(ob.seq, 2u);
  EXPECT_NE(oa.thread, std::this_thread::get_id()) << "a group is the worker's to commit";
}

TEST_F(StoreThread, ASqliteStoreCommitsInPlaceUnlessEveryCommitSyncs) {
  test::temp_dir tmp;
  {
    auto worker = make(
        std::make_unique<store::sqlite_message_store>(tmp.path() / "normal.db", store::durability::process));
    EXPECT_EQ(commit_in_place(*worker).first.thread, std::this_thread::get_id());
  }
  {
    // --fsync: a loop must not wait for the disk.
    auto worker = make(
        std::make_unique<store::sqlite_message_store>(tmp.path() / "fsync.db", store::durability::power));
    std::promise<outcome_seen> seen;
    auto f = seen.get_future();
    worker->append(one(request("a", seen)), true);
    const auto o = await(f);
    EXPECT_EQ(o.seq, 1u);
    EXPECT_NE(o.thread, std::this_thread::get_id());
  }
}

TEST_F(StoreThread, TheJournaledStoreCommitsInPlaceAndTheWorkerMovesItIntoTheDatabaseSoonAfter) {
  test::temp_dir tmp;
  const auto db = tmp.path() / "messages.db";
  auto worker = make(std::make_unique<store::journaled_message_store>(db, tmp.path() / "messages.journal",
                                                                      store::durability::process));
  const auto [seen, offers] = commit_in_place(*worker);
  EXPECT_EQ(seen.thread, std::this_thread::get_id());
  // Nobody asks again: the worker moves the journaled message by itself, store_defer later.
  bool stored = false;
  for (int i = 0; i < 200 && !stored; ++i) {  // Bounded: up to 10 s.
    sqlite3* other = nullptr;
    sqlite3_open_v2(db.c_str(), &other, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(other, "SELECT count(*) FROM messages", -1, &q, nullptr);
    stored = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == offers;
    sqlite3_finalize(q);
    sqlite3_close(other);
    if (!stored) std::this_thread::sleep_for(50ms);  // Waiting on the worker's thread.
  }
  EXPECT_TRUE(stored) << "the message never reached the database file";
}

TEST_F(StoreThread, StopCommitsWhatArrivedWhileALoopCommittedInPlace) {
  auto worker = make(std::make_unique<store::memory_message_store>());
  std::promise<outcome_seen> a_seen, b_seen;
  auto a = a_seen.get_future();
  auto b = b_seen.get_future();
  worker->append(one(request("a", a_seen)), true);
  worker->append(one(request("b", b_seen)), false);
  worker->stop();
  EXPECT_EQ(await(a).seq, 1u);
  EXPECT_EQ(await(b).seq, 2u);
}

}  // namespace
}  // namespace message::core
