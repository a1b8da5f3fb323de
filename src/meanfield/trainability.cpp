#include "deepctl/meanfield/trainability.hpp"

#include <algorithm>
#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/solver/gradient_trainer.hpp"

namespace deepctl::meanfield {

double train_briefly(const TrainabilitySettings& s, int depth, double sw2, const Dataset& train) {
  if (depth < 2)
    throw InputError("trainability: depth counts weight layers and must be at least 2, got " +
                     std::to_string(depth));
  if (!(sw2 > 0) || !(s.sb2 >= 0))
    throw InputError("trainability: need sw2 > 0 and sb2 >= 0, got sw2 = " + std::to_string(sw2) +
                     ", sb2 = " + std::to_string(s.sb2));
  NetworkSpec spec{train.input_shape, {}, "cross_entropy", 0.0};
  for (int l = 0; l + 1 < depth; ++l)
    spec.layers.push_back({.type = "dense", .width = s.width, .activation = s.activation});
  spec.layers.push_back({.type = "dense", .width = train.targets.cols(), .activation = "linear"});
  const Problem<float> problem = build_problem<float>(spec);
  TrainerOptions o;
  o.batch_size = s.batch;
  o.seed = s.seed;
  o.update.kind = UpdateKind::SGD;
  o.schedule.base = s.lr;
  GradientTrainer<float> trainer(problem, train, nullptr, o);
  trainer.init(problem.init_params(Rng(s.seed).split(1), {InitKind::Gaussian, sw2, s.sb2}));
  Rng order_rng = Rng(s.seed).split(2);
  std::vector<Index> order = permutation(train.size(), order_rng);
  Mat<float> X, Y;
  for (int k = 0; k < s.steps; ++k) {
    const Index begin = (Index(k) * s.batch) % (train.size() - s.batch + 1);
    gather(train, order, begin, begin + s.batch, X, Y);
    const StepReport r = trainer.step(X, Y);
    if (!std::isfinite(r.loss)) return 1.0 / double(train.num_classes);  // diverged: chance
  }
  std::vector<Index> rows(std::min(s.eval_samples, train.size()));
  for (Index i = 0; i < Index(rows.size()); ++i) rows[i] = i;
  return evaluate(problem, trainer.params(), train.subset(rows), 1000).accuracy;
}

}  // namespace deepctl::meanfield
