// deepctl phase-diagram: the order–chaos phase diagram of one activation on a (σ_w², σ_b²)
// grid (meanfield/phase_diagram.hpp), written as CSV and drawn as a heatmap of ξ_c with the
// critical line (PNG and SVG, by the Python package's figures module).
#include "deepctl/meanfield/phase_diagram.hpp"

#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/npz.hpp"

namespace deepctl::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: deepctl phase-diagram [--activation A] [--sw2 LO:HI:N] [--sb2 LO:HI:N] [--keep P]
                             [--out DIR]

Computes q*, c*, chi_1, chi_c, xi_q, xi_c and the phase at every point of an N x M grid of
weight variance sw2 and bias variance sb2 (variances, not standard deviations), and writes
  DIR/phase_diagram.csv          one row per point: sw2, sb2, q_star, c_star, chi1, chi_c,
                                 xi_q, xi_c, phase (empty fields: undefined or infinite)
  DIR/phase_diagram.png, .svg    xi_c as a heatmap with the critical line chi_1 = 1
--keep P < 1 adds dropout of keep probability P (Schoenholz et al.): the length map's sw2 is
divided by P, c* < 1 everywhere and xi_c stays finite (the critical line of the figure is that
of the network without dropout, for reference).
Defaults: --activation tanh --sw2 0.5:3:128 --sb2 0:0.25:128 (the review's ranges),
--out runs/phase-diagram-<activation>. Threads: OMP_NUM_THREADS (default all cores).
)";

std::string field(double v) {
  if (!std::isfinite(v)) return "";
  std::ostringstream s;
  s.precision(12);
  s << v;
  return s.str();
}

}  // namespace

int phase_diagram_main(const std::vector<std::string>& args) {
  std::string activation = "tanh", out;
  double keep = 1.0;
  std::vector<double> sw2 = meanfield::linspace(0.5, 3.0, 128),
                      sb2 = meanfield::linspace(0.0, 0.25, 128);
  for (ArgScanner scan(args); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--activation"))
      activation = scan.value();
    else if (scan.is("--sw2"))
      sw2 = parse_range("--sw2", scan.value());
    else if (scan.is("--sb2"))
      sb2 = parse_range("--sb2", scan.value());
    else if (scan.is("--keep"))
      keep = scan.number();
    else if (scan.is("--out"))
      out = scan.value();
    else
      scan.unknown("deepctl phase-diagram");
  }
  const meanfield::ActivationMoments moments(Activation::parse(activation));
  if (out.empty()) out = "runs/phase-diagram-" + activation;
  const meanfield::PhaseGrid grid = meanfield::phase_diagram(moments, sw2, sb2, keep);
  std::filesystem::create_directories(out);
  std::ostringstream csv;
  csv << "sw2,sb2,q_star,c_star,chi1,chi_c,xi_q,xi_c,phase\n";
  for (std::size_t i = 0; i < sb2.size(); ++i)
    for (std::size_t j = 0; j < sw2.size(); ++j) {
      const meanfield::Analysis& p = grid.at(i, j);
      csv << field(sw2[j]) << "," << field(sb2[i]) << "," << field(p.q_star) << ","
          << field(p.c_star) << "," << field(p.chi1) << "," << field(p.chi_c) << ","
          << field(p.xi_q) << "," << field(p.xi_c) << "," << meanfield::phase_name(p.phase) << "\n";
    }
  const std::string csv_path = out + "/phase_diagram.csv";
  write_file_atomic(csv_path, csv.str());
  std::cout << "grid " << sw2.size() << " x " << sb2.size() << " (" << activation
            << "): " << csv_path << "\n";
  return run_python_module("deepctl.figures",
                           {"phase-diagram", csv_path, activation, out + "/phase_diagram"});
}

}  // namespace deepctl::cli
