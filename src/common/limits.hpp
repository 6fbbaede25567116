#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace message::core {

/// Every limit of the server, with its default and the reason for it. One instance is built
/// by the command line (app/cli) and shared read-only by every component after start-up.
struct limits {
  // --- chat content -------------------------------------------------------------------
  /// Longest message text, in Unicode code points: a long paragraph, not a file dump.
  std::size_t max_message_chars = 4000;
  /// Longest username, in code points: fits on one line of a phone screen.
  std::size_t max_username_chars = 32;
  /// Longest room name: part of a URL people type.
  std::size_t max_room_chars = 40;
  /// Longest client message id: a UUID is 36; 64 leaves room for other schemes.
  std::size_t max_id_chars = 64;
  /// Most messages one `history` answer carries: keeps one frame well under max_frame_bytes.
  std::size_t history_limit = 200;
  /// Messages per replay page on resume; the next page is read when the send queue drains.
  std::size_t replay_page = 500;
  /// Identities one message may mention: a whole team, not a mailing list.
  std::size_t max_mentions = 20;
  /// Users named in a folded reaction (history): enough for "kim, lee and 4 others"; the full
  /// list is one `reactions` request away, so a popular message costs the same as a quiet one.
  std::size_t reaction_names = 3;
  /// Bytes of one reaction's emoji: the longest standard sequences (a family, a subdivision
  /// flag) take about 30; more is not one emoji, and ICU never sees a long string.
  std::size_t max_emoji_bytes = 64;
  /// Code points of a reply's quote: the start of a line, as the page shows it.
  std::size_t reply_quote_chars = 100;
  /// Rooms one connection may follow at once (subscribe): bounds per-connection state.
  std::size_t max_rooms_per_connection = 32;

  // --- wire ---------------------------------------------------------------------------
  /// Largest client frame: a 4000-code-point message is at most 16 KB of UTF-8 plus JSON
  /// escaping; 64 KiB leaves room and still bounds memory per read. Bigger closes with 1009.
  std::size_t max_frame_bytes = 64 * 1024;
  /// Deepest JSON nesting accepted: our frames are flat; a deep one is an attack.
  std::size_t max_json_depth = 8;
  /// Bytes queued for one reader: past them its room messages come from the store as it reads
  /// (client), and its frames wait (websocket_session); 1,000 slow readers stay < 1 GiB.
  std::size_t max_queue_bytes = 1024 * 1024;
  /// How long a write may stay stuck once the server began a close before the socket is cut.
  std::chrono::milliseconds slow_close_grace{2000};

  // --- fan-out pacing (core/fanout_pacer.hpp; the figures: docs/architecture.md, Decisions) -
  /// A round of writes shorter than this is never paced: rooms of people chatting, where a
  /// round is a few dozen sends, are written the moment a message is committed.
  std::chrono::microseconds pace_min_round{1000};
  /// Pacing engages when writing each message at once would keep the loop busy this share of
  /// the time or more (1 = saturated): below that the loop keeps up, and pacing would only add
  /// latency (a room of a thousand members at a lively human pace stays well below 1). 0 =
  /// pace every round big enough to be timed (64 followers on the loop or more).
  double pace_engage_load = 1.0;
  /// ...and only while a round would carry fewer messages than this (the load is also the
  /// messages arriving during one round): a closed loop of senders, or a backlog, already joins
  /// that many per write, and holding them would only slow them.
  double pace_batched_load = 8;
  /// Engaged, rounds are spaced so that writing takes at most this share of the loop: about
  /// 1 / share times fewer writes than one per message when saturated, so a fifth or less of
  /// the CPU; a smaller share saves more CPU per delivery and holds messages longer.
  double pace_busy_share = 0.15;
  /// The longest a committed message waits for its round: under what people notice in a room
  /// that moves hundreds of messages a second, which nobody reads one by one. It binds only
  /// when a round costs more than pace_max_hold * pace_busy_share (11 ms), and then lets
  /// writing take more of the loop than the share rather than hold messages longer; a lower
  /// hold binds on a slow machine's ordinary rounds. 0 = never pace.
  std::chrono::milliseconds pace_max_hold{75};

  // --- I/O loop (transport/idle_spin.hpp) ----------------------------------------------------
  /// The longest an I/O loop polls for new events after its last one before it sleeps: waking a
  /// sleeping thread costs more than the round trip of a chat message, and a longer window
  /// gains no latency. The window adapts: it shrinks to nothing while events come farther apart
  /// than this, so an idle server or a room at a human pace sleeps at once; where they come
  /// closer it costs some CPU per delivery, more the longer it is. 0 = never poll.
  std::chrono::microseconds loop_spin{100};

  // --- liveness -----------------------------------------------------------------------
  /// Idle time after which the server pings, and twice which it drops a silent peer:
  /// a vanished laptop is gone within 2 * idle_ping (under the 60 s promised).
  std::chrono::seconds idle_ping{15};
  /// Time a client has to finish the HTTP request and the WebSocket handshake.
  std::chrono::seconds handshake_timeout{10};
  /// Time an HTTP keep-alive connection may sit between requests.
  std::chrono::seconds http_idle_timeout{30};

  // --- HTTP ---------------------------------------------------------------------------
  /// Largest request header block: browsers send 1-2 KB; 16 KiB leaves room for cookies.
  std::size_t max_header_bytes = 16 * 1024;
  /// Largest request body: no endpoint takes a body.
  std::size_t max_body_bytes = 1024;

  // --- abuse (docs/security.md) ---------------------------------------------------------
  /// False turns off the per-connection and per-address message and byte limits (and the
  /// flood close they lead to): load tests play many fast clients from one machine.
  bool rate_limit = true;
  /// Frames per second one connection may send, and the burst it may save up: a fast typist
  /// sends 2-3 messages a second, a page resyncing a few more; 20/s with 40 saved never bites.
  double conn_msgs_per_sec = 20;
  double conn_msgs_burst = 40;
  /// Bytes per second one connection may send, and its burst: 64 KiB/s is 16 full-length
  /// messages a second; the burst holds four maximum frames.
  double conn_bytes_per_sec = 64 * 1024;
  double conn_bytes_burst = 256 * 1024;
  /// The same for all connections of one IP address together (a machine with many tabs).
  /// On a LAN one address is one machine: five busy tabs fit, one machine cannot drown a room.
  double addr_msgs_per_sec = 100;
  double addr_msgs_burst = 200;
  double addr_bytes_per_sec = 256 * 1024;
  double addr_bytes_burst = 1024 * 1024;
  /// A connection that sends more than flood_factor times its rate for flood_seconds seconds
  /// in a row is closed with 4029: it is not a person, and its errors cost us bandwidth.
  double flood_factor = 5;
  std::uint32_t flood_seconds = 3;
  /// Open TCP connections (HTTP or WebSocket) from one address: a machine with a few dozen
  /// tabs fits; a script opening thousands is refused with 503 at accept.
  std::size_t max_connections_per_address = 64;
  /// Open TCP connections in all: each costs a file descriptor and ~10-40 KB; this bounds
  /// memory to well under 1 GiB. Clamped at start to what the descriptor limit allows.
  std::size_t max_connections = 20000;
  /// Addresses remembered (counts, buckets, failed keys); idle ones are forgotten first.
  std::size_t max_tracked_addresses = 65536;
  /// Wrong keys an address may try before it must wait; the wait then doubles per failure
  /// from key_backoff up to key_backoff_max (5 guesses, then 1 s, 2 s, ... 10 min).
  std::uint32_t key_free_attempts = 5;
  std::chrono::milliseconds key_backoff{1000};
  std::chrono::milliseconds key_backoff_max{10 * 60 * 1000};
  /// Device link codes (docs/protocol.md, "Device linking"): 8 characters of a 29-character
  /// alphabet (38.8 bits) are typed in seconds from another screen; 5 minutes is time to pick
  /// up the second device, short enough that few codes are alive for a guesser to hit.
  std::size_t link_code_chars = 8;
  std::chrono::milliseconds link_code_ttl{5 * 60 * 1000};
  /// Wrong link codes the node accepts before it answers `rate_limited` (all connections
  /// together, as a new token costs nothing): 20 at once, then one per 5 s. A guesser gets
  /// ~80 tries in a code's 5 minutes, ~1.6e-10 of the codes; a person mistyping gets plenty.
  double link_failures_per_sec = 0.2;
  double link_failures_burst = 20;
  /// How long the /auth session cookie opens /invite.svg and /metrics: the page asks /auth
  /// on every load, which renews it, so a week covers a tab left open for days; a key change
  /// ends every cookie at once, whatever its lifetime.
  std::chrono::seconds session_cookie_lifetime{7 * 24 * 60 * 60};

  // --- read state and room activity (docs/protocol.md, "Read state") --------------------
  /// A connection's reads of one room are stored and broadcast at most once per this, and its
  /// room_activity recounted at most once per this: a page that scrolls sends a read per message
  /// it shows, and a store write plus a frame to every device of the identity and every reader
  /// of the room for each would cost more than the messages; a second is below what people notice.
  std::chrono::milliseconds read_interval{1000};
  /// Newest unread messages scanned for mentions per room_activity recount: bounds the store
  /// read of a recount in a room with a long unread backlog (a badge says "99+" long before).
  std::size_t activity_mention_scan = 1000;

  // --- storage ------------------------------------------------------------------------
  /// Most messages grouped into one SQLite transaction: bounds a commit's latency.
  std::size_t max_commit_batch = 4096;
  /// How long the store thread lets deferred store work wait (the journaled messages that the
  /// default store moves into SQLite in one transaction): short enough that an online backup
  /// is a blink behind, long enough that few moves share the core with the I/O loop (a move
  /// every few milliseconds shows in a chat round trip's p99).
  std::chrono::milliseconds store_defer{50};
  /// Messages kept per room (0 = all).
  std::uint64_t keep_messages = 0;
  /// Days a message is kept (0 = forever).
  std::uint32_t keep_days = 0;
  /// How long a client message id is remembered for idempotent resends (>= 24 h promised).
  std::chrono::hours id_memory{48};

  // --- file uploads (docs/protocol.md, "Files") -------------------------------------------
  /// Largest file one upload may declare (--max-file-bytes): a film or a disk image fits; more
  /// is refused at creation, before any byte travels.
  std::uint64_t max_file_bytes = 2ULL * 1024 * 1024 * 1024;
  /// Free space an upload must leave on the data directory's file system (--min-free-bytes):
  /// the database, its journal and the log keep room to write, so a big upload never stops
  /// the chat.
  std::uint64_t min_free_bytes = 256ULL * 1024 * 1024;
  /// Unfinished uploads one identity may hold at once (--max-uploads): a page sends a handful
  /// in parallel; more holds disk space and descriptors for nothing.
  std::size_t max_uploads = 16;
  /// How long an unfinished upload is kept after its last byte (--upload-expiry): a night's
  /// sleep of a laptop, then its bytes go.
  std::chrono::seconds upload_expiry{24 * 60 * 60};
  /// The shared files may take this many bytes together (0: no cap); past it the blobs whose
  /// newest message is oldest are removed (their messages keep `file` with `gone: true`). Off
  /// by default: the free-disk floor already keeps the disk from filling, and a cap removes
  /// what people shared, so it is the operator's choice (`--max-files-total-bytes`).
  std::uint64_t max_files_total_bytes = 0;
  /// How often the files worker looks for blobs no live message references (a delete, a
  /// retention round) and for blobs past the total cap: as often as retention's rounds.
  std::chrono::seconds blob_sweep_interval{30};
  /// Bytes of a PATCH body read (and written by the files worker) at a time: the upload's
  /// memory on the server, whatever the file's size; big enough that a write per piece is
  /// cheap next to the copy.
  std::size_t upload_piece_bytes = 256 * 1024;

  // --- search (search/search_index, docs/protocol.md "Search") ---------------------------
  /// Longest search query, in code points: a sentence someone remembers, not a document; more
  /// terms only make a slower query that finds nothing.
  std::size_t search_query_chars = 256;
  /// Most results one `search` answer carries (and the default when `limit` is absent, 20):
  /// a screen of results, and one frame far under max_frame_bytes.
  std::size_t search_limit = 50;
  /// Index matches one `search` answer may examine before it answers with a cursor: a filter
  /// (author, dates, rooms the person may not read) never makes one request scan the index.
  std::size_t search_scan_rows = 20000;
  /// Code points of a result's snippet: two lines of the results list.
  std::size_t search_snippet_chars = 160;
  /// Bytes of rows waiting for the index thread (a row costs about 200 bytes besides its text,
  /// up to max_message_chars of UTF-8): past them the index drops what comes and catches up
  /// from the store instead, so a slow disk or a busy core never grows the server's memory by
  /// more. 16 MiB holds about 50,000 ordinary rows, a second of the fastest stream the benches
  /// send (S1), while the index runs at idle priority; a longer burst is read back from the
  /// store in catch-up steps, which cost less than holding it.
  std::size_t search_queue_bytes = 16u << 20;
  /// Rows read from the store per step of a catch-up (an old database at start, after an
  /// overflow): one store-worker job short enough not to delay commits noticeably.
  std::size_t search_catch_up_rows = 2000;
  /// The most a new message waits before it is searchable (docs/protocol.md): the index thread
  /// gathers rows that long so that one transaction indexes many (a transaction per message
  /// would cost the server a WAL page write per message).
  std::chrono::milliseconds search_delay{200};
  /// Free pages the index file may hold before they are given back (PRAGMA incremental_vacuum
  /// after a transaction): FTS5's merges free pages all the time; 256 pages (1 MiB) keeps the
  /// file near its contents without truncating it after every transaction.
  std::size_t search_free_pages = 256;
  /// Messages read from the store per step of a `/export`: the export holds one page at a
  /// time, whatever the room's size, and each store-worker job stays short.
  std::size_t export_page = 500;

  // --- shared files: downloads and thumbnails (docs/protocol.md, "Files") -----------------
  /// Bytes one sendfile() of a download moves before the loop turns again: a read from a cold
  /// disk inside it holds the loop, so it stays small enough for the loop's other sessions not
  /// to notice, and big enough that a fast reader costs few turns.
  std::size_t download_chunk_bytes = 256 * 1024;
  /// The largest picture (width x height, read from its header before any pixel is decoded)
  /// that gets a thumbnail: 100 megapixels covers every camera and phone, and decoding one
  /// costs at most a few hundred MB at once. Bigger ones (a decompression bomb: a tiny PNG
  /// declaring 50,000 x 50,000) are shared as plain files.
  std::uint64_t max_image_pixels = 100'000'000;
  /// A thumbnail fits in this many pixels wide and high: the conversation shows pictures at
  /// most this big (twice a phone's column width at 1x, a laptop column at 2x).
  std::uint32_t thumb_max_side = 480;
};

}  // namespace message::core
