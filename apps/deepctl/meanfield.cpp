// deepctl meanfield: the mean-field fixed points, slopes, depth scales and phase of one
// (activation, σ_w², σ_b²), or the critical σ_w² at a σ_b² (meanfield/meanfield.hpp).
#include "deepctl/meanfield/meanfield.hpp"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp = R"(usage: deepctl meanfield --activation A --sw2 X --sb2 Y [--json]
       deepctl meanfield --activation A --sb2 Y --critical [--json]

Mean-field signal propagation in wide random networks z^l = W^l phi(z^{l-1}) + b^l with
W_ij ~ N(0, sw2/N) and b_i ~ N(0, sb2) (sw2 and sb2 are variances, not standard deviations).

Prints the length fixed point q*, the correlation fixed point c*, chi_1 (slope of the
correlation map at c = 1), chi_c (at c*), chi_q (of the length map at q*), the depth scales
xi_q = -1/ln chi_q, xi_c = -1/ln chi_c, the gradient depth scale xi_grad = -1/ln chi_1
(negative: gradients explode) and the phase (ordered chi_1 < 1, chaotic chi_1 > 1, critical,
or divergent where the length map has no finite fixed point, e.g. relu with sw2 > 2, sb2 > 0).
With --critical, solves chi_1 = 1 for sw2 at the given sb2.

options:
  --activation A   linear, tanh, relu, leaky_relu[:slope], erf, hard_tanh, sigmoid, softplus, gelu
  --sw2 X          weight variance sigma_w^2 > 0
  --sb2 Y          bias variance sigma_b^2 >= 0 (default 0)
  --keep RHO       dropout keep probability in (0, 1] (default 1): q = (sw2/RHO) E[phi^2] + sb2,
                   so c* < 1 and xi_c stays finite everywhere (no critical point)
  --critical       print the critical sw2 (and its q*) instead
  --json           one JSON object: keys q_star, c_star, chi1, chi_q, chi_c, xi_q, xi_c, xi_grad,
                   phase (or sw2_critical, q_star with --critical); null where a value is
                   undefined or infinite
)";

std::string text(double v) {
  if (std::isnan(v)) return "undefined";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s << std::setprecision(12) << v;
  return s.str();
}

}  // namespace

int meanfield_main(const std::vector<std::string>& args) {
  std::string activation;
  double sw2 = std::nan(""), sb2 = 0, keep = 1;
  bool critical = false, as_json = false;
  for (ArgScanner scan(args); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--activation"))
      activation = scan.value();
    else if (scan.is("--sw2"))
      sw2 = scan.number();
    else if (scan.is("--sb2"))
      sb2 = scan.number();
    else if (scan.is("--keep"))
      keep = scan.number();
    else if (scan.is("--critical"))
      critical = true;
    else if (scan.is("--json"))
      as_json = true;
    else
      scan.unknown("deepctl meanfield");
  }
  if (activation.empty())
    throw InputError("--activation is required; see deepctl meanfield --help");
  const meanfield::ActivationMoments moments(Activation::parse(activation));
  if (critical) {
    if (!std::isnan(sw2)) throw InputError("--critical solves for sw2; do not give --sw2");
    const meanfield::CriticalPoint cp = meanfield::critical_point(moments, sb2);
    if (as_json) {
      std::cout << json{{"activation", activation},
                        {"sb2", sb2},
                        {"sw2_critical", finite_or_null(cp.sw2)},
                        {"q_star", finite_or_null(cp.q_star)}}
                       .dump()
                << "\n";
    } else {
      std::cout << "activation " << activation << ", sb2 " << text(sb2) << "\n"
                << "critical sw2  "
                << (std::isnan(cp.sw2) ? "none (no critical point)" : text(cp.sw2))
                << "\nq* there      " << text(cp.q_star) << "\n";
    }
    return 0;
  }
  if (std::isnan(sw2))
    throw InputError("--sw2 is required (or --critical); see deepctl meanfield --help");
  const meanfield::Analysis r = meanfield::analyze(moments, sw2, sb2, keep);
  if (as_json) {
    std::cout << json{{"activation", activation},
                      {"sw2", sw2},
                      {"sb2", sb2},
                      {"q_star", finite_or_null(r.q_star)},
                      {"c_star", finite_or_null(r.c_star)},
                      {"chi1", finite_or_null(r.chi1)},
                      {"chi_q", finite_or_null(r.chi_q)},
                      {"chi_c", finite_or_null(r.chi_c)},
                      {"xi_q", finite_or_null(r.xi_q)},
                      {"xi_c", finite_or_null(r.xi_c)},
                      {"xi_grad", finite_or_null(r.xi_grad)},
                      {"phase", meanfield::phase_name(r.phase)}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cout << "activation " << activation << ", sw2 " << text(sw2) << ", sb2 " << text(sb2) << "\n"
            << "q*       " << text(r.q_star) << "\n"
            << "c*       " << text(r.c_star) << "\n"
            << "chi_1    " << text(r.chi1) << "\n"
            << "chi_q    " << text(r.chi_q) << "\n"
            << "chi_c    " << text(r.chi_c) << "\n"
            << "xi_q     " << text(r.xi_q) << "\n"
            << "xi_c     " << text(r.xi_c) << "\n"
            << "xi_grad  " << text(r.xi_grad) << "\n"
            << "phase    " << meanfield::phase_name(r.phase) << "\n";
  return 0;
}

}  // namespace deepctl::cli
