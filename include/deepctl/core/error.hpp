// Typed errors raised at the library's boundaries (config, files, dimensions, bindings).
//
// Each message names the file, field, layer or value at fault and what was expected; the CLI
// prints it as one line on stderr and exits with code 2. Numerical trouble inside solvers is a
// returned status, never one of these.
#pragma once

#include <stdexcept>
#include <string>

namespace deepctl {

// Malformed or inconsistent user input: config keys, values, dimensions.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file that is missing, unreadable, truncated or of the wrong format.
class FileError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace deepctl
