#include "deepctl/solver/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {

double Schedule::at(long step, int epoch) const {
  switch (kind) {
    case ScheduleKind::Constant:
      return base;
    case ScheduleKind::Step:
      return base * std::pow(gamma, epoch / std::max(every, 1));
    case ScheduleKind::Cosine: {
      const double frac = std::min(1.0, double(step) / double(std::max(total_steps, 1L)));
      return min_lr + 0.5 * (base - min_lr) * (1 + std::cos(M_PI * frac));
    }
    case ScheduleKind::InverseTime:
      return base / (1 + decay * double(step));
  }
  return base;
}

ScheduleKind Schedule::parse_kind(const std::string& text) {
  for (ScheduleKind k : {ScheduleKind::Constant, ScheduleKind::Step, ScheduleKind::Cosine,
                         ScheduleKind::InverseTime})
    if (kind_name(k) == text) return k;
  throw InputError("unknown schedule '" + text +
                   "'; expected one of constant, step, cosine, inverse_time");
}

std::string Schedule::kind_name(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::Constant:
      return "constant";
    case ScheduleKind::Step:
      return "step";
    case ScheduleKind::Cosine:
      return "cosine";
    case ScheduleKind::InverseTime:
      return "inverse_time";
  }
  return "?";
}

}  // namespace deepctl
