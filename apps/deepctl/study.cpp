// deepctl study: trains like `deepctl train`, then writes RUN_DIR/report.html, one
// self-contained page (figures embedded) opening with a summary and one section per lens.
// The report is made by the Python package (python -m deepctl.report RUN_DIR) with matplotlib.
#include <iostream>

#include "cli.hpp"
#include "deepctl/core/error.hpp"

namespace deepctl::cli {
namespace {

constexpr const char* kHelp =
    R"(usage: deepctl study CONFIG.toml [--set key=value ...] [--out RUN_DIR]
       deepctl study --resume RUN_DIR

Trains the network of CONFIG.toml exactly as 'deepctl train' does (same options, same run
folder), then writes RUN_DIR/report.html: a self-contained page that opens with a summary
(data, network, optimiser, final metrics, wall time) followed by one section per lens
(training dynamics, per-layer statistics, ...), with its figures also saved as PNG and SVG
under RUN_DIR/figures/. Open the report in any browser; it needs no network access.

The report is written by Debian's python3 with the deepctl package and matplotlib
(installed by the README's set-up). Exit codes: 0 done, 1 training diverged (the report is
still written) or the report failed, 2 bad input.
)";

}  // namespace

int study_main(const std::vector<std::string>& argv) {
  for (const auto& a : argv)
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return 0;
    }
  const TrainOutcome trained = train_command(argv);
  if (run_python_module("deepctl.report", {trained.run_dir}) != 0) {
    std::cerr << "deepctl study: writing " << trained.run_dir << "/report.html failed\n";
    return 1;
  }
  return trained.code;  // the report module printed "report: RUN_DIR/report.html"
}

}  // namespace deepctl::cli
