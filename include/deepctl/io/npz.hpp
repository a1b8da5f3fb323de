// NumPy .npy arrays and .npz archives, written and read without NumPy.
//
// .npy v1.0: "\x93NUMPY", version 1.0, a little-endian uint16 header length, an ASCII dict
// {'descr': '<f4', 'fortran_order': False, 'shape': (n,), } padded with spaces to a multiple of
// 64 bytes and ended by '\n', then the raw little-endian data in C order.
// .npz: a zip archive of NAME.npy members. We write them stored (uncompressed) with CRC-32 from
// zlib; the reader also accepts deflated members (numpy.savez_compressed).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "deepctl/core/types.hpp"

namespace deepctl {

struct NpyArray {
  std::string descr;          // '<f4', '<f8', '<i8'
  std::vector<Index> shape;   // empty for a 0-d scalar
  std::string bytes;          // raw data

  Index count() const;
  template <class S>
  static NpyArray from_vector(const Vec<S>& v);
  static NpyArray scalar_int(std::int64_t v);
  // Values as S; throws FileError naming `what` if the dtype is not float32/float64.
  template <class S>
  Vec<S> to_vector(const std::string& what) const;
  std::int64_t to_int(const std::string& what) const;
};

using NpzArchive = std::map<std::string, NpyArray>;

// The .npz archive as bytes, members in map order.
std::string encode_npz(const NpzArchive& archive);
NpzArchive read_npz(const std::string& path);

// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename, fsync
// of the folder. A crash leaves either the old file or the new one, never a torn one.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace deepctl
