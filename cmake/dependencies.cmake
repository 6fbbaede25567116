# Every dependency comes from a Debian package (see Makefile `deps`); nothing is downloaded.
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json url)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)  # CRC-32 of the journal's records
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
if(MESSAGE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
# hiredis 0.14 (libhiredis-dev) ships no CMake config: pkg-config finds it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# libedit (libedit-dev, BSD): the terminal client's line editor, through its readline-compatible
# interface; GNU readline's GPL does not fit the project's MIT licence.
pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
