// Core numeric types and conventions shared by every area of deepctl.
//
// A batch of B samples is a row-major matrix with one sample per row, so that a NumPy (B, n)
// array maps onto it without a copy. Convolutional states are flattened row by row as (C, H, W).
// Parameters θ_t of layer t are one flat vector owned by the caller (solver, checkpoint).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace deepctl {

using Index = Eigen::Index;

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

template <class S>
using MatRef = Eigen::Ref<Mat<S>>;
template <class S>
using CMatRef = const Eigen::Ref<const Mat<S>>&;
template <class S>
using VecRef = Eigen::Ref<Vec<S>>;
template <class S>
using CVecRef = const Eigen::Ref<const Vec<S>>&;

// Parameters of a whole network: θ_t for t = 0..T-1, one flat vector per layer.
template <class S>
using Params = std::vector<Vec<S>>;

// Shape of one sample's state: channels × height × width (a plain vector is (n, 1, 1)).
struct Shape {
  Index channels = 1;
  Index height = 1;
  Index width = 1;
  Index size() const { return channels * height * width; }
  bool operator==(const Shape&) const = default;
};

}  // namespace deepctl
