# Every dependency comes from a Debian package (see Makefile `deps`); nothing is downloaded.
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json url)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)  # CRC-32 of the journal's records
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
# One emoji per reaction: ICU's grapheme BreakIterator and emoji properties (protocol/emoji).
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
# GTest comes with the test packages (make deps-test); without it `make run` still configures
# and builds the server, and the tests are left out until it is installed.
if(MESSAGE_BUILD_TESTS)
  find_package(GTest)
  if(NOT GTest_FOUND)
    message(STATUS "libgtest-dev is missing: tests not configured (make deps-test installs it)")
  endif()
endif()
# hiredis 0.14 (libhiredis-dev) ships no CMake config: pkg-config finds it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# The QR code's modules (libqrencode-dev) and the LAN announcement (libavahi-client-dev).
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(AVAHI_CLIENT REQUIRED IMPORTED_TARGET avahi-client)
# sd_notify (READY, STOPPING, STATUS, the watchdog) under systemd: libsystemd-dev.
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# Thumbnails of shared pictures (files/thumbnailer): libvips, 8.14 in Debian 12.
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips>=8.13)
# /metrics: prometheus-cpp's core library (prometheus-cpp-dev), rendered into our own route.
find_package(prometheus-cpp CONFIG REQUIRED)
# libedit (libedit-dev, BSD): the terminal client's line editor, through its readline-compatible
# interface; GNU readline's GPL does not fit the project's MIT licence.
pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
# libmagic (libmagic-dev): an uploaded file's type, sniffed from its bytes (files/content_sniffer).
pkg_check_modules(LIBMAGIC REQUIRED IMPORTED_TARGET libmagic)
