#include "deepctl/infoplane/binning.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "deepctl/core/error.hpp"

namespace deepctl::infoplane {
namespace {

// Each row's cell pattern, as a string of cell indices (one byte-pair per unit).
std::vector<std::string> patterns(CMatRef<double> T, const std::vector<double>& edges) {
  if (edges.empty()) throw InputError("binning: needs at least one bin edge");
  if (!std::is_sorted(edges.begin(), edges.end()))
    throw InputError("binning: bin edges must be in increasing order");
  std::vector<std::string> out(T.rows(), std::string(std::size_t(2 * T.cols()), '\0'));
  for (Index s = 0; s < T.rows(); ++s)
    for (Index j = 0; j < T.cols(); ++j) {
      const auto cell = std::upper_bound(edges.begin(), edges.end(), T(s, j)) - edges.begin();
      out[s][2 * j] = char(cell & 0xff);
      out[s][2 * j + 1] = char(cell >> 8);
    }
  return out;
}

double entropy_bits(const std::vector<const std::string*>& symbols) {
  std::unordered_map<std::string, Index> counts;
  for (const std::string* p : symbols) ++counts[*p];
  const double n = double(symbols.size());
  double h = 0;
  for (const auto& [key, c] : counts) h -= double(c) / n * std::log2(double(c) / n);
  return h;
}

}  // namespace

double binned_entropy(CMatRef<double> T, const std::vector<double>& edges) {
  const std::vector<std::string> p = patterns(T, edges);
  std::vector<const std::string*> all;
  for (const auto& s : p) all.push_back(&s);
  return entropy_bits(all);
}

PlanePoint binning_information(CMatRef<double> T, const std::vector<int>& labels,
                               const std::vector<double>& edges) {
  if (Index(labels.size()) != T.rows())
    throw InputError("binning: " + std::to_string(labels.size()) + " labels for " +
                     std::to_string(T.rows()) + " rows of T");
  const std::vector<std::string> p = patterns(T, edges);
  std::vector<const std::string*> all;
  std::map<int, std::vector<const std::string*>> by_label;
  for (std::size_t s = 0; s < p.size(); ++s) {
    all.push_back(&p[s]);
    by_label[labels[s]].push_back(&p[s]);
  }
  PlanePoint r;
  r.i_xt = entropy_bits(all);
  double conditional = 0;
  for (const auto& [label, rows] : by_label)
    conditional += double(rows.size()) / double(p.size()) * entropy_bits(rows);
  r.i_ty = r.i_xt - conditional;
  return r;
}

}  // namespace deepctl::infoplane
