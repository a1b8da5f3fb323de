#include "deepctl/sde/lr_control.hpp"

#include <algorithm>
#include <cmath>

namespace deepctl::sde {

double QuadraticLrControl::switch_time() const {
  const double floor = lr * noise_variance / 4;  // ησ²/4
  if (m0 <= 2 * floor) return 0.0;
  return std::log((m0 - floor) / floor) / (2 * curvature);
}

double QuadraticLrControl::optimal_control(double t) const {
  return std::min(1.0, 2 * optimal_loss(t) / (lr * noise_variance));
}

double QuadraticLrControl::optimal_loss(double t) const {
  const double floor = lr * noise_variance / 4, ts = switch_time();
  if (t < ts) return (m0 - floor) * std::exp(-2 * curvature * t) + floor;
  // From m_{t*} = min(m_0, ησ²/2) (t* = 0 when m_0 ≤ ησ²/2: then u*_0 = 2m_0/(ησ²) ≤ 1 and the
  // same law holds with the clock shifted so that (ησ²/2)/(1 + a(t − t*)) starts at m_0).
  const double start = std::min(m0, 2 * floor);
  const double shift = (2 * floor / start - 1) / curvature;  // 0 unless m_0 < ησ²/2
  return 2 * floor / (1.0 + curvature * (t - ts + shift));
}

double QuadraticLrControl::constant_loss(double u, double t) const {
  const double floor = lr * noise_variance * u / 4;
  return (m0 - floor) * std::exp(-2 * curvature * u * t) + floor;
}

}  // namespace deepctl::sde
