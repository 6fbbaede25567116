option(MESSAGE_BUILD_TESTS "Build the unit and integration tests" ON)
option(MESSAGE_BUILD_FUZZ "Build the libFuzzer targets (needs clang)" OFF)
option(MESSAGE_BUILD_BENCH "Build the load generator in bench/" ON)
# Warnings are errors for our own builds; a project that embeds this one as a dependency builds
# with another compiler or library version, where a new warning must not break its build.
option(MESSAGE_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ${PROJECT_IS_TOP_LEVEL})
set(MESSAGE_SANITIZER "" CACHE STRING "Sanitizer set: empty, 'address' (ASan+UBSan) or 'thread' (TSan)")
# The sanitizer presets compile each library as a few large translation units (CMake's unity
# build): the Boost headers are parsed once per batch instead of once per file, which is most of
# a clean sanitizer build's time (docs/architecture.md, Decisions). Off for the release and
# debug builds, where a change recompiles one small file.
option(MESSAGE_UNITY_BUILD "Compile the libraries of src/ as unity batches" OFF)
# Precompiled headers for the targets whose files all include Beast, Asio or GoogleTest (the
# transports, the tests): a clean build parses those headers once per target, not per file.
option(MESSAGE_PRECOMPILED_HEADERS "Precompile the heavy library headers of the transports and tests" ON)
