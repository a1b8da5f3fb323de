#include "deepctl/io/npz.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
const char* descr_of();
template <>
const char* descr_of<float>() { return "<f4"; }
template <>
const char* descr_of<double>() { return "<f8"; }

std::string npy_bytes(const NpyArray& a) {
  std::string shape = "(";
  for (Index d : a.shape) shape += std::to_string(d) + ",";
  if (a.shape.size() > 1) shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '" + a.descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>(len >> 8);
  return out + header + a.bytes;
}

NpyArray parse_npy(const std::string& data, const std::string& where) {
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    throw FileError(where + ": not a .npy array (bad magic)");
  std::size_t header_len, offset;
  if (data[6] == 1) {
    header_len = static_cast<unsigned char>(data[8]) | (static_cast<unsigned char>(data[9]) << 8);
    offset = 10;
  } else {
    if (data.size() < 12) throw FileError(where + ": truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= std::size_t(static_cast<unsigned char>(data[8 + i])) << (8 * i);
    offset = 12;
  }
  if (data.size() < offset + header_len) throw FileError(where + ": truncated .npy header");
  const std::string header = data.substr(offset, header_len);
  auto field = [&](const std::string& key) {
    const auto k = header.find("'" + key + "'");
    if (k == std::string::npos) throw FileError(where + ": .npy header has no '" + key + "'");
    return header.substr(header.find(':', k) + 1);
  };
  NpyArray a;
  const std::string d = field("descr");
  const auto q1 = d.find('\''), q2 = d.find('\'', q1 + 1);
  a.descr = d.substr(q1 + 1, q2 - q1 - 1);
  if (field("fortran_order").find("True") < field("fortran_order").find(','))
    throw FileError(where + ": Fortran-ordered arrays are not supported");
  const std::string s = field("shape");
  const std::string dims = s.substr(s.find('(') + 1, s.find(')') - s.find('(') - 1);
  std::stringstream ss(dims);
  std::string tok;
  while (std::getline(ss, tok, ','))
    if (tok.find_first_not_of(' ') != std::string::npos) a.shape.push_back(std::stoll(tok));
  a.bytes = data.substr(offset + header_len);
  std::size_t item = a.descr.size() >= 3 ? std::stoul(a.descr.substr(2)) : 0;
  if (a.bytes.size() != a.count() * item)
    throw FileError(where + ": .npy data is " + std::to_string(a.bytes.size()) +
                    " bytes, expected " + std::to_string(a.count() * item));
  return a;
}

void put16(std::string& s, std::uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}
std::uint32_t get16(const std::string& s, std::size_t o) {
  return static_cast<unsigned char>(s[o]) | (static_cast<unsigned char>(s[o + 1]) << 8);
}
std::uint32_t get32(const std::string& s, std::size_t o) { return get16(s, o) | (get16(s, o + 2) << 16); }

}  // namespace

Index NpyArray::count() const {
  Index n = 1;
  for (Index d : shape) n *= d;
  return n;
}

template <class S>
NpyArray NpyArray::from_vector(const Vec<S>& v) {
  return {descr_of<S>(), {v.size()},
          std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(S))};
}

NpyArray NpyArray::scalar_int(std::int64_t v) {
  return {"<i8", {}, std::string(reinterpret_cast<const char*>(&v), sizeof v)};
}

template <class S>
Vec<S> NpyArray::to_vector(const std::string& what) const {
  Vec<S> v(count());
  if (descr == "<f4") {
    for (Index i = 0; i < v.size(); ++i) {
      float x;
      std::memcpy(&x, bytes.data() + i * 4, 4);
      v[i] = static_cast<S>(x);
    }
  } else if (descr == "<f8") {
    for (Index i = 0; i < v.size(); ++i) {
      double x;
      std::memcpy(&x, bytes.data() + i * 8, 8);
      v[i] = static_cast<S>(x);
    }
  } else {
    throw FileError(what + ": expected a float32 or float64 array, found dtype " + descr);
  }
  return v;
}

std::int64_t NpyArray::to_int(const std::string& what) const {
  if (descr != "<i8" || count() != 1)
    throw FileError(what + ": expected one int64, found dtype " + descr);
  std::int64_t v;
  std::memcpy(&v, bytes.data(), 8);
  return v;
}

std::string encode_npz(const NpzArchive& archive) {
  std::string out, central;
  std::uint16_t entries = 0;
  for (const auto& [name, array] : archive) {
    const std::string member = name + ".npy";
    const std::string data = npy_bytes(array);
    const std::uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), data.size());
    const std::uint32_t offset = static_cast<std::uint32_t>(out.size());
    // Local file header: stored, no data descriptor.
    put32(out, 0x04034b50);
    put16(out, 20); put16(out, 0); put16(out, 0); put16(out, 0); put16(out, 0x21);
    put32(out, crc); put32(out, data.size()); put32(out, data.size());
    put16(out, member.size()); put16(out, 0);
    out += member + data;
    put32(central, 0x02014b50);
    put16(central, 20); put16(central, 20); put16(central, 0); put16(central, 0);
    put16(central, 0); put16(central, 0x21);
    put32(central, crc); put32(central, data.size()); put32(central, data.size());
    put16(central, member.size()); put16(central, 0); put16(central, 0); put16(central, 0);
    put16(central, 0); put32(central, 0); put32(central, offset);
    central += member;
    ++entries;
  }
  const std::uint32_t central_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0); put16(out, 0); put16(out, entries); put16(out, entries);
  put32(out, central.size()); put32(out, central_offset); put16(out, 0);
  return out;
}

NpzArchive read_npz(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": no such file");
  const std::string z((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  std::size_t eocd = std::string::npos;
  const std::size_t lowest = z.size() > 65557 ? z.size() - 65557 : 0;
  for (std::size_t i = z.size() >= 22 ? z.size() - 21 : 0; i-- > lowest;)
    if (get32(z, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) throw FileError(path + ": not a .npz (zip) archive or truncated");
  const std::size_t entries = get16(z, eocd + 10);
  std::size_t c = get32(z, eocd + 16);
  NpzArchive archive;
  for (std::size_t e = 0; e < entries; ++e) {
    if (c + 46 > z.size() || get32(z, c) != 0x02014b50)
      throw FileError(path + ": corrupt zip central directory");
    const std::uint32_t method = get16(z, c + 10);
    const std::uint32_t comp = get32(z, c + 20), size = get32(z, c + 24);
    const std::size_t name_len = get16(z, c + 28), extra = get16(z, c + 30), comment = get16(z, c + 32);
    const std::size_t local = get32(z, c + 42);
    const std::string name = z.substr(c + 46, name_len);
    c += 46 + name_len + extra + comment;
    if (local + 30 > z.size() || get32(z, local) != 0x04034b50)
      throw FileError(path + ": corrupt zip entry " + name);
    const std::size_t data_at = local + 30 + get16(z, local + 26) + get16(z, local + 28);
    if (data_at + comp > z.size()) throw FileError(path + ": truncated zip entry " + name);
    std::string data;
    if (method == 0) {
      data = z.substr(data_at, comp);
    } else if (method == 8) {
      data.resize(size);
      z_stream zs{};
      inflateInit2(&zs, -15);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data() + data_at));
      zs.avail_in = comp;
      zs.next_out = reinterpret_cast<Bytef*>(data.data());
      zs.avail_out = size;
      const int rc = inflate(&zs, Z_FINISH);
      inflateEnd(&zs);
      if (rc != Z_STREAM_END) throw FileError(path + ": cannot inflate zip entry " + name);
    } else {
      throw FileError(path + ": zip entry " + name + " uses unsupported compression " +
                      std::to_string(method));
    }
    std::string key = name;
    if (key.size() > 4 && key.ends_with(".npy")) key.resize(key.size() - 4);
    archive[key] = parse_npy(data, path + ":" + name);
  }
  return archive;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string tmp = (dir / ("." + target.filename().string() + ".tmp." +
                                  std::to_string(::getpid()))).string();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw FileError(tmp + ": cannot create: " + std::strerror(errno));
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      throw FileError(tmp + ": write failed: " + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw FileError(tmp + ": fsync failed: " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw FileError(path + ": rename failed: " + std::strerror(errno));
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

template NpyArray NpyArray::from_vector<float>(const Vec<float>&);
template NpyArray NpyArray::from_vector<double>(const Vec<double>&);
template Vec<float> NpyArray::to_vector<float>(const std::string&) const;
template Vec<double> NpyArray::to_vector<double>(const std::string&) const;

}  // namespace deepctl
