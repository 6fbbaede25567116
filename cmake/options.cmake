option(MESSAGE_BUILD_TESTS "Build the unit and integration tests" ON)
option(MESSAGE_BUILD_FUZZ "Build the libFuzzer targets (needs clang)" OFF)
option(MESSAGE_BUILD_BENCH "Build the load generator in bench/" ON)
# Warnings are errors for our own builds; a project that embeds this one as a dependency builds
# with another compiler or library version, where a new warning must not break its build.
option(MESSAGE_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ${PROJECT_IS_TOP_LEVEL})
set(MESSAGE_SANITIZER "" CACHE STRING "Sanitizer set: empty, 'address' (ASan+UBSan) or 'thread' (TSan)")
