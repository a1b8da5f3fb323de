#include "deepctl/core/linspace.hpp"

#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl {

std::vector<double> linspace(double lo, double hi, int n) {
  if (n < 1) throw InputError("a grid needs at least one point, got " + std::to_string(n));
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
  return v;
}

}  // namespace deepctl
