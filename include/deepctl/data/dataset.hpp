// Datasets, kept apart from the Problem and passed in (DESIGN: Dataset).
//
// A Dataset holds inputs (N × n, one sample per row, float32 to halve the memory of image sets)
// and targets (N × k: one-hot rows for classification, values for regression). Batches are
// gathered into the Problem's precision S. Readers raise FileError naming the file and what is
// wrong; every split and shuffle is a deterministic function of a seed.
#pragma once

#include <string>
#include <vector>

#include "deepctl/core/rng.hpp"
#include "deepctl/core/types.hpp"

namespace deepctl {

struct Dataset {
  std::string name;
  Shape input_shape;
  Mat<float> inputs;
  Mat<float> targets;
  Index num_classes = 0;  // 0 for regression

  Index size() const { return inputs.rows(); }
  // The rows listed in `rows`, in that order.
  Dataset subset(const std::vector<Index>& rows) const;
};

struct TrainTest {
  Dataset train;
  Dataset test;
};

// The class of each row: the arg-max of its target row (one-hot or probabilities).
std::vector<int> class_labels(const Dataset& data);

// One-hot rows for integer labels in [0, classes); throws InputError on a label out of range.
Mat<float> one_hot(const std::vector<int>& labels, Index classes, const std::string& source);

// A permutation of 0..n−1 drawn from rng (Fisher–Yates).
std::vector<Index> permutation(Index n, Rng& rng);

// Moves a `fraction` of `data` (chosen by `seed`) into the second part of the result.
TrainTest split(const Dataset& data, double fraction, std::uint64_t seed);

// Gathers rows `rows[begin..end)` of the dataset into X and Y (resized) in precision S.
template <class S>
void gather(const Dataset& data, const std::vector<Index>& rows, Index begin, Index end, Mat<S>& X,
            Mat<S>& Y);

// Per-feature affine normalisation fitted on a training set and applied to any set.
struct Normalizer {
  Vec<float> shift, scale;  // x ← (x − shift) / scale
  // "standardize": zero mean, unit variance per feature (constant features keep scale 1);
  // "center": x − 0.5 (pixels in [0, 1] to [−0.5, 0.5]); "none": identity. Throws InputError
  // for any other mode.
  static Normalizer fit(const Dataset& train, const std::string& mode);
  void apply(Dataset& data) const;
};

}  // namespace deepctl
