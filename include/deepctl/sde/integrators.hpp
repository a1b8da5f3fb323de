// Itô SDEs and their one-step schemes, each declaring its order.
//
//   dX = b(t, X) dt + G(t, X) dW,   X ∈ R^d, W ∈ R^m (standard Brownian motion), G is d × m.
//
// Noise structure (Sde::noise) decides which schemes apply:
//   additive   G does not depend on X (any d × m);
//   diagonal   m = d, G = diag(g_1(t, x_1), …, g_d(t, x_d)): g_i depends on x_i only;
//   general    anything else (Euler–Maruyama and the Lévy scheme only).
//
// One step from (t, x) over Δ with Brownian increment ΔW (Kloeden & Platen 1992):
//   Euler–Maruyama  x + bΔ + G ΔW                         strong ½ (1 for additive), weak 1
//   Milstein        x_i + b_iΔ + g_i ΔW_i + ½ g_i ∂_i g_i (ΔW_i² − Δ)      strong 1, weak 1
//                   (diagonal or additive noise; ∂_i g_i from Sde::diffusion_derivative)
//   weak order 2    Platen's explicit scheme (KP 15.1.3), derivative-free:
//                   ῡ = x + bΔ + G ΔW,  r± = x + bΔ ± g √Δ (diagonal noise, componentwise)
//                   x + ½(b(t+Δ, ῡ) + b)Δ + ¼(g(r+) + g(r−) + 2g) ΔW
//                     + ¼(g(r+) − g(r−)) (ΔW² − Δ)/√Δ
//                   for additive noise this is x + ½(b(t+Δ, ῡ) + b)Δ + G ΔW.   weak 2
//                   (autonomous diffusion; ΔW may be Gaussian or the three-point law
//                   P(±√(3Δ)) = 1/6, P(0) = 2/3, which matches the Gaussian's first five moments)
// Orders are declared by scheme_order() and measured in tests/cpp/test_sde.cpp.
//
// The α-stable (Lévy-driven) variant dX = b dt + G dL^α, with L^α a symmetric α-stable Lévy
// motion (L^α_t ~ SαS(t^{1/α})), steps by Euler: x + bΔ + G Δ^{1/α} S, S ~ SαS(1) i.i.d. per
// component, drawn by the Chambers–Mallows–Stuck method (sde/tail_index.hpp).
#pragma once

#include <string>

#include "deepctl/core/rng.hpp"
#include "deepctl/core/types.hpp"
#include "deepctl/sde/brownian.hpp"

namespace deepctl::sde {

enum class NoiseKind { Additive, Diagonal, General };

class Sde {
 public:
  virtual ~Sde() = default;
  virtual Index dim() const = 0;
  virtual Index noise_dim() const = 0;
  virtual NoiseKind noise() const = 0;
  virtual void drift(double t, CVecRef<double> x, VecRef<double> b) const = 0;
  // G(t, x), d × m (noise_dim columns).
  virtual void diffusion(double t, CVecRef<double> x, MatRef<double> G) const = 0;
  // dg_i = ∂g_i/∂x_i for diagonal noise (Milstein). The default is zero, right for additive
  // noise; a diagonal-noise SDE must override it.
  virtual void diffusion_derivative(double t, CVecRef<double> x, VecRef<double> dg) const;
};

enum class Scheme { EulerMaruyama, Milstein, WeakOrder2 };

struct SchemeOrder {
  double strong;  // NaN where the scheme is not meant for pathwise accuracy
  double weak;
};

// The declared orders under `noise` (Euler–Maruyama's strong order is 1 for additive noise).
SchemeOrder scheme_order(Scheme scheme, NoiseKind noise);
// "euler_maruyama" | "milstein" | "weak2"; InputError naming the value otherwise.
Scheme parse_scheme(const std::string& name);
std::string scheme_name(Scheme scheme);
// InputError unless `scheme` applies to `sde`'s noise structure.
void check_scheme(const Sde& sde, Scheme scheme);

// One step of `scheme` from (t, x) over dt with noise increment dw (length noise_dim), in place.
void step(const Sde& sde, Scheme scheme, double t, double dt, CVecRef<double> dw, VecRef<double> x);

// X(t1) from x0 over `steps` equal steps along the given Brownian path (strong experiments).
Vec<double> integrate(const Sde& sde, Scheme scheme, CVecRef<double> x0, const BrownianPath& path,
                      Index steps);

// How weak experiments draw ΔW.
enum class Increments { Gaussian, ThreePoint };

// X(t1) from x0 over [t0, t1] in `steps` equal steps with i.i.d. increments from rng.
Vec<double> integrate(const Sde& sde, Scheme scheme, CVecRef<double> x0, double t0, double t1,
                      Index steps, Increments increments, Rng& rng);

// Euler steps of the α-stable-driven SDE dX = b dt + G dL^α over [t0, t1]; α ∈ (0, 2].
Vec<double> integrate_levy(const Sde& sde, double alpha, CVecRef<double> x0, double t0, double t1,
                           Index steps, Rng& rng);

}  // namespace deepctl::sde
