// Learning-rate schedules η(k, e) for step k (from 0) in epoch e (from 0), base rate η₀:
//   constant      η₀
//   step          η₀ γ^{⌊e / every⌋}
//   cosine        η_min + ½(η₀ − η_min)(1 + cos(π k / K)), K the total number of steps
//   inverse_time  η₀ / (1 + decay·k)
#pragma once

#include <string>

namespace deepctl {

enum class ScheduleKind { Constant, Step, Cosine, InverseTime };

struct Schedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double base = 1e-3;    // η₀
  double gamma = 0.1;    // step: factor γ
  int every = 10;        // step: epochs between decays
  double min_lr = 0.0;   // cosine: η_min
  double decay = 1e-3;   // inverse_time: decay per step
  long total_steps = 1;  // cosine: K

  double at(long step, int epoch) const;
  static ScheduleKind parse_kind(const std::string& text);
  static std::string kind_name(ScheduleKind kind);
};

}  // namespace deepctl
