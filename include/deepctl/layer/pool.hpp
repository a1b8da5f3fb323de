// 2-D pooling over k × k windows with stride s, per channel, no padding, no parameters.
//   max      y = x[i*(y)], i* the first arg-max of the window;  p[i*] += p_next;  dy = dx[i*]
//   average  y = (1/k²) Σ_window x;                              p = (1/k²) spread of p_next
// Output (C, H_o, W_o) with H_o = (H − k)/s + 1.
//
// Flatten: the identity on the flat row of a sample; it changes the declared shape from
// (C, H, W) to (C·H·W, 1, 1) so that a dense layer can follow convolutions.
#pragma once

#include "deepctl/layer/layer.hpp"

namespace deepctl {

enum class PoolMode { Max, Average };

template <class S>
class Pool2d final : public Layer<S> {
 public:
  Pool2d(Shape input, PoolMode mode, Index kernel, Index stride);

  std::string kind() const override { return mode_ == PoolMode::Max ? "maxpool" : "avgpool"; }
  std::string describe() const override;
  Shape input_shape() const override { return in_; }
  Shape output_shape() const override { return out_; }
  Index num_params() const override { return 0; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng&, const Initializer&, VecRef<S>) const override {}

 private:
  // Visits every (output index, input index) pair of every window.
  template <class F>
  void for_each_window(F&& visit) const;

  Shape in_, out_;
  PoolMode mode_;
  Index kernel_, stride_;
};

template <class S>
class Flatten final : public Layer<S> {
 public:
  explicit Flatten(Shape input) : in_(input) {}

  std::string kind() const override { return "flatten"; }
  std::string describe() const override;
  Shape input_shape() const override { return in_; }
  Shape output_shape() const override { return {in_.size(), 1, 1}; }
  Index num_params() const override { return 0; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData&, CMatRef<S> x, CVecRef<S>, MatRef<S> y) const override { y = x; }
  void vjp(LayerData&, CMatRef<S>, CVecRef<S>, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S>) const override {
    if (p.rows() > 0) p = p_next;
  }
  void jvp(LayerData&, CMatRef<S>, CVecRef<S>, CMatRef<S> dx, CVecRef<S>,
           MatRef<S> dy) const override {
    dy = dx;
  }
  void init_params(Rng&, const Initializer&, VecRef<S>) const override {}

 private:
  Shape in_;
};

// Sum: the global sum pooling y = Σ_j x_j of a sample's entries (output (1, 1, 1)), e.g. the
// read-out of the E-MSA toy regression (REFERENCE F9 (d)); p = p_next 1, dy = Σ_j dx_j.
template <class S>
class Sum final : public Layer<S> {
 public:
  explicit Sum(Shape input) : in_(input) {}

  std::string kind() const override { return "sum"; }
  std::string describe() const override;
  Shape input_shape() const override { return in_; }
  Shape output_shape() const override { return {1, 1, 1}; }
  Index num_params() const override { return 0; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData&, CMatRef<S> x, CVecRef<S>, MatRef<S> y) const override {
    y = x.rowwise().sum();
  }
  void vjp(LayerData&, CMatRef<S>, CVecRef<S>, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S>) const override {
    if (p.rows() > 0) p = p_next.col(0).replicate(1, in_.size());
  }
  void jvp(LayerData&, CMatRef<S>, CVecRef<S>, CMatRef<S> dx, CVecRef<S>,
           MatRef<S> dy) const override {
    dy = dx.rowwise().sum();
  }
  void init_params(Rng&, const Initializer&, VecRef<S>) const override {}

 private:
  Shape in_;
};

}  // namespace deepctl
