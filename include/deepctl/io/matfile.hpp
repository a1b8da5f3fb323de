// MATLAB Level-5 MAT-files (little-endian), as far as numeric arrays go: the 128-byte header
// ("MATLAB 5.0 MAT-file", version 0x0100, endian mark "IM"), then data elements. An element's
// tag is 8 bytes (type, byte count) or, in the "small element" form, 4 bytes (count << 16 |
// type) with up to 4 bytes of data; data are padded to 8 bytes, except miCOMPRESSED (15)
// elements, whose zlib stream inflates to one element. A miMATRIX (14) holds array flags (class
// in the low byte, logical bit 0x0200), dimensions, the name and the real part, stored in any
// numeric type (MATLAB stores doubles of small integers as miUINT8); values are returned as
// double, column-major. Complex, sparse, cell, struct and char arrays are refused by name.
// Every malformed input raises FileError naming the file and the problem.
#pragma once

#include <string>
#include <vector>

#include "deepctl/core/types.hpp"

namespace deepctl {

struct MatArray {
  std::string name;
  std::vector<Index> dims;     // as MATLAB lists them (rows, columns, ...)
  std::vector<double> values;  // column-major
  int mx_class = 0;            // 6 double, 9 uint8, ...
  bool logical = false;
  double at(Index row, Index col) const { return values[std::size_t(row + dims[0] * col)]; }
};

std::vector<MatArray> read_mat(const std::string& path);

}  // namespace deepctl
