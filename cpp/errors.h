// The core's one error type: a one-line message meant for the user.
#pragma once

#include <stdexcept>
#include <string>

namespace ptmlp {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string &msg) : std::runtime_error(msg) {}
};

}    // namespace ptmlp
