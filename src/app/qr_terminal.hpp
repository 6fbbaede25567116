#pragma once

#include <string>

#include "app/qr_matrix.hpp"

namespace message::app {

/// Modules of light border drawn around a code in the terminal. The standard asks for 4; 2 is
/// what scanners need against a terminal's own margin, and keeps the code narrower.
inline constexpr int qr_terminal_quiet = 2;

/// Columns the terminal drawing of `code` takes.
int qr_terminal_columns(const qr_matrix& code);

/// Draws `code` with half blocks: one character cell holds two modules, one above the other
/// (U+2580 upper, U+2584 lower, U+2588 both, a space for neither). Each line sets black on
/// bright white itself and resets at its end, so the code reads the same on a dark or a light
/// terminal. Lines end with '\n'. Pure.
std::string draw_qr_terminal(const qr_matrix& code);

}  // namespace message::app
