// .npz encoding, atomic writes and checkpoint round trips.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "deepctl/core/error.hpp"
#include "deepctl/io/npz.hpp"

namespace deepctl {
namespace {

namespace fs = std::filesystem;

TEST(Npz, RoundTripOfFloatDoubleAndIntArrays) {
  const std::string path = (fs::temp_directory_path() / "deepctl_roundtrip.npz").string();
  Vec<float> f(5);
  f << 1, -2, 3.5, 0, 1e-30f;
  Vec<double> d = Vec<double>::LinSpaced(300, -1, 1);
  write_file_atomic(path, encode_npz({{"f", NpyArray::from_vector(f)},
                                      {"d", NpyArray::from_vector(d)},
                                      {"k", NpyArray::scalar_int(-7)}}));
  const NpzArchive z = read_npz(path);
  EXPECT_EQ(z.at("f").to_vector<float>("f"), f);
  EXPECT_EQ(z.at("d").to_vector<double>("d"), d);
  EXPECT_EQ(z.at("k").to_int("k"), -7);
  EXPECT_EQ(z.at("d").shape, (std::vector<Index>{300}));
}

TEST(Npz, NumpyReadsOurArchive) {
  // The checkpoint format must be readable without deepctl: NumPy loads it and sees the values.
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3-numpy is not installed";
  const std::string path = (fs::temp_directory_path() / "deepctl_numpy.npz").string();
  Vec<double> d = Vec<double>::LinSpaced(7, 0, 6);
  write_file_atomic(path, encode_npz({{"theta_0", NpyArray::from_vector(d)},
                                      {"epoch", NpyArray::scalar_int(3)}}));
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; z = np.load('" + path +
                          "'); assert z['theta_0'].tolist() == list(range(7)); "
                          "assert int(z['epoch']) == 3\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(Npz, CorruptArchivesAreRejectedWithThePath) {
  const std::string path = (fs::temp_directory_path() / "deepctl_bad.npz").string();
  std::ofstream(path) << "this is not a zip archive at all";
  try {
    read_npz(path);
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
  const std::string full =
      encode_npz({{"a", NpyArray::from_vector(Vec<double>::Ones(100).eval())}});
  std::ofstream(path, std::ios::binary) << full.substr(0, full.size() / 2);
  EXPECT_THROW(read_npz(path), FileError);
  EXPECT_THROW(read_npz("/nonexistent/c.npz"), FileError);
}

TEST(AtomicWrite, ReplacesWholeFileAndLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / "deepctl_atomic";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "f.txt").string();
  write_file_atomic(path, "old contents");
  write_file_atomic(path, "new");
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(s, "new");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  EXPECT_THROW(write_file_atomic("/nonexistent/dir/f", "x"), FileError);
}

}  // namespace
}  // namespace deepctl
