// Readers for the real datasets deepctl trains on. Each raises FileError with the file's path
// and what is wrong (missing, wrong magic, truncated, ragged row, bad number, bad label).
//
//   IDX (LeCun's format, big-endian): magic 0x00 0x00 type ndims, one int32 per dimension, then
//       the raw bytes row-major. Only type 0x08 (unsigned byte) is used by (Fashion-)MNIST.
//       Files may be gzipped; zlib reads plain files as they are.
//   Fashion-MNIST: train/t10k images (idx3) and labels (idx1), as Debian's dataset-fashion-mnist
//       installs them under /usr/share/datasets/fashion-mnist; pixels are scaled to [0, 1].
//   CSV: numeric comma-separated rows, optionally gzipped, all rows of one width.
//   DIGITS: scikit-learn's digits.csv.gz (Debian's python3-sklearn): 64 pixels 0..16 then the
//       label; pixels are scaled by 1/16.
//   scikit-learn's plain tables (breast_cancer.csv, wine_data.csv, iris.csv in the same
//       directory): a header line "n_samples,n_features,class names…", then n rows of
//       n_features values and an integer label 0..k−1, k the number of class names. Values are
//       kept as they are (normalise through the run config).
//   ib12bit: the 12-bit information-bottleneck set of Shwartz-Ziv & Tishby (var_u.mat, a MAT v5
//       file, io/matfile.hpp; shipped in data/ib12bit/ with its MIT notice): F (4096 × 12, all
//       12-bit patterns, 0/1) as inputs and the label y ∈ {0, 1} one-hot (column y set; IDNNs
//       orders its columns [y, 1 − y]).
#pragma once

#include <string>
#include <vector>

#include "deepctl/data/dataset.hpp"

namespace deepctl {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr const char* kDigitsCsv =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

// The whole content of a file, gunzipped when it is gzip-compressed.
std::string read_maybe_gzipped(const std::string& path);

struct IdxArray {
  std::vector<Index> dims;
  std::vector<unsigned char> bytes;
};
IdxArray read_idx(const std::string& path);

// `dir` holds the four files, gzipped or not.
TrainTest load_fashion_mnist(const std::string& dir = kFashionMnistDir);

// Numeric rows after the first `header_lines` lines.
std::vector<std::vector<double>> read_csv(const std::string& path, std::size_t header_lines = 0);

Dataset load_digits(const std::string& path = kDigitsCsv);

inline constexpr const char* kSklearnDataDir = "/usr/lib/python3/dist-packages/sklearn/datasets/data";
// One of scikit-learn's headed tables; `name` becomes the Dataset's name.
Dataset load_sklearn_table(const std::string& path, const std::string& name);

// The shipped copy of var_u.mat in this source tree.
std::string ib12bit_path();
Dataset load_ib12bit(const std::string& path = ib12bit_path());

}  // namespace deepctl
