#pragma once

#include <string>

#include "app/qr_matrix.hpp"

namespace message::app {

/// Draws `code` as a standalone SVG document: a white square with the standard 4-module quiet
/// zone and one black path of unit squares, one unit per module, scaled by whoever shows it
/// (crispEdges keeps module borders sharp). Pure.
std::string draw_qr_svg(const qr_matrix& code);

}  // namespace message::app
