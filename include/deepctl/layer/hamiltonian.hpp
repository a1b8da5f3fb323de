// Hamiltonian block (Haber & Ruthotto 2017; REFERENCE F6): one Verlet step of the Hamiltonian
// system ẏ = σ(K z + b), ż = −σ(Kᵀ y + b) on the state x = (y, z), y and z of width m = n/2:
//   z' = z − h σ(Kᵀ y + b),   y' = y + h σ(K z' + b)
// θ = [K (m × m, row-major), b (m)]. Each half step is a shear (identity plus a strictly block-
// triangular part), so det f_x = 1 for any σ: the step preserves volume and neither blows up
// nor kills perturbations as a whole. It is time-reversible: inverse() runs the half steps
// backwards, y = y' − h σ(K z' + b), z = z' + h σ(Kᵀ y + b), and recovers x to round-off.
// With rows as samples (u = y K + b, v = z' Kᵀ + b):
//   δv = h σ′(v) ⊙ p_y',  p_z' = p_z'_next + δv K,   δu = −h σ′(u) ⊙ p_z'
//   p_y = p_y' + δu Kᵀ,   p_z = p_z',   ∇_K H = δvᵀ z' + yᵀ δu,   ∇_b H = Σ_s (δv + δu)
//   jvp  du = dy K + y dK + db,  dz' = dz − h σ′(u) ⊙ du,
//        dv = dz' Kᵀ + z' dKᵀ + db,  dy' = dy + h σ′(v) ⊙ dv
#pragma once

#include "deepctl/layer/activation.hpp"
#include "deepctl/layer/layer.hpp"

namespace deepctl {

template <class S>
class Hamiltonian final : public Layer<S> {
 public:
  // InputError unless the width is even and positive and h > 0.
  Hamiltonian(Index width, Activation activation, double step);

  std::string kind() const override { return "hamiltonian"; }
  std::string describe() const override;
  Shape input_shape() const override { return {2 * m_, 1, 1}; }
  Shape output_shape() const override { return {2 * m_, 1, 1}; }
  Index num_params() const override { return m_ * m_ + m_; }
  double step() const { return h_; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;
  // The input x of the step that gives x_next.
  void inverse(CMatRef<S> x_next, CVecRef<S> theta, MatRef<S> x) const;

 private:
  Index m_;
  Activation activation_;
  double h_;
};

}  // namespace deepctl
