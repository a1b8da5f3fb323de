// J and ∇_θ J of a Problem on one minibatch, with the rows split into contiguous shards that
// run rollout and adjoint concurrently, one shard per thread (data parallelism).
//
// Shard k holds b_k of the B rows; its costate pass uses p_T = −(1/b_k)∇Φ and gives
// J_k = (1/b_k) Σ_{s∈k} Φ_s + R(θ) and ∇J_k. Since Σ_k b_k/B = 1,
//   J = Σ_k (b_k/B) J_k,   ∇_θ J = Σ_k (b_k/B) ∇_θ J_k
// exactly; only the rounding differs from one unsharded pass. The shard count is
// min(threads, B / kMinShardRows), and 1 when a layer is not thread_safe or when the
// parameters exceed kMaxShardedParamBytes
// (then the shards' gradient copies leave the cache and the matrix products' own threading is
// faster: measured in docs/benchmarks.md). Shards are summed in order, so a thread count fully
// determines the result. Inside a shard the matrix products run single-threaded.
#pragma once

#include "deepctl/problem/problem.hpp"

namespace deepctl {

// The shard count of that rule for a minibatch of `batch` rows on `threads` threads (also used
// by the DDP trainer, solver/ddp.hpp).
template <class S>
Index shard_count(const Problem<S>& problem, Index batch, int threads);

template <class S>
class ParallelGradient {
 public:
  static constexpr Index kMinShardRows = 32;
  static constexpr Index kMaxShardedParamBytes = Index(4) << 20;

  ParallelGradient(const Problem<S>& problem, Index batch, int threads);

  Index batch() const { return batch_; }
  int threads() const { return threads_; }
  int shards() const { return static_cast<int>(shards_.size()); }
  // Returns J(θ) on (X, Y) and writes ∇_θ J into grad (resized as needed).
  double evaluate(CMatRef<S> X, CMatRef<S> Y, const Params<S>& theta, Params<S>& grad);

 private:
  struct Shard {
    Index begin = 0;
    Workspace<S> workspace;
    Params<S> grad;
    double objective = 0;
  };
  const Problem<S>* problem_;
  Index batch_ = 0;
  int threads_ = 1;
  std::vector<Shard> shards_;
};

}  // namespace deepctl
