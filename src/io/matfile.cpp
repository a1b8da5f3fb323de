#include "deepctl/io/matfile.hpp"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

enum : std::uint32_t {
  miINT8 = 1,
  miUINT8 = 2,
  miINT16 = 3,
  miUINT16 = 4,
  miINT32 = 5,
  miUINT32 = 6,
  miSINGLE = 7,
  miDOUBLE = 9,
  miINT64 = 12,
  miUINT64 = 13,
  miMATRIX = 14,
  miCOMPRESSED = 15
};

struct Element {
  std::uint32_t type = 0;
  std::string data;
};

// Reads the elements of `bytes` in order; `where` names the file (and the container) in errors.
class ElementReader {
 public:
  ElementReader(const std::string& bytes, std::size_t at, std::string where)
      : b_(bytes), at_(at), where_(std::move(where)) {}
  bool done() const { return at_ >= b_.size(); }
  Element next() {
    if (at_ + 8 > b_.size())
      throw FileError(where_ + ": truncated data element tag at byte " + std::to_string(at_));
    std::uint32_t first = u32(at_), second = u32(at_ + 4);
    Element e;
    if (first >> 16) {  // small element: 2-byte count, 2-byte type, 4 bytes of data
      e.type = first & 0xffff;
      const std::uint32_t n = first >> 16;
      if (n > 4)
        throw FileError(where_ + ": small data element of " + std::to_string(n) + " bytes");
      e.data = b_.substr(at_ + 4, n);
      at_ += 8;
      return e;
    }
    e.type = first;
    if (at_ + 8 + std::size_t(second) > b_.size())
      throw FileError(where_ + ": data element of " + std::to_string(second) +
                      " bytes runs past the end");
    e.data = b_.substr(at_ + 8, second);
    const std::size_t padded = e.type == miCOMPRESSED ? second : (std::size_t(second) + 7) / 8 * 8;
    at_ += 8 + padded;
    return e;
  }

 private:
  std::uint32_t u32(std::size_t i) const {
    std::uint32_t v;
    std::memcpy(&v, b_.data() + i, 4);
    return v;
  }
  const std::string& b_;
  std::size_t at_;
  std::string where_;
};

std::string inflate_zlib(const std::string& in, const std::string& where) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw FileError(where + ": cannot start zlib");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[1 << 15];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) throw FileError(where + ": corrupt or truncated compressed element");
  return out;
}

template <class T>
void append_values(const std::string& data, std::vector<double>& out) {
  const std::size_t n = data.size() / sizeof(T);
  for (std::size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, data.data() + i * sizeof(T), sizeof(T));
    out.push_back(static_cast<double>(v));
  }
}

std::vector<double> numeric_values(const Element& e, const std::string& where) {
  std::vector<double> v;
  switch (e.type) {
    case miINT8:
      append_values<std::int8_t>(e.data, v);
      break;
    case miUINT8:
      append_values<std::uint8_t>(e.data, v);
      break;
    case miINT16:
      append_values<std::int16_t>(e.data, v);
      break;
    case miUINT16:
      append_values<std::uint16_t>(e.data, v);
      break;
    case miINT32:
      append_values<std::int32_t>(e.data, v);
      break;
    case miUINT32:
      append_values<std::uint32_t>(e.data, v);
      break;
    case miSINGLE:
      append_values<float>(e.data, v);
      break;
    case miDOUBLE:
      append_values<double>(e.data, v);
      break;
    case miINT64:
      append_values<std::int64_t>(e.data, v);
      break;
    case miUINT64:
      append_values<std::uint64_t>(e.data, v);
      break;
    default:
      throw FileError(where + ": numeric data of unsupported type " + std::to_string(e.type));
  }
  return v;
}

MatArray parse_matrix(const std::string& body, const std::string& where) {
  ElementReader r(body, 0, where);
  MatArray a;
  const Element flags = r.next();
  if (flags.type != miUINT32 || flags.data.size() < 8) throw FileError(where + ": bad array flags");
  std::uint32_t word;
  std::memcpy(&word, flags.data.data(), 4);
  a.mx_class = int(word & 0xff);
  a.logical = word & 0x0200;
  if (word & 0x0800) throw FileError(where + ": complex arrays are not supported");
  if (a.mx_class < 6 || a.mx_class > 15)
    throw FileError(where + ": array class " + std::to_string(a.mx_class) +
                    " (cell, struct, char or sparse) is not supported; expected a numeric array");
  const Element dims = r.next();
  if (dims.type != miINT32 || dims.data.size() < 8) throw FileError(where + ": bad dimensions");
  std::size_t count = 1;
  for (std::size_t i = 0; i + 4 <= dims.data.size(); i += 4) {
    std::int32_t d;
    std::memcpy(&d, dims.data.data() + i, 4);
    if (d < 0) throw FileError(where + ": negative dimension");
    a.dims.push_back(d);
    count *= std::size_t(d);
  }
  const Element name = r.next();
  if (name.type != miINT8) throw FileError(where + ": bad array name");
  a.name = name.data;
  a.values = numeric_values(r.next(), where + ":" + a.name);
  if (a.values.size() != count)
    throw FileError(where + ":" + a.name + ": " + std::to_string(a.values.size()) + " values for " +
                    std::to_string(count) + " elements");
  return a;
}

}  // namespace

std::vector<MatArray> read_mat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": no such file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  if (bytes.size() < 128 || bytes.compare(0, 10, "MATLAB 5.0") != 0)
    throw FileError(path + ": not a MATLAB 5.0 MAT-file (expected the text header 'MATLAB 5.0')");
  if (bytes.compare(126, 2, "IM") != 0)
    throw FileError(path + ": big-endian or corrupt MAT-file (expected the endian mark 'IM')");
  std::vector<MatArray> arrays;
  ElementReader r(bytes, 128, path);
  while (!r.done()) {
    Element e = r.next();
    if (e.type == miCOMPRESSED) {
      const std::string inflated = inflate_zlib(e.data, path);
      ElementReader inner(inflated, 0, path);
      e = inner.next();
    }
    if (e.type != miMATRIX) continue;  // other top-level elements carry no arrays
    arrays.push_back(parse_matrix(e.data, path));
  }
  return arrays;
}

}  // namespace deepctl
