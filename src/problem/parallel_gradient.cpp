#include "deepctl/problem/parallel_gradient.hpp"

#include <omp.h>

#include <algorithm>

#include "deepctl/core/error.hpp"

namespace deepctl {

template <class S>
Index shard_count(const Problem<S>& problem, Index batch, int threads) {
  using P = ParallelGradient<S>;
  for (Index t = 0; t < problem.num_layers(); ++t)
    if (!problem.layer(t).capabilities().thread_safe) return 1;
  if (problem.num_params() * Index(sizeof(S)) > P::kMaxShardedParamBytes) return 1;
  return std::clamp<Index>(batch / P::kMinShardRows, 1, std::max(threads, 1));
}

template <class S>
ParallelGradient<S>::ParallelGradient(const Problem<S>& problem, Index batch, int threads)
    : problem_(&problem), batch_(batch), threads_(threads) {
  if (batch <= 0) throw InputError("batch size must be positive, got " + std::to_string(batch));
  const Index count = shard_count(problem, batch, threads);
  for (Index k = 0; k < count; ++k) {
    const Index begin = batch * k / count, end = batch * (k + 1) / count;
    shards_.push_back({begin, problem.make_workspace(end - begin), problem.zero_params(), 0.0});
  }
}

template <class S>
double ParallelGradient<S>::evaluate(CMatRef<S> X, CMatRef<S> Y, const Params<S>& theta,
                                     Params<S>& grad) {
  if (X.rows() != batch_)
    throw InputError("gradient: the batch has " + std::to_string(X.rows()) + " rows, expected " +
                     std::to_string(batch_));
  if (shards_.size() == 1) {
    Shard& only = shards_.front();
    const double J = problem_->rollout(only.workspace, X, Y, theta);
    problem_->adjoint(only.workspace, Y, theta, grad);
    return J;
  }
  const int count = shards();
#pragma omp parallel for num_threads(count) schedule(static, 1)
  for (int k = 0; k < count; ++k) {
    Shard& shard = shards_[k];
    const Index rows = shard.workspace.batch;
    shard.objective = problem_->rollout(shard.workspace, X.middleRows(shard.begin, rows),
                                        Y.middleRows(shard.begin, rows), theta);
    problem_->adjoint(shard.workspace, Y.middleRows(shard.begin, rows), theta, shard.grad);
  }
  if (grad.size() != theta.size()) grad = problem_->zero_params();
  std::vector<S> weight(shards_.size());
  double J = 0;
  for (std::size_t k = 0; k < shards_.size(); ++k) {
    weight[k] = S(double(shards_[k].workspace.batch) / double(batch_));
    J += double(shards_[k].workspace.batch) / double(batch_) * shards_[k].objective;
  }
  // Each thread reduces its slice of every layer's gradient, in shard order.
#pragma omp parallel for num_threads(count) schedule(static, 1)
  for (int c = 0; c < count; ++c)
    for (std::size_t t = 0; t < grad.size(); ++t) {
      const Index lo = grad[t].size() * c / count, len = grad[t].size() * (c + 1) / count - lo;
      auto out = grad[t].segment(lo, len);
      out = weight[0] * shards_[0].grad[t].segment(lo, len);
      for (std::size_t k = 1; k < shards_.size(); ++k)
        out += weight[k] * shards_[k].grad[t].segment(lo, len);
    }
  return J;
}

template Index shard_count<float>(const Problem<float>&, Index, int);
template Index shard_count<double>(const Problem<double>&, Index, int);
template class ParallelGradient<float>;
template class ParallelGradient<double>;

}  // namespace deepctl
