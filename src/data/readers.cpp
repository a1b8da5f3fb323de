#include "deepctl/data/readers.hpp"

#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "deepctl/core/error.hpp"
#include "deepctl/io/matfile.hpp"

namespace deepctl {

std::string read_maybe_gzipped(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw FileError(path + ": no such file");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw FileError(path + ": cannot open: " + std::strerror(errno));
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, n);
  int err = Z_OK;
  const char* msg = gzerror(f, &err);
  const bool failed = n < 0 || (err != Z_OK && err != Z_STREAM_END);
  const std::string reason = failed ? msg : "";
  gzclose(f);
  if (failed) throw FileError(path + ": corrupt or truncated gzip data (" + reason + ")");
  return out;
}

IdxArray read_idx(const std::string& path) {
  const std::string raw = read_maybe_gzipped(path);
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(raw[i]); };
  if (raw.size() < 4 || byte(0) != 0 || byte(1) != 0)
    throw FileError(path + ": not an IDX file (expected magic 0x0000TTDD)");
  if (byte(2) != 0x08)
    throw FileError(path + ": IDX element type 0x" + std::to_string(byte(2)) +
                    " is not supported; expected 0x08 (unsigned byte)");
  const std::size_t ndims = byte(3);
  if (ndims == 0 || raw.size() < 4 + 4 * ndims) throw FileError(path + ": truncated IDX header");
  IdxArray arr;
  std::size_t total = 1;
  for (std::size_t d = 0; d < ndims; ++d) {
    const std::size_t o = 4 + 4 * d;
    const std::size_t dim =
        (std::size_t(byte(o)) << 24) | (byte(o + 1) << 16) | (byte(o + 2) << 8) | byte(o + 3);
    arr.dims.push_back(static_cast<Index>(dim));
    total *= dim;
  }
  const std::size_t have = raw.size() - 4 - 4 * ndims;
  if (have != total)
    throw FileError(path + ": IDX data is " + (have < total ? "truncated" : "too long") +
                    ": expected " + std::to_string(total) + " bytes, found " +
                    std::to_string(have));
  arr.bytes.assign(raw.begin() + 4 + 4 * ndims, raw.end());
  return arr;
}

namespace {

Dataset idx_pair(const std::string& images_path, const std::string& labels_path,
                 const std::string& name) {
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3)
    throw FileError(images_path + ": expected a 3-dimensional image array, found " +
                    std::to_string(images.dims.size()) + " dimensions");
  if (labels.dims.size() != 1 || labels.dims[0] != images.dims[0])
    throw FileError(labels_path + ": expected " + std::to_string(images.dims[0]) +
                    " labels to match " + images_path);
  const Index n = images.dims[0], h = images.dims[1], w = images.dims[2];
  Dataset d;
  d.name = name;
  d.input_shape = {1, h, w};
  d.inputs.resize(n, h * w);
  for (Index i = 0; i < n * h * w; ++i) d.inputs.data()[i] = images.bytes[i] / 255.0f;
  std::vector<int> y(labels.bytes.begin(), labels.bytes.end());
  d.num_classes = 10;
  d.targets = one_hot(y, d.num_classes, labels_path);
  return d;
}

}  // namespace

TrainTest load_fashion_mnist(const std::string& dir) {
  auto file = [&](const std::string& stem) {
    const std::string gz = dir + "/" + stem + ".gz";
    return std::filesystem::exists(gz) ? gz : dir + "/" + stem;
  };
  return {
      idx_pair(file("train-images-idx3-ubyte"), file("train-labels-idx1-ubyte"), "fashion-mnist"),
      idx_pair(file("t10k-images-idx3-ubyte"), file("t10k-labels-idx1-ubyte"), "fashion-mnist")};
}

std::vector<std::vector<double>> read_csv(const std::string& path, std::size_t header_lines) {
  const std::string text = read_maybe_gzipped(path);
  std::vector<std::vector<double>> rows;
  std::istringstream lines(text);
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(lines, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line_no <= header_lines) continue;
    std::vector<double> row;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      const std::string field = line.substr(start, comma - start);
      char* end = nullptr;
      const double v = std::strtod(field.c_str(), &end);
      if (field.empty() || *end != '\0' || !std::isfinite(v))
        throw FileError(path + ":" + std::to_string(line_no) + ": field " +
                        std::to_string(row.size() + 1) + " '" + field + "' is not a number");
      row.push_back(v);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (!rows.empty() && row.size() != rows.front().size())
      throw FileError(path + ":" + std::to_string(line_no) + ": expected " +
                      std::to_string(rows.front().size()) + " fields like the first row, found " +
                      std::to_string(row.size()));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw FileError(path + ": no data rows");
  return rows;
}

Dataset load_digits(const std::string& path) {
  const auto rows = read_csv(path);
  if (rows.front().size() != 65)
    throw FileError(path + ": expected 65 fields per row (64 pixels and a label), found " +
                    std::to_string(rows.front().size()));
  Dataset d;
  d.name = "digits";
  d.input_shape = {1, 8, 8};
  d.num_classes = 10;
  d.inputs.resize(rows.size(), 64);
  std::vector<int> labels;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (int j = 0; j < 64; ++j) d.inputs(i, j) = static_cast<float>(rows[i][j] / 16.0);
    const double label = rows[i][64];
    if (label != std::floor(label))
      throw FileError(path + ":" + std::to_string(i + 1) + ": label " + std::to_string(label) +
                      " is not an integer");
    labels.push_back(static_cast<int>(label));
  }
  d.targets = one_hot(labels, 10, path);
  return d;
}

Dataset load_sklearn_table(const std::string& path, const std::string& name) {
  std::istringstream text(read_maybe_gzipped(path));
  std::string header;
  std::getline(text, header);
  if (!header.empty() && header.back() == '\r') header.pop_back();
  std::vector<std::string> fields;
  for (std::size_t start = 0;;) {
    const std::size_t comma = header.find(',', start);
    fields.push_back(header.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto count = [&](std::size_t i, const char* what) {
    char* end = nullptr;
    const long v = i < fields.size() ? std::strtol(fields[i].c_str(), &end, 10) : 0;
    if (i >= fields.size() || fields[i].empty() || *end != '\0' || v < 1)
      throw FileError(path + ":1: expected the header 'n_samples,n_features,class names...', " +
                      what + " is '" + (i < fields.size() ? fields[i] : "") + "'");
    return static_cast<Index>(v);
  };
  const Index samples = count(0, "n_samples"), features = count(1, "n_features");
  const Index classes = static_cast<Index>(fields.size()) - 2;
  if (classes < 2)
    throw FileError(path + ":1: expected at least two class names after the counts, found " +
                    std::to_string(classes));
  const auto rows = read_csv(path, 1);
  if (static_cast<Index>(rows.front().size()) != features + 1)
    throw FileError(path + ": expected " + std::to_string(features + 1) +
                    " fields per row (the header's n_features and a label), found " +
                    std::to_string(rows.front().size()));
  if (static_cast<Index>(rows.size()) != samples)
    throw FileError(path + ": the header promises " + std::to_string(samples) + " rows, found " +
                    std::to_string(rows.size()));
  Dataset d;
  d.name = name;
  d.input_shape = {features, 1, 1};
  d.num_classes = classes;
  d.inputs.resize(samples, features);
  std::vector<int> labels;
  for (Index i = 0; i < samples; ++i) {
    for (Index j = 0; j < features; ++j) d.inputs(i, j) = static_cast<float>(rows[i][j]);
    const double label = rows[i][features];
    if (label != std::floor(label))
      throw FileError(path + ":" + std::to_string(i + 2) + ": label " + std::to_string(label) +
                      " is not an integer");
    labels.push_back(static_cast<int>(label));
  }
  d.targets = one_hot(labels, classes, path);
  return d;
}

}  // namespace deepctl

namespace deepctl {

std::string ib12bit_path() {
  return std::string(DEEPCTL_DATA_DIR) + "/ib12bit/var_u.mat";
}

Dataset load_ib12bit(const std::string& path) {
  const MatArray* F = nullptr;
  const MatArray* y = nullptr;
  const std::vector<MatArray> arrays = read_mat(path);
  for (const MatArray& a : arrays) {
    if (a.name == "F") F = &a;
    if (a.name == "y") y = &a;
  }
  if (!F || !y) throw FileError(path + ": expected arrays F and y");
  if (F->dims.size() != 2 || F->dims[1] != 12)
    throw FileError(path + ": F must be N x 12, got " + std::to_string(F->dims[0]) + " x " +
                    std::to_string(F->dims.size() > 1 ? F->dims[1] : 1));
  const Index n = F->dims[0];
  if (Index(y->values.size()) != n)
    throw FileError(path + ": y has " + std::to_string(y->values.size()) + " labels for " +
                    std::to_string(n) + " patterns");
  Dataset d{"ib12bit", {12, 1, 1}, Mat<float>(n, 12), Mat<float>::Zero(n, 2), 2};
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < 12; ++j) {
      const double v = F->at(i, j);
      if (v != 0 && v != 1)
        throw FileError(path + ": F(" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                        ") is not 0 or 1");
      d.inputs(i, j) = float(v);
    }
    const double label = y->values[std::size_t(i)];
    if (label != 0 && label != 1)
      throw FileError(path + ": y(" + std::to_string(i + 1) + ") is not 0 or 1");
    d.targets(i, Index(label)) = 1;
  }
  return d;
}

}  // namespace deepctl
