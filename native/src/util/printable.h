// Text taken from a file, made safe to put in an error message.
#pragma once

#include <string>

namespace gitcap {

// `text` with bytes outside printable ASCII as \xNN, and at most `max` characters shown
// (then "... (N bytes in all)").
std::string printable(const std::string & text, size_t max = 80);

} // namespace gitcap
