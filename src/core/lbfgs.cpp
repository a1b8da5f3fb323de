#include "deepctl/core/lbfgs.hpp"

#include <cmath>
#include <deque>

namespace deepctl {

LbfgsResult lbfgs_minimize(const std::function<double(const Vec<double>&, Vec<double>&)>& fg,
                           Vec<double>& x, const LbfgsOptions& options) {
  LbfgsResult r;
  Vec<double> g(x.size()), g_new(x.size()), x_new(x.size());
  double f = fg(x, g);
  std::deque<Vec<double>> S, Y;
  std::deque<double> rho;
  for (; r.iterations < options.max_iterations; ++r.iterations) {
    if (!std::isfinite(f) || g.norm() <= options.gradient_tolerance) break;
    // Two-loop recursion: d = −H g.
    Vec<double> q = g;
    std::vector<double> alpha(S.size());
    for (std::size_t i = S.size(); i-- > 0;) {
      alpha[i] = rho[i] * S[i].dot(q);
      q -= alpha[i] * Y[i];
    }
    if (!S.empty()) q *= S.back().dot(Y.back()) / Y.back().squaredNorm();
    for (std::size_t i = 0; i < S.size(); ++i) q += S[i] * (alpha[i] - rho[i] * Y[i].dot(q));
    Vec<double> d = -q;
    double slope = g.dot(d);
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      S.clear(), Y.clear(), rho.clear();
      d = -g;
      slope = -g.squaredNorm();
    }
    double step = S.empty() ? std::min(1.0, 1.0 / std::max(g.norm(), 1e-300)) : 1.0;
    double f_new = f;
    int halvings = 0;
    for (; halvings < 30; ++halvings, step /= 2) {
      x_new = x + step * d;
      f_new = fg(x_new, g_new);
      if (std::isfinite(f_new) && f_new <= f + 1e-4 * step * slope) break;
    }
    if (halvings == 30) break;  // no decrease found: x is as good as this search gets
    const Vec<double> s = x_new - x, y = g_new - g;
    const double sy = s.dot(y);
    if (sy > 1e-12 * s.norm() * y.norm()) {
      S.push_back(s), Y.push_back(y), rho.push_back(1.0 / sy);
      if (static_cast<int>(S.size()) > options.memory)
        S.pop_front(), Y.pop_front(), rho.pop_front();
    }
    x = x_new;
    g = g_new;
    f = f_new;
  }
  r.value = f;
  r.converged = g.norm() <= options.gradient_tolerance;
  return r;
}

}  // namespace deepctl
