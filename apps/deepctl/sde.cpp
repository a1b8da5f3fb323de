// deepctl sde: SGD against its stochastic modified equations on REFERENCE F15's quadratic
// (exact weak errors and their orders), and the SDE schemes' measured orders beside the
// declared ones (sde/integrators.hpp, sde/orders.hpp, sde/sme.hpp).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/sde/orders.hpp"
#include "deepctl/sde/sme.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl sde [--table sme|network|schemes|all] [--paths P] [--seed S] [--json]

sme:     SGD on f = (f_1 + f_2)/2, f_{1,2} = (x -+ 1)^2/2 (curvature 1, gradient-noise variance 1,
         batch 1), x0 = 1, against its first- and second-order stochastic modified equations at
         T = 1: |E x_K^2 - E X_T^2| for lr = 0.2, 0.1, ..., 0.0125, computed exactly, and the
         measured weak order log2(error(2 lr) / error(lr)), which approaches 1 and 2.
network: the same on a small network with state-dependent gradient noise: batch-1 SGD on a
         dense(2 -> 1) linear network with squared error on 8 samples, from (1, 1, 1), T = 1,
         E J(theta_K) against E J(X_T) of both SMEs, all from closed moment equations.
schemes: the weak error of E X_T^2 on geometric Brownian motion (mu = -1, sigma = 0.5, exact
         expectation over every three-point increment path) for N = 1, 2, 4, 8 steps, and the
         strong error E|X_T^N - X_T| (mu = -1, sigma = 1) for N = 8..128 over P Brownian paths,
         for euler_maruyama, milstein and weak2, beside each scheme's declared order.
Defaults: --table all --paths 1000 --seed 0.
)";

json order_rows(const std::vector<sde::OrderRow>& rows) {
  json out = json::array();
  for (const sde::OrderRow& r : rows)
    out.push_back({{"steps", r.steps}, {"error", r.error}, {"order", finite_or_null(r.order)}});
  return out;
}

// A measured order for the text table, "-" where there is no previous row.
std::string order_text(double order) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", order);
  return std::isfinite(order) ? text : "-";
}

}  // namespace

int sde_main(const std::vector<std::string>& args) {
  std::string table = "all";
  Index paths = 1000;
  std::uint64_t seed = 0;
  bool as_json = false;
  for (ArgScanner scan(args); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--table")) {
      table = scan.value();
      if (table != "sme" && table != "network" && table != "schemes" && table != "all")
        throw InputError("--table: expected sme, network, schemes or all, got '" + table + "'");
    } else if (scan.is("--paths"))
      paths = scan.integer(1, 1000000);
    else if (scan.is("--seed"))
      seed = static_cast<std::uint64_t>(scan.integer(0, 1L << 62));
    else if (scan.is("--json"))
      as_json = true;
    else
      scan.unknown("deepctl sde");
  }
  json out;
  const std::vector<double> lrs = {0.2, 0.1, 0.05, 0.025, 0.0125};
  // One weak-error table (first- and second-order SME beside each other) as text and JSON.
  auto weak_table = [&](const char* title, const std::vector<sde::WeakErrorRow>& first,
                        const std::vector<sde::WeakErrorRow>& second) {
    json rows = json::array();
    if (!as_json)
      std::printf("%s\n%8s  %12s  %6s  %12s  %6s\n", title, "lr", "order-1 err", "order",
                  "order-2 err", "order");
    for (std::size_t i = 0; i < lrs.size(); ++i) {
      rows.push_back({{"lr", lrs[i]},
                      {"sgd", first[i].sgd},
                      {"sme1", first[i].sme},
                      {"sme2", second[i].sme},
                      {"error1", first[i].error},
                      {"error2", second[i].error},
                      {"order1", finite_or_null(first[i].order)},
                      {"order2", finite_or_null(second[i].order)}});
      if (!as_json)
        std::printf("%8.4f  %12.4e  %6s  %12.4e  %6s\n", lrs[i], first[i].error,
                    order_text(first[i].order).c_str(), second[i].error,
                    order_text(second[i].order).c_str());
    }
    return rows;
  };
  if (table == "sme" || table == "all")
    out["sme"] = weak_table("SGD vs its SME on F15's quadratic, T = 1, g = x^2 (exact)",
                            sde::quadratic_weak_errors({}, lrs, 1.0, 1),
                            sde::quadratic_weak_errors({}, lrs, 1.0, 2));
  if (table == "network" || table == "all") {
    const sde::LinearNetworkExample e = sde::linear_network_example();
    const sde::AffineGradientSgd sgd(e.problem, e.X, e.Y);
    if (!as_json && table == "all") std::printf("\n");
    out["network"] = weak_table(
        "SGD vs its SME on a dense(2 -> 1) linear network, 8 samples, T = 1, g = J (exact)",
        sgd.weak_errors(e.theta0, lrs, 1.0, 1), sgd.weak_errors(e.theta0, lrs, 1.0, 2));
  }
  if (table == "schemes" || table == "all") {
    json schemes = json::object();
    for (sde::Scheme scheme :
         {sde::Scheme::EulerMaruyama, sde::Scheme::Milstein, sde::Scheme::WeakOrder2}) {
      const std::string name = sde::scheme_name(scheme);
      const sde::SchemeOrder declared = sde::scheme_order(scheme, sde::NoiseKind::Diagonal);
      const auto weak = sde::gbm_weak_orders(scheme);
      json entry = {{"declared_weak", declared.weak},
                    {"declared_strong", finite_or_null(declared.strong)},
                    {"weak", order_rows(weak)}};
      if (!as_json) {
        std::printf("\n%s: weak order declared %.1f; measured", name.c_str(), declared.weak);
        for (const auto& r : weak)
          if (r.steps > 1) std::printf(" %.2f (N=%ld)", r.order, static_cast<long>(r.steps));
        std::printf("\n");
      }
      if (std::isfinite(declared.strong)) {
        const auto strong = sde::gbm_strong_orders(scheme, paths, seed);
        entry["strong"] = order_rows(strong);
        if (!as_json) {
          std::printf("%s: strong order declared %.1f; measured", name.c_str(), declared.strong);
          for (const auto& r : strong)
            if (r.steps > 8) std::printf(" %.2f (N=%ld)", r.order, static_cast<long>(r.steps));
          std::printf("  (%ld paths)\n", static_cast<long>(paths));
        }
      }
      schemes[name] = entry;
    }
    out["schemes"] = schemes;
  }
  if (as_json) std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace deepctl::cli
