# Warnings travel on an INTERFACE target that our own targets link PRIVATE.
# -Wnull-dereference is left out: at -O2 g++ 12 reports it inside Asio's inlined scheduler
# (false positives in system headers that no pragma around our code can silence).
add_library(message_warnings INTERFACE)
target_compile_options(message_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
  -Woverloaded-virtual -Wpedantic -Wformat=2 -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op -Wsuggest-override>
  # g++ 12 reports std::string operator+ as overlapping memcpy at -O2 (GCC bug 105329), and,
  # once the headers come precompiled, as reading or writing out of bounds (the same inlining:
  # GCC bugs 105651,
  # 106199).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict -Wno-stringop-overflow -Wno-stringop-overread -Wno-array-bounds>
  $<$<BOOL:${MESSAGE_WARNINGS_AS_ERRORS}>:-Werror>)

# Implicit narrowing conversions are warnings (errors when top-level) in src/, not in the tests,
# whose gtest macros compare ints with sizes: in src/ a narrowing is written as a cast, or the
# types agree.
add_library(message_conversion_warnings INTERFACE)
target_compile_options(message_conversion_warnings INTERFACE -Wconversion)
