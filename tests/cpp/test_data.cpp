// Readers on the real datasets and on every malformed-input class.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "deepctl/core/error.hpp"
#include "deepctl/data/readers.hpp"
#include "deepctl/data/synthetic.hpp"
#include "deepctl/io/matfile.hpp"

namespace deepctl {
namespace {

namespace fs = std::filesystem;

std::string temp_file(const std::string& name, const std::string& bytes) {
  const fs::path dir = fs::temp_directory_path() / "deepctl_test_data";
  fs::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string idx_bytes(unsigned char type, std::vector<std::uint32_t> dims, std::size_t data) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (auto d : dims)
    for (int b = 3; b >= 0; --b) s += static_cast<char>((d >> (8 * b)) & 0xff);
  s.append(data, '\x07');
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const FileError& e) {
    return e.what();
  }
  return "";
}

TEST(Readers, FashionMnistFromDebianPackage) {
  const TrainTest tt = load_fashion_mnist();
  EXPECT_EQ(tt.train.size(), 60000);
  EXPECT_EQ(tt.test.size(), 10000);
  EXPECT_EQ(tt.train.input_shape, (Shape{1, 28, 28}));
  // Balanced classes: 6000 per class in train, 1000 in test.
  EXPECT_EQ(tt.train.targets.colwise().sum().cast<int>(), Eigen::RowVectorXi::Constant(10, 6000));
  EXPECT_EQ(tt.test.targets.colwise().sum().cast<int>(), Eigen::RowVectorXi::Constant(10, 1000));
  EXPECT_GE(tt.train.inputs.minCoeff(), 0.0f);
  EXPECT_LE(tt.train.inputs.maxCoeff(), 1.0f);
}

TEST(Readers, DigitsFromDebianPackage) {
  const Dataset d = load_digits();
  EXPECT_EQ(d.size(), 1797);
  EXPECT_EQ(d.inputs.cols(), 64);
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.inputs.maxCoeff(), 1.0f);  // pixels 0..16 scaled by 1/16
  EXPECT_EQ(d.targets.sum(), 1797.0f);
}

TEST(Readers, IdxValidImageArray) {
  const auto path = temp_file("ok.idx", idx_bytes(0x08, {2, 3, 4}, 24));
  const IdxArray a = read_idx(path);
  EXPECT_EQ(a.dims, (std::vector<Index>{2, 3, 4}));
  EXPECT_EQ(a.bytes.size(), 24u);
}

TEST(Readers, IdxGzippedIsReadThroughZlib) {
  const std::string raw = idx_bytes(0x08, {5}, 5);
  const std::string path = (fs::temp_directory_path() / "deepctl_test_data" / "ok.idx.gz").string();
  fs::create_directories(fs::path(path).parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, raw.data(), raw.size());
  gzclose(f);
  EXPECT_EQ(read_idx(path).dims, (std::vector<Index>{5}));
}

TEST(Readers, IdxTruncatedData) {
  const auto path = temp_file("short.idx", idx_bytes(0x08, {2, 3, 4}, 20));
  EXPECT_NE(error_of([&] { read_idx(path); }).find("truncated: expected 24 bytes, found 20"),
            std::string::npos);
}

TEST(Readers, IdxWrongMagic) {
  const auto path = temp_file("magic.idx", "PK\x03\x04garbage");
  EXPECT_NE(error_of([&] { read_idx(path); }).find("not an IDX file"), std::string::npos);
}

TEST(Readers, IdxWrongElementType) {
  const auto path = temp_file("float.idx", idx_bytes(0x0D, {2}, 8));
  EXPECT_NE(error_of([&] { read_idx(path); }).find("not supported"), std::string::npos);
}

TEST(Readers, IdxTruncatedHeader) {
  const auto path = temp_file("header.idx", std::string("\0\0\x08\x03\0\0", 6));
  EXPECT_NE(error_of([&] { read_idx(path); }).find("truncated IDX header"), std::string::npos);
}

TEST(Readers, MissingFileNamesThePath) {
  EXPECT_NE(
      error_of([] { read_idx("/nonexistent/x.idx"); }).find("/nonexistent/x.idx: no such file"),
      std::string::npos);
  EXPECT_THROW(load_fashion_mnist("/nonexistent"), FileError);
}

TEST(Readers, CsvRaggedRowNamesTheLine) {
  const auto path = temp_file("ragged.csv", "1,2,3\n4,5,6\n7,8\n");
  EXPECT_NE(error_of([&] { read_csv(path); }).find("ragged.csv:3: expected 3 fields"),
            std::string::npos);
}

TEST(Readers, CsvNonNumberNamesTheField) {
  const auto path = temp_file("word.csv", "1,2\n3,x\n");
  EXPECT_NE(error_of([&] { read_csv(path); }).find("word.csv:2: field 2 'x' is not a number"),
            std::string::npos);
}

TEST(Readers, DigitsWrongWidthOrLabel) {
  const auto narrow = temp_file("narrow.csv", "1,2,3\n");
  EXPECT_NE(error_of([&] { load_digits(narrow); }).find("expected 65 fields"), std::string::npos);
  std::string row;
  for (int i = 0; i < 64; ++i) row += "0,";
  const auto bad_label = temp_file("label.csv", row + "11\n");
  EXPECT_NE(error_of([&] { load_digits(bad_label); }).find("label 11"), std::string::npos);
}

TEST(Readers, SklearnTablesFromDebianPackage) {
  // scikit-learn documents 212 malignant (label 0) and 357 benign tumours, 30 features; wine
  // 59/71/48 in 13 features; iris 50 of each in 4.
  const Dataset cancer =
      load_sklearn_table(std::string(kSklearnDataDir) + "/breast_cancer.csv", "breast-cancer");
  EXPECT_EQ(cancer.size(), 569);
  EXPECT_EQ(cancer.inputs.cols(), 30);
  EXPECT_EQ(cancer.targets.colwise().sum().cast<int>(), Eigen::RowVector2i(212, 357));
  EXPECT_FLOAT_EQ(cancer.inputs(0, 0), 17.99f);
  const Dataset wine = load_sklearn_table(std::string(kSklearnDataDir) + "/wine_data.csv", "wine");
  EXPECT_EQ(wine.targets.colwise().sum().cast<int>(), Eigen::RowVector3i(59, 71, 48));
  EXPECT_EQ(wine.inputs.cols(), 13);
  const Dataset iris = load_sklearn_table(std::string(kSklearnDataDir) + "/iris.csv", "iris");
  EXPECT_EQ(iris.targets.colwise().sum().cast<int>(), Eigen::RowVector3i(50, 50, 50));
}

TEST(Readers, SklearnTableHeaderAndRowsAreChecked) {
  const auto no_header = temp_file("noheader.csv", "1.5,2,0\n");
  EXPECT_NE(error_of([&] { load_sklearn_table(no_header, "t"); })
                .find("noheader.csv:1: expected the header 'n_samples,n_features,class names...', "
                      "n_samples is '1.5'"),
            std::string::npos);
  const auto one_class = temp_file("oneclass.csv", "1,2,a\n1,2,0\n");
  EXPECT_NE(error_of([&] { load_sklearn_table(one_class, "t"); }).find("two class names"),
            std::string::npos);
  const auto short_rows = temp_file("short.csv", "2,2,a,b\n1,2,0\n");
  EXPECT_NE(error_of([&] {
              load_sklearn_table(short_rows, "t");
            }).find("the header promises 2 rows, found 1"),
            std::string::npos);
  const auto wide = temp_file("wide.csv", "1,2,a,b\n1,2,3,0\n");
  EXPECT_NE(error_of([&] { load_sklearn_table(wide, "t"); }).find("expected 3 fields per row"),
            std::string::npos);
  const auto bad_label = temp_file("badlabel.csv", "1,2,a,b\n1,2,2\n");
  EXPECT_NE(error_of([&] { load_sklearn_table(bad_label, "t"); }).find("label 2"),
            std::string::npos);
}

TEST(Readers, Ib12bitMatFileAsItsReadmeDescribesIt) {
  // Row i of F is the 12-bit expansion of i (MSB first); Σy = 2118; weights ≤ 4 are all 0,
  // ≥ 8 all 1, and 5, 6, 7 split (732, 60), (392, 532), (60, 732).
  const Dataset d = load_ib12bit();
  ASSERT_EQ(d.size(), 4096);
  ASSERT_EQ(d.inputs.cols(), 12);
  int ones = 0;
  std::map<int, std::pair<int, int>> by_weight;
  for (Index i = 0; i < 4096; ++i) {
    int weight = 0;
    for (Index j = 0; j < 12; ++j) {
      const int bit = (i >> (11 - j)) & 1;
      ASSERT_EQ(d.inputs(i, j), float(bit)) << i << " " << j;
      weight += bit;
    }
    const int y = d.targets(i, 1) == 1 ? 1 : 0;
    ASSERT_EQ(d.targets(i, 0) + d.targets(i, 1), 1.0f);
    ones += y;
    (y ? by_weight[weight].second : by_weight[weight].first) += 1;
  }
  EXPECT_EQ(ones, 2118);
  for (int w = 0; w <= 12; ++w) {
    if (w <= 4) {
      EXPECT_EQ(by_weight[w].second, 0) << w;
    }
    if (w >= 8) {
      EXPECT_EQ(by_weight[w].first, 0) << w;
    }
  }
  EXPECT_EQ(by_weight[5], std::make_pair(732, 60));
  EXPECT_EQ(by_weight[6], std::make_pair(392, 532));
  EXPECT_EQ(by_weight[7], std::make_pair(60, 732));
}

TEST(Readers, MalformedMatFilesAreNamed) {
  std::ifstream in(ib12bit_path(), std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(good.size(), 1003u);
  std::string wrong_magic = good;
  wrong_magic[0] = 'X';
  EXPECT_NE(error_of([&] {
              read_mat(temp_file("magic.mat", wrong_magic));
            }).find("not a MATLAB 5.0 MAT-file"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              read_mat(temp_file("cut.mat", good.substr(0, 600)));
            }).find("runs past the end"),
            std::string::npos);
  std::string corrupt = good;
  for (std::size_t i = 150; i < 170; ++i) corrupt[i] = char(0x55);  // inside the first zlib stream
  EXPECT_NE(error_of([&] {
              read_mat(temp_file("zlib.mat", corrupt));
            }).find("corrupt or truncated compressed"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_mat(temp_file("short.mat", "MATLAB 5.0")); }).find("short.mat"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              load_ib12bit("/nonexistent/var_u.mat");
            }).find("/nonexistent/var_u.mat: no such file"),
            std::string::npos);
}

TEST(Data, SplitIsDeterministicAndDisjoint) {
  Rng rng(1);
  const Dataset d = gaussian_mixture(100, 3, 2, 3.0, rng);
  const TrainTest a = split(d, 0.25, 7), b = split(d, 0.25, 7), c = split(d, 0.25, 8);
  EXPECT_EQ(a.test.size(), 25);
  EXPECT_EQ(a.train.inputs, b.train.inputs);
  EXPECT_NE(a.train.inputs, c.train.inputs);
  EXPECT_EQ(a.train.size() + a.test.size(), 100);
}

TEST(Data, SineRepeatsItsInputAndTargetsTheSine) {
  // The E-MSA toy (REFERENCE F9 (d)): x ~ U(−π, π) in every one of `dim` columns, y = sin x.
  Rng rng(3);
  const Dataset d = sine(4000, 5, 0.0, rng);
  EXPECT_EQ(d.input_shape.size(), 5);
  const Eigen::ArrayXd x = d.inputs.col(0).cast<double>().array();
  for (Index j = 1; j < 5; ++j) EXPECT_EQ(d.inputs.col(j), d.inputs.col(0));
  EXPECT_LT((d.targets.col(0).cast<double>().array() - x.sin()).abs().maxCoeff(), 1e-6);
  EXPECT_GE(x.minCoeff(), -M_PI);
  EXPECT_LE(x.maxCoeff(), M_PI);
  EXPECT_NEAR(x.mean(), 0.0, 0.1);                       // U(−π, π): mean 0, s.e. 0.029
  EXPECT_NEAR((x * x).mean(), M_PI * M_PI / 3.0, 0.15);  // variance π²/3, s.e. 0.04
  EXPECT_THROW(sine(10, 0, 0.0, rng), InputError);
}

TEST(Data, StandardizeGivesZeroMeanUnitVariance) {
  Rng rng(2);
  Dataset d = teacher_student(500, 4, 8, 0.0, rng);
  d.inputs.col(0).array() = d.inputs.col(0).array() * 5.0f + 3.0f;
  Normalizer::fit(d, "standardize").apply(d);
  const Eigen::VectorXd mean = d.inputs.cast<double>().colwise().mean();
  EXPECT_LT(mean.cwiseAbs().maxCoeff(), 1e-5);
  const double var0 = d.inputs.col(0).cast<double>().squaredNorm() / 500;
  EXPECT_NEAR(var0, 1.0, 1e-4);
  EXPECT_THROW(Normalizer::fit(d, "minmax"), InputError);
}

TEST(Rng, SplitStreamsAreReproducibleAndIndependentOfUse) {
  const Rng parent(42);
  const auto before = parent.state();
  Rng a = parent.split(1), b = Rng(42).split(1), c = parent.split(2);
  EXPECT_EQ(parent.state(), before);  // splitting does not advance the parent
  for (int i = 0; i < 10; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
  double mean = 0, sq = 0;
  Rng n(9);
  for (int i = 0; i < 100000; ++i) {
    const double x = n.normal();
    mean += x;
    sq += x * x;
  }
  mean /= 1e5;
  EXPECT_NEAR(mean, 0.0, 0.02);  // 5 standard errors
  EXPECT_NEAR(sq / 1e5 - mean * mean, 1.0, 0.025);
}

}  // namespace
}  // namespace deepctl
