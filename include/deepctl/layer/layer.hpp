// The layer: one time step x_{t+1} = f_t(x_t, θ_t) of the network read as a dynamical system.
//
// Model/data split (as in Crocoddyl): a Layer is an immutable description of f_t; make_data(B)
// creates the LayerData that owns every buffer for batch size B, so hot loops never allocate.
// θ_t is a flat vector owned by the caller; each layer documents how it maps views onto it.
//
// Call order for one batch X (B × n_in, one sample per row):
//   forward(data, X, θ, Y)                 Y = f(X, θ); records what vjp/jvp need in `data`
//   vjp(data, X, θ, P_next, P, g)          P = f_xᵀ P_next row by row (the costate recursion
//                                          p_t = f_xᵀ p_{t+1}); g = Σ_s f_θ(x^s)ᵀ p_next^s, i.e.
//                                          ∇_θ Σ_s p_next^s · f(x^s, θ) = ∇_θ H_t without R_t.
//                                          P with zero rows skips the input costate, g of
//                                          size 0 the parameter gradient.
//   jvp(data, X, θ, dX, dθ, dY)            dY = f_x dX + f_θ dθ row by row.
// vjp and jvp use the records of the last forward, which must have used the same X and θ.
#pragma once

#include <memory>
#include <string>

#include "deepctl/core/rng.hpp"
#include "deepctl/core/types.hpp"
#include "deepctl/layer/init.hpp"

namespace deepctl {

// What a layer offers beyond forward/vjp, checked when a solver meets a problem.
struct Capabilities {
  bool jvp = true;
  bool second_order = false;  // p·f_xx, p·f_xθ, p·f_θθ blocks
  bool meanfield = false;     // a kernel map for mean-field theory
  bool thread_safe = true;    // forward/vjp/jvp may run concurrently on separate LayerData
                              // (false for layers written in Python, which hold the GIL)
};

// Kronecker-factored curvature (KFAC for dense layers, KFC for convolutions; solver/ddp.hpp): a
// layer whose pre-activation is a = W x̃ + b on P "patches" x̃ ∈ R^n per sample, with
// θ = [W (m × n) row-major, b (m)], reports {m, n}; {0, 0} for every other layer.
struct KroneckerShape {
  Index outputs = 0, inputs = 0;  // m, n
  bool factored() const { return outputs > 0; }
};

// Buffers of one layer for one batch size; each layer kind derives its own.
struct LayerData {
  explicit LayerData(Index batch_size) : batch(batch_size) {}
  virtual ~LayerData() = default;
  Index batch;
};

template <class S>
class Layer {
 public:
  virtual ~Layer() = default;

  // Short kind name used in configs and messages: "dense", "residual", "conv2d", ...
  virtual std::string kind() const = 0;
  // Human description with sizes, e.g. "dense(784 -> 256, tanh)".
  virtual std::string describe() const = 0;
  virtual Shape input_shape() const = 0;
  virtual Shape output_shape() const = 0;
  Index input_size() const { return input_shape().size(); }
  Index output_size() const { return output_shape().size(); }
  virtual Index num_params() const = 0;
  virtual Capabilities capabilities() const { return {}; }

  virtual std::unique_ptr<LayerData> make_data(Index batch) const = 0;
  virtual void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const = 0;
  virtual void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
                   VecRef<S> g) const = 0;
  virtual void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                   CVecRef<S> dtheta, MatRef<S> dy) const = 0;
  virtual void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const = 0;

  virtual KroneckerShape kronecker_shape() const { return {}; }
  // After a vjp with p_next (the last call on `data`), for a factored layer: the B·P patches
  // with a trailing 1, x̄ = [x̃; 1], as rows of `patches` (B·P × (n + 1)) and, row for row, the
  // pre-activation costates δ = φ′(a) ⊙ p_next of `deltas` (B·P × m). Other layers leave both
  // empty.
  virtual void kronecker_rows(LayerData& /*data*/, CMatRef<S> /*x*/, Mat<S>& patches,
                              Mat<S>& deltas) const {
    patches.resize(0, 0);
    deltas.resize(0, 0);
  }
};

// Checks that `data` was made for batch size `rows` by `layer`; throws InputError otherwise.
void check_batch(const std::string& layer, const LayerData& data, Index rows);

}  // namespace deepctl
