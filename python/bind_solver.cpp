#include "bind.hpp"
#include "deepctl/io/checkpoint.hpp"
#include "deepctl/solver/ddp.hpp"
#include "deepctl/solver/discrete_msa.hpp"
#include "deepctl/solver/entropy_sgd.hpp"
#include "deepctl/solver/gradient_trainer.hpp"
#include "deepctl/solver/msa.hpp"
#include "deepctl/solver/posterior.hpp"
#include "deepctl/solver/vanilla_ddp.hpp"

namespace deepctl::python {
namespace {

// A Python callback returns None or True to continue, False to stop.
bool keep_going(const py::object& result) {
  return result.is_none() || result.cast<bool>();
}

// Callbacks from a deepctl.Callback-like object (methods on_step/on_epoch), a list of them, or
// None.
Callbacks callbacks_from(const py::object& obj) {
  if (obj.is_none()) return {};
  py::list items;
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj))
    items = py::list(obj);
  else
    items.append(obj);
  Callbacks c;
  c.on_step = [items](const StepReport& r) {
    bool go = true;
    for (const auto& cb : items)
      if (py::hasattr(cb, "on_step")) go = keep_going(cb.attr("on_step")(r)) && go;
    return go;
  };
  c.on_epoch = [items](const EpochReport& r) {
    bool go = true;
    for (const auto& cb : items)
      if (py::hasattr(cb, "on_epoch")) go = keep_going(cb.attr("on_epoch")(r)) && go;
    return go;
  };
  return c;
}

template <class S>
void bind_trainer(py::module_& m) {
  const std::string sfx = suffix<S>();
  using T = MinibatchTrainer<S>;
  py::class_<T>(m, ("MinibatchTrainer" + sfx).c_str(), R"(The minibatch loop every trainer shares.

  init(theta)        start from θ (a list of arrays) with a fresh controller state
  step(X, Y)         one update on a batch -> StepReport
  run_epoch(cb)      one shuffled pass -> EpochReport (cb: Callback, list, or None)
  solve(cb)          epochs up to options.epochs -> TrainResult (status, message)
  params             the current θ (copies)
  passes_per_step    minibatch forward-costate passes per step (epochs × it: effective epochs)
  save_checkpoint(path), load_checkpoint(path)
Epoch e visits the data in the order permutation(N, Rng(seed).split(e)): a seed and thread
count fully determine a run.)")
      .def(
          "init", [](T& g, const py::sequence& theta) { g.init(from_list<S>(theta)); },
          py::arg("theta"))
      .def(
          "step", [](T& g, CMatRef<S> X, CMatRef<S> Y) { return g.step(X, Y); }, py::arg("X"),
          py::arg("Y"))
      .def(
          "run_epoch", [](T& g, const py::object& cb) { return g.run_epoch(callbacks_from(cb)); },
          py::arg("callbacks") = py::none())
      .def(
          "solve", [](T& g, const py::object& cb) { return g.solve(callbacks_from(cb)); },
          py::arg("callbacks") = py::none())
      .def_property(
          "params", [](T& g) { return to_list(g.params()); },
          [](T& g, const py::sequence& theta) { g.init(from_list<S>(theta)); })
      .def_property_readonly("epoch", &T::epoch)
      .def_property_readonly("steps", &T::steps)
      .def_property_readonly("steps_per_epoch", &T::steps_per_epoch)
      .def_property_readonly("passes_per_step", &T::passes_per_step,
                             "forward-costate passes per step (L + 1 for Entropy-SGD)")
      .def_property_readonly("options", &T::options)
      .def(
          "save_checkpoint", [](T& g, const std::string& path) { save_checkpoint(path, g); },
          py::arg("path"), "Writes θ, the controller state and progress atomically (.npz).")
      .def(
          "load_checkpoint", [](T& g, const std::string& path) { load_checkpoint(path, g); },
          py::arg("path"), "Restores what save_checkpoint wrote.")
      .def("__repr__", [sfx](const T& g) {
        return "Trainer" + sfx + "(epoch=" + std::to_string(g.epoch()) +
               ", steps=" + std::to_string(g.steps()) + ")";
      });
  using G = GradientTrainer<S>;
  py::class_<G, T>(m, ("GradientTrainer" + sfx).c_str(),
                   R"(Minibatch descent on J with ∇J from the costate pass and an update policy.

GradientTrainer(problem, train, test=None, options=TrainerOptions()); the loop's methods are
MinibatchTrainer's.)")
      .def(py::init([](const Problem<S>& p, const Dataset& train, const Dataset* test,
                       const TrainerOptions& o) { return new G(p, train, test, o); }),
           py::arg("problem"), py::arg("train"), py::arg("test") = nullptr,
           py::arg("options") = TrainerOptions{}, py::keep_alive<1, 2>(), py::keep_alive<1, 3>(),
           py::keep_alive<1, 4>());
  using M = MsaTrainer<S>;
  py::class_<M, T>(m, ("MsaTrainer" + sfx).c_str(),
                   R"(The method of successive approximations (E-MSA with rho > 0) as a trainer.

MsaTrainer(problem, train, test=None, options=TrainerOptions(), rho=0.0, inner_steps=10,
inner_lr=0.1, inner="gradient", perturbation=0.0): each step is msa_step on the minibatch
(forward, backward, per-layer ascent on the augmented Hamiltonian, started at θ_t + a·U(−1, 1)
with a = perturbation, drawn from the options' seed and the step).)")
      .def(py::init([](const Problem<S>& p, const Dataset& train, const Dataset* test,
                       const TrainerOptions& o, double rho, int inner_steps, double inner_lr,
                       const std::string& inner, double perturbation) {
             return new M(
                 p, train, test, o,
                 {rho, inner_steps, inner_lr, MsaOptions::parse_inner(inner), perturbation});
           }),
           py::arg("problem"), py::arg("train"), py::arg("test") = nullptr,
           py::arg("options") = TrainerOptions{}, py::arg("rho") = 0.0, py::arg("inner_steps") = 10,
           py::arg("inner_lr") = 0.1, py::arg("inner") = "gradient", py::arg("perturbation") = 0.0,
           py::keep_alive<1, 2>(), py::keep_alive<1, 3>(), py::keep_alive<1, 4>());
  using E = EntropySgdTrainer<S>;
  py::class_<E, T>(m, ("EntropySgdTrainer" + sfx).c_str(),
                   R"(Entropy-SGD (REFERENCE F22): an inner SGLD loop estimates the local-entropy
gradient x − ⟨x′⟩, then a Nesterov step (options.update.momentum, the schedule's rate).

EntropySgdTrainer(problem, train, test=None, options=TrainerOptions(), inner_steps=20,
inner_lr=0.1, noise=1e-4, gamma=1e-4, gamma_growth=1e-3); gamma() is γ at the current step.)")
      .def(py::init([](const Problem<S>& p, const Dataset& train, const Dataset* test,
                       const TrainerOptions& o, int inner_steps, double inner_lr, double noise,
                       double gamma, double gamma_growth) {
             return new E(p, train, test, o, {inner_steps, inner_lr, noise, gamma, gamma_growth});
           }),
           py::arg("problem"), py::arg("train"), py::arg("test") = nullptr,
           py::arg("options") = TrainerOptions{}, py::arg("inner_steps") = 20,
           py::arg("inner_lr") = 0.1, py::arg("noise") = 1e-4, py::arg("gamma") = 1e-4,
           py::arg("gamma_growth") = 1e-3, py::keep_alive<1, 2>(), py::keep_alive<1, 3>(),
           py::keep_alive<1, 4>())
      .def("gamma", &E::gamma);
  using DM = DiscreteMsaTrainer<S>;
  py::class_<DM, T>(m, ("DiscreteMsaTrainer" + sfx).c_str(),
                    R"(Discrete-weight MSA (Li & Hao; REFERENCE F9): closed-form binary/ternary
maximisation of H over the W of Dense(..., weights="binary"|"ternary") layers, Adam on the rest.

DiscreteMsaTrainer(problem, train, test=None, options=TrainerOptions(), rho=0.5, lam=1e-7,
alpha=0.999, decay=0.95).)")
      .def(
          py::init([](const Problem<S>& p, const Dataset& train, const Dataset* test,
                      const TrainerOptions& o, double rho, double lam, double alpha, double decay) {
            return new DM(p, train, test, o, {rho, lam, alpha, decay});
          }),
          py::arg("problem"), py::arg("train"), py::arg("test") = nullptr,
          py::arg("options") = TrainerOptions{}, py::arg("rho") = 0.5, py::arg("lam") = 1e-7,
          py::arg("alpha") = 0.999, py::arg("decay") = 0.95, py::keep_alive<1, 2>(),
          py::keep_alive<1, 3>(), py::keep_alive<1, 4>());
  m.def(("discrete_nonzero_fraction" + sfx).c_str(),
        [](const Problem<S>& p, const py::sequence& theta) {
          return discrete_nonzero_fraction(p, from_list<S>(theta));
        },
        py::arg("problem"), py::arg("theta"),
        "Fraction of non-zero weights over the binary/ternary dense layers' W (NaN: none).");
  using D = DdpTrainer<S>;
  py::class_<D, T>(m, ("DdpTrainer" + sfx).c_str(),
                   R"(DDP after DDPNOpt (REFERENCE F11, solver/ddp.hpp): open-loop steps
k = −M⁻¹∇J with the control curvature M (identity: I/η; diagonal: (λ + √v)/η; kfac: damped
Kronecker factors of the Gauss–Newton Q_uu for dense and conv2d layers) and, with feedback, the
per-sample gains K from a rank-one Gauss–Newton value Hessian applied in a feedback forward pass.

DdpTrainer(problem, train, test=None, options=TrainerOptions(), curvature="diagonal",
feedback=True, alpha=0.99, lam=1e-8, damping=1e-3, inverse_every=20, value_update=False,
adaptive_damping=False, stats_every=1); with adaptive_damping, λ or γ follows the Levenberg–Marquardt rule
(`damping` and `reduction_ratio` read it).)")
      .def(py::init([](const Problem<S>& p, const Dataset& train, const Dataset* test,
                       const TrainerOptions& o, const std::string& curvature, bool feedback,
                       double alpha, double lam, double damping, int inverse_every,
                       bool value_update, bool adaptive_damping, int stats_every) {
             return new D(p, train, test, o,
                          {DdpOptions::parse_curvature(curvature), feedback, alpha, lam, damping,
                           inverse_every, value_update, adaptive_damping, stats_every});
           }),
           py::arg("problem"), py::arg("train"), py::arg("test") = nullptr,
           py::arg("options") = TrainerOptions{}, py::arg("curvature") = "diagonal",
           py::arg("feedback") = true, py::arg("alpha") = 0.99, py::arg("lam") = 1e-8,
           py::arg("damping") = 1e-3, py::arg("inverse_every") = 20,
           py::arg("value_update") = false, py::arg("adaptive_damping") = false,
           py::arg("stats_every") = 1, py::keep_alive<1, 2>(), py::keep_alive<1, 3>(),
           py::keep_alive<1, 4>())
      .def_property_readonly("damping", &D::damping,
                             "The regulariser μ in use: λ (diagonal), γ (kfac), 0 (identity).")
      .def_property_readonly(
          "reduction_ratio", &D::reduction_ratio,
          "ρ = actual / DDP-expected change at the last adaptation (NaN: none).");
  if constexpr (std::is_same_v<S, double>)
    py::class_<VanillaDdpTrainer, T>(m, "VanillaDdpTrainer",
                                     R"(Vanilla DDP as a trainer (solver/vanilla_ddp.hpp, float64,
tiny networks): one stacked-batch DDP iteration per minibatch, the Levenberg–Marquardt μ carried
between steps and floored at `mu`.

VanillaDdpTrainer(problem, train, test=None, options=TrainerOptions(), mu=1.0).)")
        .def(py::init<const Problem<double>&, const Dataset&, const Dataset*, TrainerOptions,
                      double>(),
             py::arg("problem"), py::arg("train"), py::arg("test") = nullptr,
             py::arg("options") = TrainerOptions{}, py::arg("mu") = 1.0, py::keep_alive<1, 2>(),
             py::keep_alive<1, 3>(), py::keep_alive<1, 4>());
  m.def(
      ("msa_step" + sfx).c_str(),
      [](const Problem<S>& p, CMatRef<S> X, CMatRef<S> Y, const py::sequence& theta, double rho,
         int inner_steps, double inner_lr, const std::string& inner) {
        Params<S> th = from_list<S>(theta);
        const double J =
            msa_step<S>(p, X, Y, th, {rho, inner_steps, inner_lr, MsaOptions::parse_inner(inner)});
        return py::make_tuple(J, to_list(th));
      },
      py::arg("problem"), py::arg("X"), py::arg("Y"), py::arg("theta"), py::arg("rho") = 0.0,
      py::arg("inner_steps") = 10, py::arg("inner_lr") = 0.1, py::arg("inner") = "gradient",
      "One (E-)MSA iteration (REFERENCE F9): forward, backward, then each layer's gradient ascent "
      "on its augmented Hamiltonian H̃_t with penalty rho (0: basic MSA). Returns (J before, new "
      "θ).");
  m.def(("augmented_hamiltonian" + sfx).c_str(),
        [](const Problem<S>& p, CMatRef<S> X, CMatRef<S> Y, const py::sequence& theta, Index t,
           CVecRef<S> theta_t, double rho) {
          const Params<S> th = from_list<S>(theta);
          Workspace<S> ws = p.make_workspace(X.rows());
          p.rollout(ws, X, Y, th);
          Params<S> g;
          p.adjoint(ws, Y, th, g, true);
          Vec<S> grad;
          const double H = augmented_hamiltonian<S>(p, ws, t, theta_t, rho, &grad);
          return py::make_tuple(H, grad);
        },
        py::arg("problem"), py::arg("X"), py::arg("Y"), py::arg("theta"), py::arg("t"),
        py::arg("theta_t"), py::arg("rho") = 0.0,
        "(H̃_t, ∇H̃_t) at theta_t on the trajectory of theta.");
  m.def(("evaluate" + sfx).c_str(),
        [](const Problem<S>& p, const py::sequence& theta, const Dataset& data, Index batch) {
          return evaluate(p, from_list<S>(theta), data, batch);
        },
        py::arg("problem"), py::arg("theta"), py::arg("data"), py::arg("batch") = 1000,
        "Loss and accuracy of θ on a whole dataset.");
  py::class_<PredictiveAverage<S>>(m, ("PredictiveAverage" + sfx).c_str(),
                                   "Running average of softmax outputs over parameter samples "
                                   "(the posterior predictive of an sgld/psgld run).")
      .def(py::init<const Problem<S>&, const Dataset&>(), py::arg("problem"), py::arg("data"),
           py::keep_alive<1, 2>(), py::keep_alive<1, 3>())
      .def(
          "add",
          [](PredictiveAverage<S>& a, const py::sequence& theta) { a.add(from_list<S>(theta)); },
          py::arg("theta"))
      .def_property_readonly("samples", &PredictiveAverage<S>::samples)
      .def_property_readonly("labels", &PredictiveAverage<S>::labels)
      .def("probabilities", &PredictiveAverage<S>::probabilities);
  py::class_<ChainMoments<S>>(m, ("ChainMoments" + sfx).c_str(),
                              "Per-coordinate mean and variance of θ (flattened) over a chain.")
      .def(py::init<>())
      .def(
          "add", [](ChainMoments<S>& c, const py::sequence& theta) { c.add(from_list<S>(theta)); },
          py::arg("theta"))
      .def_property_readonly("count", &ChainMoments<S>::count)
      .def_property_readonly("mean", &ChainMoments<S>::mean)
      .def("variance", &ChainMoments<S>::variance);
  m.def(
      ("mala_chain" + sfx).c_str(),
      [](const Problem<S>& p, const Dataset& data, const py::sequence& theta, double step,
         Index burn_in, Index samples, double temperature, double target_acceptance,
         std::uint64_t seed, int threads, const py::object& on_sample) {
        Params<S> state = from_list<S>(theta);
        const MalaOptions o{step, burn_in, samples, temperature, target_acceptance, seed, threads};
        std::function<void(const Params<S>&)> visit;
        if (!on_sample.is_none()) visit = [&](const Params<S>& t) { on_sample(to_list(t)); };
        const MalaResult r = mala_chain<S>(p, data, state, o, visit);
        return py::make_tuple(
            to_list(state), py::dict(py::arg("step") = r.step, py::arg("acceptance") = r.acceptance,
                                     py::arg("evaluations") = r.evaluations));
      },
      py::arg("problem"), py::arg("data"), py::arg("theta"), py::arg("step") = 1e-3,
      py::arg("burn_in") = 1000, py::arg("samples") = 10000, py::arg("temperature") = 1.0,
      py::arg("target_acceptance") = 0.574, py::arg("seed") = 0, py::arg("threads") = 1,
      py::arg("on_sample") = py::none(),
      R"(Metropolis-adjusted Langevin chain on exp(−N J(θ)/T), J on the whole dataset (the L2
running cost is the Gaussian prior): burn_in steps adapt the step to the target acceptance,
then on_sample(θ as a list of arrays) sees each of `samples` states. Returns (last θ,
{step, acceptance, evaluations}).)");
}

}  // namespace

void bind_solver(py::module_& m) {
  m.def(
      "vanilla_ddp_iteration",
      [](const Problem<double>& p, CMatRef<double> X, CMatRef<double> Y, const py::sequence& theta,
         double mu, double mu_min) {
        Params<double> th = from_list<double>(theta);
        const VanillaDdpResult r = vanilla_ddp_iteration(p, X, Y, th, mu, mu_min);
        return py::make_tuple(
            to_list(th),
            py::dict(py::arg("cost_before") = r.cost_before, py::arg("cost_after") = r.cost_after,
                     py::arg("expected_decrease") = r.expected_decrease, py::arg("alpha") = r.alpha,
                     py::arg("mu") = r.mu));
      },
      py::arg("problem"), py::arg("X"), py::arg("Y"), py::arg("theta"), py::arg("mu") = 0.0,
      py::arg("mu_min") = 0.0,
      "One Gauss–Newton DDP iteration on the whole (small) batch with Levenberg–Marquardt μ and "
      "a line search (solver/vanilla_ddp.hpp) -> (θ, {cost_before, cost_after, "
      "expected_decrease, alpha, mu}); pass the returned mu to the next call.");
  m.def("expected_calibration_error", &expected_calibration_error, py::arg("probabilities"),
        py::arg("labels"), py::arg("bins") = 15,
        "ECE of class probabilities (rows) against integer labels, equal-width confidence bins.");
  m.def(
      "score_predictions",
      [](CMatRef<double> P, const std::vector<int>& labels, int bins) {
        const PredictiveScore s = score_predictions(P, labels, bins);
        return py::dict(py::arg("accuracy") = s.accuracy, py::arg("nll") = s.nll,
                        py::arg("ece") = s.ece);
      },
      py::arg("probabilities"), py::arg("labels"), py::arg("bins") = 15);
  py::class_<UpdateOptions>(m, "UpdateOptions", R"(The update policy (the controller acting on ∇J).

kind: sgd | momentum | nesterov | adam | adagrad | pid | csgd | cmsgd | sgld | psgld; momentum μ
(also pid's, and cmsgd's initial μ₀); beta1, beta2, epsilon (Adam; epsilon also Adagrad's),
adagrad_initial (Adagrad's start of Σg²); weight_decay (decoupled, Adam);
ki, kd (PID gains); u0, beta_min, beta_max (csgd/cmsgd: initial multiplier, averaging bounds);
temperature, psgld_alpha, psgld_lambda (sgld/psgld; N is the training set's size).)")
      .def(py::init<>())
      .def_property(
          "kind", [](const UpdateOptions& u) { return UpdateOptions::kind_name(u.kind); },
          [](UpdateOptions& u, const std::string& k) { u.kind = UpdateOptions::parse_kind(k); })
      .def_readwrite("momentum", &UpdateOptions::momentum)
      .def_readwrite("beta1", &UpdateOptions::beta1)
      .def_readwrite("beta2", &UpdateOptions::beta2)
      .def_readwrite("epsilon", &UpdateOptions::epsilon)
      .def_readwrite("weight_decay", &UpdateOptions::weight_decay)
      .def_readwrite("ki", &UpdateOptions::ki)
      .def_readwrite("kd", &UpdateOptions::kd)
      .def_readwrite("u0", &UpdateOptions::u0)
      .def_readwrite("beta_min", &UpdateOptions::beta_min)
      .def_readwrite("beta_max", &UpdateOptions::beta_max)
      .def_readwrite("temperature", &UpdateOptions::temperature)
      .def_readwrite("psgld_alpha", &UpdateOptions::psgld_alpha)
      .def_readwrite("psgld_lambda", &UpdateOptions::psgld_lambda)
      .def_readwrite("adagrad_initial", &UpdateOptions::adagrad_initial)
      .def("__repr__", [](const UpdateOptions& u) {
        return "UpdateOptions(kind='" + UpdateOptions::kind_name(u.kind) + "')";
      });
  py::class_<Schedule>(m, "Schedule", R"(Learning-rate schedule η(k, epoch).

kind: constant | step (η₀ γ^⌊epoch/every⌋) | cosine (η_min + (η₀ − η_min)(1 + cos πk/K)/2) |
inverse_time (η₀ / (1 + decay·k)); base is η₀.)")
      .def(py::init<>())
      .def_property(
          "kind", [](const Schedule& s) { return Schedule::kind_name(s.kind); },
          [](Schedule& s, const std::string& k) { s.kind = Schedule::parse_kind(k); })
      .def_readwrite("base", &Schedule::base)
      .def_readwrite("gamma", &Schedule::gamma)
      .def_readwrite("every", &Schedule::every)
      .def_readwrite("min_lr", &Schedule::min_lr)
      .def_readwrite("decay", &Schedule::decay)
      .def_readwrite("total_steps", &Schedule::total_steps)
      .def("at", &Schedule::at, py::arg("step"), py::arg("epoch"))
      .def("__repr__", [](const Schedule& s) {
        return "Schedule(kind='" + Schedule::kind_name(s.kind) +
               "', base=" + std::to_string(s.base) + ")";
      });
  py::class_<TrainerOptions>(m, "TrainerOptions",
                             "epochs, batch_size, seed, update, schedule, eval_batch.")
      .def(py::init<>())
      .def_readwrite("epochs", &TrainerOptions::epochs)
      .def_readwrite("batch_size", &TrainerOptions::batch_size)
      .def_readwrite("seed", &TrainerOptions::seed)
      .def_readwrite("update", &TrainerOptions::update)
      .def_readwrite("schedule", &TrainerOptions::schedule)
      .def_readwrite("eval_batch", &TrainerOptions::eval_batch)
      .def("__repr__", [](const TrainerOptions& o) {
        return "TrainerOptions(epochs=" + std::to_string(o.epochs) +
               ", batch_size=" + std::to_string(o.batch_size) + ", seed=" + std::to_string(o.seed) +
               ", update='" + UpdateOptions::kind_name(o.update.kind) +
               "', lr=" + std::to_string(o.schedule.base) + ")";
      });
  py::class_<StepReport>(m, "StepReport")
      .def_readonly("step", &StepReport::step)
      .def_readonly("epoch", &StepReport::epoch)
      .def_readonly("loss", &StepReport::loss)
      .def_readonly("grad_norm", &StepReport::grad_norm)
      .def_readonly("lr", &StepReport::lr)
      .def("__repr__", [](const StepReport& r) {
        return "StepReport(step=" + std::to_string(r.step) + ", loss=" + std::to_string(r.loss) +
               ", grad_norm=" + std::to_string(r.grad_norm) + ", lr=" + std::to_string(r.lr) + ")";
      });
  py::class_<Evaluation>(m, "Evaluation")
      .def_readonly("loss", &Evaluation::loss)
      .def_readonly("accuracy", &Evaluation::accuracy)
      .def("__repr__", [](const Evaluation& e) {
        return "Evaluation(loss=" + std::to_string(e.loss) +
               ", accuracy=" + std::to_string(e.accuracy) + ")";
      });
  py::class_<EpochReport>(m, "EpochReport")
      .def_readonly("epoch", &EpochReport::epoch)
      .def_readonly("step", &EpochReport::step)
      .def_readonly("train_loss", &EpochReport::train_loss)
      .def_readonly("test", &EpochReport::test)
      .def("__repr__", [](const EpochReport& r) {
        return "EpochReport(epoch=" + std::to_string(r.epoch) +
               ", train_loss=" + std::to_string(r.train_loss) +
               ", test_loss=" + std::to_string(r.test.loss) +
               ", test_accuracy=" + std::to_string(r.test.accuracy) + ")";
      });
  py::class_<TrainResult>(m, "TrainResult")
      .def_property_readonly("status", [](const TrainResult& r) { return status_name(r.status); })
      .def_readonly("message", &TrainResult::message)
      .def("__repr__", [](const TrainResult& r) {
        return "TrainResult(status='" + status_name(r.status) + "', message='" + r.message + "')";
      });
  bind_trainer<double>(m);
  bind_trainer<float>(m);
}

}  // namespace deepctl::python
