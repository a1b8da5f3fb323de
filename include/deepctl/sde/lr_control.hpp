// Learning-rate control as stochastic optimal control (Li, Tai & E 2017; REFERENCE F16).
//
// Per coordinate, f ≈ ½a(x − b)² with gradient-noise variance σ², and the SME with a
// learning-rate multiplier u_t ∈ [0, 1]:
//     dX = −u a (X − b) dt + u √η σ dW,     m_t := E f(X_t),
//     ṁ = −2a u m + ½ a η σ² u².
// Minimising m_T over u gives the feedback u*_t = min(1, 2m_t/(ησ²)) (a > 0), and in closed form
//   phase 1 (u = 1):  m_t = (m_0 − ησ²/4) e^{−2at} + ησ²/4   until m = ησ²/2, at
//                     t* = (1/2a) ln[(m_0 − ησ²/4)/(ησ²/4)]   (t* = 0 if m_0 ≤ ησ²/2)
//   phase 2:          u*_t = 1/(1 + a(t − t*)),   m_t = (ησ²/2)/(1 + a(t − t*))
//   in iterations     η_k = η/(1 + aη(k − k*)),   k = t/η.
// A constant u gives m_t = (m_0 − ησ²u/4) e^{−2aut} + ησ²u/4.
// cSGD and cMSGD (solver/update_policy.hpp) estimate a, σ² and m online and apply u*.
#pragma once

namespace deepctl::sde {

struct QuadraticLrControl {
  double curvature = 1.0;       // a > 0
  double noise_variance = 1.0;  // σ²
  double lr = 0.1;              // η (the largest rate, u = 1)
  double m0 = 1.0;              // E f(X_0)

  // t* (0 when m_0 ≤ ησ²/2).
  double switch_time() const;
  // u*_t and m_t under u*.
  double optimal_control(double t) const;
  double optimal_loss(double t) const;
  // m_t under a constant u.
  double constant_loss(double u, double t) const;
};

}  // namespace deepctl::sde
