// The deepctl executable as a user runs it: exit codes and one-line errors for every
// malformed-input class, run folders, resume after a kill, divergence, end-to-end accuracy.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "deepctl/io/npz.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Result {
  int code;
  std::string out, err;
};

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "deepctl_cli" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Result run_cli(const std::string& args, const fs::path& dir) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd =
      std::string(DEEPCTL_CLI) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  return {WEXITSTATUS(status), slurp(out), slurp(err)};
}

// deepctl train CONFIG OVERRIDES --out dir/RUN, with its output kept in `dir`.
Result train(const fs::path& config, const fs::path& dir, const std::string& run,
             const std::string& overrides = "") {
  return run_cli("train " + config.string() + " " + overrides + " --out " + (dir / run).string(),
                 dir);
}

double test_accuracy(const fs::path& run_dir) {
  return json::parse(slurp(run_dir / "summary.json"))["test_accuracy"].get<double>();
}

fs::path example(const std::string& name) {
  return fs::path(DEEPCTL_SOURCE_DIR) / "examples" / name;
}

// A small DIGITS config; `train` is the body of the [train] table.
fs::path digits_config(const fs::path& dir,
                       const std::string& train = "epochs = 3\nbatch_size = 64\n",
                       const std::string& layers = "") {
  const fs::path p = dir / "run.toml";
  std::ofstream(p)
      << "[data]\nname = \"digits\"\n[model]\n"
      << (layers.empty() ? "[[model.layers]]\ntype = \"dense\"\nwidth = 32\nactivation = \"tanh\"\n"
                           "[[model.layers]]\ntype = \"dense\"\nwidth = 10\n"
                         : layers)
      << "[train]\nthreads = 1\n"
      << train;
  return p;
}

void expect_one_line_error(const Result& r, const std::string& fragment) {
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Cli, HelpOnEverySubcommand) {
  const fs::path dir = scratch("help");
  for (const std::string cmd :
       {"--help", "train --help", "eval --help", "study --help", "meanfield --help",
        "phase-diagram --help", "spectrum --help", "trainability --help", "compare --help",
        "sde --help", "noise --help", "hessian --help", "ntk --help", "infoplane --help",
        "sample --help", "ode --help"}) {
    const Result r = run_cli(cmd, dir);
    EXPECT_EQ(r.code, 0) << cmd;
    EXPECT_NE(r.out.find("usage: deepctl"), std::string::npos) << cmd;
  }
  expect_one_line_error(run_cli("fly", dir), "unknown command 'fly'");
}

TEST(Cli, UnknownConfigKey) {
  const fs::path dir = scratch("unknown_key");
  const auto cfg = digits_config(dir, "epoch = 3\n");
  expect_one_line_error(train(cfg, dir, "r"), "unknown key 'train.epoch'");
}

TEST(Cli, WrongType) {
  const fs::path dir = scratch("wrong_type");
  const auto cfg = digits_config(dir);
  expect_one_line_error(train(cfg, dir, "r", "--set train.batch_size='\"big\"'"),
                        "train.batch_size: expected an integer, got string");
}

TEST(Cli, NegativeWidth) {
  const fs::path dir = scratch("negative_width");
  const auto cfg = digits_config(dir);
  expect_one_line_error(train(cfg, dir, "r", "--set model.layers.0.width=-4"),
                        "model.layers[0] (dense): width must be a positive integer");
}

TEST(Cli, IncompatibleLayerSizes) {
  const fs::path dir = scratch("incompatible");
  const auto cfg = digits_config(dir);
  expect_one_line_error(train(cfg, dir, "r", "--set model.layers.1.width=12"),
                        "the network gives 12 outputs but the data has 10 target columns");
  expect_one_line_error(
      train(cfg, dir, "r2",
            "--set model.layers.0.type='\"maxpool\"' --set model.layers.0.kernel=9"),
      "window 9 is larger than the input 1x8x8");
}

TEST(Cli, MissingFiles) {
  const fs::path dir = scratch("missing");
  expect_one_line_error(run_cli("train /nonexistent/run.toml", dir),
                        "/nonexistent/run.toml: no such file");
  const auto cfg = digits_config(dir);
  expect_one_line_error(train(cfg, dir, "r", "--set data.path='\"/nonexistent/d.csv\"'"),
                        "/nonexistent/d.csv: no such file");
  expect_one_line_error(run_cli("train --resume " + (dir / "nothing").string(), dir),
                        "no checkpoint to resume from");
}

TEST(Cli, TruncatedAndWrongMagicIdx) {
  const fs::path dir = scratch("idx");
  const fs::path data = dir / "fm";
  fs::create_directories(data);
  // Labels fine, images truncated: 2 images of 28x28 announced, 100 bytes present.
  std::string header = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
  std::ofstream(data / "train-images-idx3-ubyte", std::ios::binary)
      << header << std::string(100, 'x');
  const auto cfg = digits_config(dir);
  const std::string use_data =
      "--set data.name='\"fashion-mnist\"' --set data.path='\"" + data.string() + "\"'";
  expect_one_line_error(train(cfg, dir, "r", use_data),
                        "truncated: expected 1568 bytes, found 100");
  std::ofstream(data / "train-images-idx3-ubyte", std::ios::binary) << "GIF89a not idx";
  expect_one_line_error(train(cfg, dir, "r2", use_data), "not an IDX file");
}

TEST(Cli, RaggedCsv) {
  const fs::path dir = scratch("ragged");
  std::ofstream(dir / "d.csv") << "1,2,3\n1,2\n";
  const auto cfg = digits_config(dir);
  expect_one_line_error(
      train(cfg, dir, "r", "--set data.path='\"" + (dir / "d.csv").string() + "\"'"),
      "d.csv:2: expected 3 fields like the first row, found 2");
}

TEST(Cli, ExistingRunIsNeverOverwritten) {
  const fs::path dir = scratch("no_overwrite");
  const auto cfg = digits_config(dir);
  ASSERT_EQ(train(cfg, dir, "r").code, 0);
  const std::string before = slurp(dir / "r" / "metrics.jsonl");
  expect_one_line_error(train(cfg, dir, "r"), "already holds a run");
  EXPECT_EQ(slurp(dir / "r" / "metrics.jsonl"), before);
}

TEST(Cli, RunFolderAndDeterministicMetrics) {
  const fs::path dir = scratch("determinism");
  const auto cfg = digits_config(dir, "epochs = 3\nbatch_size = 64\nlog_every = 5\n");
  ASSERT_EQ(train(cfg, dir, "a").code, 0);
  ASSERT_EQ(train(cfg, dir, "b").code, 0);
  auto strip = [](const std::string& text) {
    std::stringstream in(text), out;
    for (std::string line; std::getline(in, line);) {
      json j = json::parse(line);
      j.erase("wall_time");
      out << j.dump() << "\n";
    }
    return out.str();
  };
  const std::string a = strip(slurp(dir / "a" / "metrics.jsonl"));
  EXPECT_GT(std::count(a.begin(), a.end(), '\n'), 3);
  EXPECT_EQ(a, strip(slurp(dir / "b" / "metrics.jsonl")));
  const json summary = json::parse(slurp(dir / "a" / "summary.json"));
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_TRUE(fs::exists(dir / "a" / "config.toml"));
  // eval reproduces the summary's test accuracy from the checkpoint.
  const Result e = run_cli("eval " + (dir / "a").string(), dir);
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_DOUBLE_EQ(json::parse(e.out)["test_accuracy"].get<double>(),
                   summary["test_accuracy"].get<double>());
}

// Starts `deepctl train CONFIG --out RUN` and kills it with SIGKILL once its checkpoint has
// reached `epoch`; returns whether it was killed before it finished.
bool train_and_kill(const fs::path& config, const fs::path& run, long epoch) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(DEEPCTL_CLI, DEEPCTL_CLI, "train", config.c_str(), "--out", run.c_str(), nullptr);
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(run / "checkpoint.npz") &&
        deepctl::read_npz((run / "checkpoint.npz").string()).at("epoch").to_int("epoch") >= epoch)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

TEST(Cli, ARunThatCannotStartLeavesNoRunFolder) {
  // The trainer refuses the network (no discrete layer for discrete_msa) after the config has
  // parsed: one line, exit 2, and no run folder that would block the corrected command.
  const fs::path dir = scratch("no_folder");
  expect_one_line_error(
      train(example("digits_mlp.toml"), dir, "r", "--set train.optimizer=\"discrete_msa\""),
      "no binary or ternary dense layer");
  EXPECT_FALSE(fs::exists(dir / "r"));
}

TEST(Cli, KilledRunResumesToTheSameParameters) {
  const fs::path dir = scratch("resume");
  const auto cfg = digits_config(dir, "optimizer = \"adam\"\nepochs = 300\nbatch_size = 16\n");
  ASSERT_EQ(train(cfg, dir, "straight").code, 0);

  // Killed once a few checkpoints exist, well before the 300 epochs end.
  const fs::path killed = dir / "killed";
  ASSERT_TRUE(train_and_kill(cfg, killed, 20)) << "the run finished before it could be killed";
  const auto at_kill =
      deepctl::read_npz((killed / "checkpoint.npz").string()).at("epoch").to_int("epoch");
  EXPECT_LT(at_kill, 300);

  const Result r = run_cli("train --resume " + killed.string(), dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto a = deepctl::read_npz((dir / "straight" / "checkpoint.npz").string());
  const auto b = deepctl::read_npz((killed / "checkpoint.npz").string());
  for (const std::string key : {"theta_0", "theta_1", "adam_m_0", "adam_v_1"})
    EXPECT_EQ(a.at(key).bytes, b.at(key).bytes) << key;
  EXPECT_EQ(a.at("step").to_int("step"), b.at("step").to_int("step"));
  // The metrics of the resumed run have one epoch line per epoch, no duplicates.
  const std::string m = slurp(killed / "metrics.jsonl");
  std::size_t epochs = 0;
  for (std::size_t p = m.find("\"kind\":\"epoch\""); p != std::string::npos;
       p = m.find("\"kind\":\"epoch\"", p + 1))
    ++epochs;
  EXPECT_EQ(epochs, 300u);
}

TEST(Cli, LangevinRunRecordsThePosteriorPredictiveAndResumesIt) {
  // The "posterior" lines of an SGLD run: one per epoch from the burn-in, the running average's
  // sample count, and the reliability diagram at the end. Killed after the burn-in and resumed,
  // the run ends with the same average (it travels in the checkpoint).
  const fs::path dir = scratch("posterior");
  const fs::path cfg = dir / "bc.toml";
  fs::copy_file(example("breast_cancer_sgld.toml"), cfg, fs::copy_options::overwrite_existing);
  std::ofstream(cfg, std::ios::app) << "posterior_burn_in = 20\nepochs = 1500\n";
  // (a second `epochs` key would be a TOML error: the example's line is replaced)
  std::string text = slurp(cfg);
  text.erase(text.find("epochs = 4000"), std::string("epochs = 4000\n").size());
  std::ofstream(cfg) << text;
  ASSERT_EQ(train(cfg, dir, "straight").code, 0);
  auto posterior_lines = [](const fs::path& run) {
    std::vector<json> lines;
    std::ifstream in(run / "metrics.jsonl");
    for (std::string line; std::getline(in, line);)
      if (line.find("\"kind\":\"posterior\"") != std::string::npos) {
        json j = json::parse(line);
        j.erase("wall_time");
        lines.push_back(j);
      }
    return lines;
  };
  const std::vector<json> straight = posterior_lines(dir / "straight");
  ASSERT_EQ(straight.size(), 1500u - 20u + 1u);  // epochs 20..1500
  EXPECT_EQ(straight.back()["samples"].get<int>(), 1481);
  EXPECT_EQ(straight.back()["predictive"]["reliability"].size(), 15u);
  EXPECT_FALSE(straight.front()["predictive"].contains("reliability"));
  EXPECT_GT(straight.back()["predictive"]["accuracy"].get<double>(), 0.95);

  const fs::path killed = dir / "killed";
  ASSERT_TRUE(train_and_kill(cfg, killed, 100)) << "the run finished before it could be killed";
  ASSERT_EQ(run_cli("train --resume " + killed.string(), dir).code, 0);
  const std::vector<json> resumed = posterior_lines(killed);
  ASSERT_EQ(resumed.size(), straight.size());
  EXPECT_EQ(resumed.back(), straight.back());
  EXPECT_EQ(resumed[200], straight[200]);
}

TEST(Cli, DivergenceStopsWithStatusAndKeepsTheLastFiniteCheckpoint) {
  const fs::path dir = scratch("diverge");
  // The learning rate jumps by 1e30 after the first epoch: epoch 2 overflows float32.
  const auto cfg =
      digits_config(dir,
                    "epochs = 3\noptimizer = \"sgd\"\nlr = 0.05\nschedule = \"step\"\n"
                    "gamma = 1e30\nstep_every = 1\n",
                    "[[model.layers]]\ntype = \"dense\"\nwidth = 32\nactivation = \"relu\"\n"
                    "[[model.layers]]\ntype = \"dense\"\nwidth = 10\n");
  const Result r = train(cfg, dir, "r");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("diverged at step"), std::string::npos) << r.err;
  const json summary = json::parse(slurp(dir / "r" / "summary.json"));
  EXPECT_EQ(summary["status"], "diverged");
  const auto ckpt = deepctl::read_npz((dir / "r" / "checkpoint.npz").string());
  EXPECT_EQ(ckpt.at("epoch").to_int("epoch"), 1);
  EXPECT_TRUE(ckpt.at("theta_0").to_vector<float>("theta_0").allFinite());
}

TEST(Cli, EmsaAndPidTrainTheDigitsExample) {
  // The same config trained by E-MSA (REFERENCE F9), the PID policy (F12) and Entropy-SGD (F22).
  const fs::path dir = scratch("emsa");
  Result r = train(example("digits_mlp.toml"), dir, "msa",
                   "--set train.threads=1 --set train.epochs=10 --set train.optimizer=msa "
                   "--set train.rho=0.05 --set train.inner_steps=5 --set train.inner_lr=0.1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(test_accuracy(dir / "msa"), 0.95);
  r = train(
      example("digits_mlp.toml"), dir, "pid",
      "--set train.threads=1 --set train.epochs=10 --set train.optimizer=pid --set train.lr=0.003 "
      "--set train.ki=1 --set train.kd=2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(test_accuracy(dir / "pid"), 0.93);
  r = train(example("digits_mlp.toml"), dir, "entropy",
            "--set train.threads=1 --set train.epochs=10 --set train.optimizer=entropy_sgd "
            "--set train.lr=0.5 --set train.inner_steps=5 --set train.entropy_gamma=0.03");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(test_accuracy(dir / "entropy"), 0.93);
  expect_one_line_error(train(example("digits_mlp.toml"), dir, "bad", "--set train.inner_steps=0"),
                        "train.inner_steps");
  expect_one_line_error(
      train(example("digits_mlp.toml"), dir, "bad2", "--set train.optimizer=lbfgs"),
      "unknown optimizer 'lbfgs'");
}

TEST(Cli, EmsaFallsFasterPerIterationOnThePapersProblems) {
  // Li, Chen, Tai & E's toy (examples/emsa_sine.toml): from all-zero parameters E-MSA (10 L-BFGS
  // iterations per layer, each from a start perturbed by 0.005) leaves the flat region that
  // holds SGD, Adagrad and Adam, as in the paper's curves, within 60 iterations; the
  // regression's row shows its final test loss.
  const fs::path dir = scratch("emsa_sine");
  const Result r = run_cli("compare " + example("emsa_sine.toml").string() +
                               " --optimizers 'msa:rho=0.5:inner=\"lbfgs\":inner_steps=10,"
                               "sgd:lr=0.2,adagrad:lr=0.1:adagrad_initial=0.025,adam:lr=0.005' "
                               "--seeds 1 --set train.epochs=60 "
                               "--set train.threads=1 --json",
                           dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  const double emsa = j["optimizers"][0]["test_loss_mean"].get<double>(),
               sgd = j["optimizers"][1]["test_loss_mean"].get<double>(),
               adagrad = j["optimizers"][2]["test_loss_mean"].get<double>(),
               adam = j["optimizers"][3]["test_loss_mean"].get<double>();
  // Measured: 0.0098 against 0.247, 0.133 and 0.279.
  EXPECT_LT(emsa, 0.25 * std::min({sgd, adagrad, adam}))
      << emsa << " " << sgd << " " << adagrad << " " << adam;
  EXPECT_TRUE(j["optimizers"][0]["test_accuracy_mean"].is_null());
  // The paper's CNN settings (examples/emsa_cnn.toml, E-MSA through convolutions): over the first
  // 10 minibatches of Fashion-MNIST its loss falls faster than SGD's and Adam's.
  const Result c = run_cli("compare " + example("emsa_cnn.toml").string() +
                               " --optimizers 'msa:rho=0.03:inner=\"lbfgs\":inner_steps=10,"
                               "sgd:lr=0.01,adam:lr=0.001' --seeds 1 --set data.train_limit=1280 "
                               "--set train.threads=1 --json",
                           dir);
  ASSERT_EQ(c.code, 0) << c.err;
  const json cj = json::parse(c.out);
  EXPECT_LT(cj["optimizers"][0]["first_epoch_loss"].get<double>(),
            std::min(cj["optimizers"][1]["first_epoch_loss"].get<double>(),
                     cj["optimizers"][2]["first_epoch_loss"].get<double>()) -
                0.02);  // measured: 2.262 against 2.332 and 2.320
}

TEST(Cli, DdpTrainsTheDigitsExample) {
  // The DDP trainer (REFERENCE F11) from a config: Kronecker-factored curvature with feedback and
  // Levenberg–Marquardt damping; its keys' errors name the key.
  const fs::path dir = scratch("ddp");
  const Result r = train(example("digits_mlp.toml"), dir, "kfac",
                         "--set train.threads=1 --set train.epochs=10 --set train.optimizer=ddp "
                         "--set train.lr=0.01 --set train.ddp_curvature=kfac "
                         "--set train.ddp_damping=0.01 --set train.ddp_adaptive_damping=true");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(test_accuracy(dir / "kfac"), 0.95);  // measured: 0.986
  // So do the other optimal-control trainers' keys (and Adagrad's, their baseline).
  for (const auto& [settings, key] :
       {std::pair{"optimizer=ddp --set train.ddp_curvature=identity --set "
                  "train.ddp_adaptive_damping=true",
                  "train.ddp_adaptive_damping"},
        {"optimizer=ddp --set train.ddp_curvature=fisher", "train.ddp_curvature"},
        {"optimizer=ddp --set train.ddp_stats_every=0", "train.ddp_stats_every"},
        {"optimizer=adagrad --set train.adagrad_initial=-0.1", "train.adagrad_initial"},
        {"optimizer=msa --set train.inner_perturbation=-1", "train.inner_perturbation"}})
    expect_one_line_error(
        train(example("digits_mlp.toml"), dir, "bad", std::string("--set train.") + settings), key);
}

TEST(Cli, CompareOptimisersOverSeeds) {
  const fs::path dir = scratch("compare");
  const Result r =
      run_cli("compare " + example("digits_mlp.toml").string() +
                  " --optimizers adam:lr=0.003,msa:rho=0.05:inner_steps=5:inner_lr=0.1 --seeds 2"
                  " --set train.epochs=3 --set train.threads=1 --json --out " +
                  (dir / "c").string(),
              dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);  // stdout holds only the JSON
  ASSERT_EQ(j["optimizers"].size(), 2u);
  for (const auto& o : j["optimizers"]) {
    EXPECT_GT(o["test_accuracy_mean"].get<double>(), 0.85) << o["name"];
    EXPECT_GT(o["ms_per_step"].get<double>(), 0.0);
    EXPECT_GT(o["first_epoch_loss"].get<double>(), 0.0);
    EXPECT_LT(o["first_epoch_loss"].get<double>(), std::log(10.0));  // below chance's loss
  }
  const json full = json::parse(slurp(dir / "c" / "compare.json"));
  EXPECT_EQ(full["optimizers"][1]["runs"].size(), 2u);  // one curve per seed
  // The training-loss curve: one point per 10 of the 3 × 45 steps, falling.
  const auto loss = full["optimizers"][1]["runs"][0]["train_loss"].get<std::vector<double>>();
  ASSERT_EQ(loss.size(), 13u);
  EXPECT_LT(loss.back(), 0.5 * loss.front());
  EXPECT_TRUE(fs::exists(dir / "c" / "compare_wall.png"));
  EXPECT_TRUE(fs::exists(dir / "c" / "compare_loss.png"));
  EXPECT_NE(slurp(dir / "c" / "report.html").find("<h2>Optimisers compared</h2>"),
            std::string::npos);
  expect_one_line_error(
      run_cli("compare " + example("digits_mlp.toml").string() + " --optimizers adam:lr", dir),
      "expected key=value");
  // Any accuracy reaches target 0 after the first epoch: one epoch of 45 steps (1437 rows in
  // batches of 32), which is L + 1 = 4 effective epochs for Entropy-SGD with L = 3.
  const Result e = run_cli("compare " + example("digits_mlp.toml").string() +
                               " --optimizers nesterov:lr=0.1,entropy_sgd:lr=0.5:inner_steps=3 "
                               "--seeds 1 --target 0 --set train.epochs=1 --json",
                           dir);
  ASSERT_EQ(e.code, 0) << e.err;
  const json ej = json::parse(e.out);
  for (int o : {0, 1}) EXPECT_EQ(ej["optimizers"][o]["steps_to_target"].get<double>(), 45);
  EXPECT_EQ(ej["optimizers"][0]["effective_epochs_to_target"].get<double>(), 1);
  EXPECT_EQ(ej["optimizers"][1]["effective_epochs_to_target"].get<double>(), 4);
  expect_one_line_error(
      run_cli("compare " + example("digits_mlp.toml").string() + " --optimizers rmsprop", dir),
      "unknown optimizer 'rmsprop'");
  // A run that diverges in its first epoch (SGD at rate 1e38 overflows) is reported, not a crash,
  // and has no final accuracy; the figures are still drawn.
  const Result d =
      run_cli("compare " + example("digits_mlp.toml").string() +
                  " --optimizers sgd:lr=1e38,sgd:lr=0.1 --seeds 1 --set train.epochs=1 "
                  "--set train.threads=1 --out " +
                  (dir / "d").string(),
              dir);
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.err.find("sgd:lr=1e38 seed 0: diverged at step"), std::string::npos) << d.err;
  EXPECT_NE(d.out.find("diverged: 1 of 1"), std::string::npos) << d.out;
  const json dj = json::parse(slurp(dir / "d" / "compare.json"));
  EXPECT_EQ(dj["optimizers"][0]["diverged"].get<long>(), 1);
  EXPECT_TRUE(dj["optimizers"][0]["test_accuracy_mean"].is_null());
  EXPECT_EQ(dj["optimizers"][1]["diverged"].get<long>(), 0);
  EXPECT_TRUE(fs::exists(dir / "d" / "compare_step.png"));
}

TEST(Cli, DigitsMlpExampleReaches95Percent) {
  const fs::path dir = scratch("digits_e2e");
  const Result r = train(example("digits_mlp.toml"), dir, "r", "--set train.threads=1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(test_accuracy(dir / "r"), 0.95);
}

TEST(Cli, DefaultFashionMnistMlpReaches85Percent) {
  const fs::path dir = scratch("fashion_e2e");
  const Result r = train(example("fashion_mnist_mlp.toml"), dir, "r", "--set train.threads=1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(test_accuracy(dir / "r"), 0.85);
}

TEST(Cli, OtherExamplesTrain) {
  const fs::path dir = scratch("examples");
  const Result res = train(example("residual_tanh.toml"), dir, "res", "--set train.threads=1");
  ASSERT_EQ(res.code, 0) << res.err;
  EXPECT_GE(test_accuracy(dir / "res"), 0.9);
  const Result cnn = train(example("small_cnn.toml"), dir, "cnn",
                           "--set train.threads=1 --set train.epochs=1 --set data.train_limit=6000 "
                           "--set data.test_limit=2000");
  ASSERT_EQ(cnn.code, 0) << cnn.err;
  EXPECT_GE(test_accuracy(dir / "cnn"), 0.7);
  const Result ode = train(example("ode_digits.toml"), dir, "ode", "--set train.threads=1");
  ASSERT_EQ(ode.code, 0) << ode.err;
  EXPECT_GE(test_accuracy(dir / "ode"), 0.95);
  expect_one_line_error(
      train(example("ode_digits.toml"), dir, "bad", "--set model.layers.1.solver=\"dopri\""),
      "unknown ODE solver 'dopri'");
}

TEST(Cli, MeanfieldJsonAndCriticalLine) {
  const fs::path dir = scratch("meanfield");
  Result r = run_cli("meanfield --activation relu --sb2 0 --critical --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["sw2_critical"].get<double>(), 2.0);
  r = run_cli("meanfield --activation erf --sw2 0.7 --sb2 0 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["q_star"].get<double>(), 0.0);
  EXPECT_TRUE(j["c_star"].is_null());  // undefined at q* = 0
  EXPECT_EQ(j["phase"], "ordered");
  for (const char* key : {"q_star", "c_star", "chi1", "chi_c", "xi_q", "xi_c", "phase"})
    EXPECT_TRUE(j.contains(key)) << key;
  r = run_cli("meanfield --activation tanh --sw2 2.5 --sb2 0.05 --json", dir);
  EXPECT_EQ(json::parse(r.out)["phase"], "chaotic");
  r = run_cli("meanfield --activation relu --sw2 3 --sb2 0.1 --json", dir);
  EXPECT_TRUE(json::parse(r.out)["q_star"].is_null());  // the length map diverges
  EXPECT_EQ(json::parse(r.out)["phase"], "divergent");
  expect_one_line_error(run_cli("meanfield --activation tahn --sw2 1", dir),
                        "unknown activation 'tahn'");
  expect_one_line_error(run_cli("meanfield --activation tanh --sw2 x", dir),
                        "--sw2: expected a number");
  expect_one_line_error(run_cli("meanfield --activation tanh --sw2 -1", dir), "sw2");
  expect_one_line_error(run_cli("meanfield --activation tanh", dir), "--sw2 is required");
}

TEST(Cli, SpectrumMeasuresBesideTheory) {
  const fs::path dir = scratch("spectrum");
  const Result r =
      run_cli("spectrum --activation linear --sw2 1 --sb2 0 --depth 5 --width 64 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_NEAR(j["measured"]["mean"].get<double>(), 1.0, 1e-9);  // orthogonal linear: isometric
  EXPECT_NEAR(j["measured"]["variance"].get<double>(), 0.0, 1e-9);
  EXPECT_NEAR(j["theory"]["edge"].get<double>(), 1.0, 1e-9);
  const Result mf = run_cli(
      "spectrum --activation linear --sw2 1 --sb2 0 --depth 5 --width 64 --matrix-free --json",
      dir);
  ASSERT_EQ(mf.code, 0) << mf.err;
  const json jm = json::parse(mf.out);
  EXPECT_EQ(jm["method"], "matrix-free");
  EXPECT_NEAR(jm["measured"]["mean"].get<double>(), 1.0, 1e-9);  // JᵀJ = I: every probe exact
  EXPECT_NEAR(jm["measured"]["max"].get<double>(), 1.0, 1e-9);
  // The whole law: two Gaussian ReLU layers at He, width 200 — the distribution function over
  // the bins against free probability (largest gap measured 0.029: the count of dead units,
  // the atom ½, fluctuates at this width); --out writes the JSON and the figure.
  const Result law =
      run_cli("spectrum --activation relu --sb2 0 --depth 2 --width 200 --weights gaussian --out " +
                  (dir / "law").string(),
              dir);
  ASSERT_EQ(law.code, 0) << law.err;
  const json h = json::parse(slurp(dir / "law" / "spectrum.json"))["histogram"];
  const auto measured = h["measured"].get<std::vector<double>>(),
             predicted = h["predicted"].get<std::vector<double>>();
  ASSERT_EQ(measured.size(), 40u);
  double F = h["below"], P = h["predicted_below"], gap = std::abs(F - P);
  for (std::size_t b = 0; b < measured.size(); ++b)
    gap = std::max(gap, std::abs((F += measured[b]) - (P += predicted[b])));
  EXPECT_LT(gap, 0.06);
  EXPECT_NEAR(h["predicted_below"].get<double>(), 0.5, 0.01);
  EXPECT_TRUE(fs::exists(dir / "law" / "spectrum.png"));
  EXPECT_TRUE(fs::exists(dir / "law" / "spectrum.svg"));
  expect_one_line_error(run_cli("spectrum --activation tanh --width 5000", dir), "--matrix-free");
  expect_one_line_error(
      run_cli("spectrum --activation tanh --depth 2 --width 8 --out /proc/none", dir),
      "/proc/none");
  expect_one_line_error(run_cli("spectrum --activation tanh --weights uniform", dir), "--weights");
  expect_one_line_error(run_cli("spectrum --activation relu --sb2 0.1", dir), "no critical point");
}

TEST(Cli, SdeReproducesTheWeakErrorTableAndTheSchemeOrders) {
  const fs::path dir = scratch("sde");
  const Result r = run_cli("sde --paths 200 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  // REFERENCE F15's table at lr = 0.0125: 1.651e-3 (order 1), 5.372e-5 (order 2).
  EXPECT_NEAR(j["sme"][4]["error1"].get<double>(), 1.651e-3, 1e-6);
  EXPECT_NEAR(j["sme"][4]["error2"].get<double>(), 5.372e-5, 1e-7);
  EXPECT_NEAR(j["schemes"]["weak2"]["weak"][3]["order"].get<double>(), 2.0, 0.25);
  EXPECT_TRUE(j["schemes"]["weak2"]["declared_strong"].is_null());
  EXPECT_NEAR(j["schemes"]["milstein"]["strong"][4]["order"].get<double>(), 1.0, 0.2);
  EXPECT_NEAR(j["network"][4]["order1"].get<double>(), 1.0, 0.1);
  EXPECT_NEAR(j["network"][4]["order2"].get<double>(), 2.0, 0.1);
  expect_one_line_error(run_cli("sde --table lévy", dir), "--table");
}

TEST(Cli, NoiseAndHessianOfAConfigAndOfATrainedRun) {
  const fs::path dir = scratch("noise");
  const fs::path config = digits_config(dir, "epochs = 1\nbatch_size = 32\nlr = 0.01\n");
  ASSERT_EQ(train(config, dir, "run").code, 0);
  const std::string run = (dir / "run").string();
  Result r = run_cli("noise " + run + " --samples 200 --top 3 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["params"].get<std::string>(), run + "/checkpoint.npz");
  EXPECT_EQ(j["batch"].get<int>(), 32);
  EXPECT_EQ(j["top_eigenvalues"].size(), 3u);
  EXPECT_GT(j["covariance_trace"].get<double>(), j["top_eigenvalues"][0].get<double>());
  EXPECT_LE(j["rank_above_1e-3"].get<int>(), 199);  // rank of Σ ≤ n − 1
  EXPECT_GT(j["tail_index"].get<double>(), 0.5);
  EXPECT_NEAR(j["noise_scale"].get<double>(), 0.01 * (1438.0 / 32 - 1), 1e-9);
  EXPECT_EQ(j["layers"].size(), 2u);
  // A config alone: parameters initialised from its seed.
  r = run_cli("noise " + config.string() + " --samples 100 --batch 10 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["params"].get<std::string>(), "initialised (seed 0)");

  r = run_cli("hessian " + run + " --samples 200 --top 2 --probes 4 --density 8 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["num_params"].get<int>(), 64 * 32 + 32 + 32 * 10 + 10);
  EXPECT_GE(j["top_eigenvalues"][0].get<double>(), j["top_eigenvalues"][1].get<double>());
  EXPECT_EQ(j["density"]["x"].size(), 8u);
  const Result again =
      run_cli("hessian " + run + " --samples 200 --top 2 --probes 4 --density 8 --json", dir);
  EXPECT_EQ(again.out, r.out);  // seeded: the same numbers
  r = run_cli("hessian " + run + " --samples 200 --matrix gauss-newton --top 1 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GT(json::parse(r.out)["top_eigenvalues"][0].get<double>(), 0.0);

  r = run_cli("ntk " + run + " --samples 30 --steps 5 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["size"].get<int>(), 300);  // 30 samples × 10 outputs
  EXPECT_GT(j["smallest_eigenvalue"].get<double>(), 0.0);
  EXPECT_NEAR(j["lr"].get<double>(), 30 / j["largest_eigenvalue"].get<double>(), 1e-12);
  EXPECT_EQ(j["actual"].size(), 6u);
  EXPECT_DOUBLE_EQ(j["actual"][0].get<double>(), j["predicted"][0].get<double>());
  expect_one_line_error(run_cli("ntk " + run + " --lr -1", dir), "--lr");

  expect_one_line_error(run_cli("noise " + run + " --samples 100000", dir), "--samples");
  expect_one_line_error(run_cli("noise " + run + " --samples 50 --batch 60", dir), "--batch");
  expect_one_line_error(run_cli("hessian " + run + " --matrix fisher", dir), "--matrix");
  expect_one_line_error(run_cli("hessian /nonexistent/run.toml", dir), "/nonexistent/run.toml");
  expect_one_line_error(run_cli("noise", dir), "CONFIG.toml or RUN_DIR");
}

TEST(Cli, SharpnessFollowsTheRatioOfLearningRateToBatchSize) {
  // REFERENCE F18 (Jastrzębski et al.): plain SGD on DIGITS for 30 epochs; the final sharpness
  // (top Hessian eigenvalue of the "dynamics" line) collapses onto η/B and falls as η/B grows.
  // Measured: 0.524 (η 0.05, B 32), 0.522 (η 0.2, B 128), 0.350 (η 0.2, B 32), from 1.257.
  const fs::path dir = scratch("sharpness");
  auto sharpness = [&](const std::string& lr, int batch) {
    const std::string run = "lr" + lr + "_b" + std::to_string(batch);
    const Result r = train(example("digits_mlp.toml"), dir, run,
                           "--set train.optimizer=\"sgd\" --set train.schedule=\"constant\" "
                           "--set train.epochs=30 --set train.dynamics_every=30 --set train.lr=" +
                               lr + " --set train.batch_size=" + std::to_string(batch));
    EXPECT_EQ(r.code, 0) << r.err;
    std::ifstream in(dir / run / "metrics.jsonl");
    double last = 0;
    for (std::string line; std::getline(in, line);)
      if (line.find("\"dynamics\"") != std::string::npos)
        last = json::parse(line)["sharpness"].get<double>();
    return last;
  };
  const double base = sharpness("0.05", 32), same_ratio = sharpness("0.2", 128),
               hotter = sharpness("0.2", 32);
  EXPECT_NEAR(same_ratio, base, 0.05 * base);
  EXPECT_LT(hotter, 0.8 * base);
}

TEST(Cli, InformationPlaneTanhCompressesAndReluDoesNot) {
  // REFERENCE F21 (Saxe et al.'s contrast) on the 12-bit set, 12-10-7-5-4-3-2, 1500 epochs:
  // with binning, the last tanh hidden layer's I(X;T) falls well below its peak after fitting,
  // while every ReLU hidden layer keeps what it gained. Measured over seeds 0, 1, 2: tanh
  // end/peak 0.67, 0.56, 0.74; ReLU at least 0.97.
  const fs::path dir = scratch("infoplane");
  auto layers = [&](const std::string& activation) {
    const Result r =
        run_cli("infoplane " + example("ib12bit_" + activation + ".toml").string() +
                    " --set train.epochs=1500 --json --out " + (dir / activation).string(),
                dir);
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out.substr(r.out.rfind("\n{") + 1))["layers"];
  };
  const json tanh = layers("tanh"), relu = layers("relu");
  ASSERT_EQ(tanh.size(), 6u);
  EXPECT_LT(tanh[4]["compression"].get<double>(), 0.8);
  EXPECT_GT(tanh[4]["i_ty_end"].get<double>(), 0.9);  // fitted: T_4 still predicts Y
  for (int t = 0; t < 5; ++t) EXPECT_GT(relu[t]["compression"].get<double>(), 0.9) << t;
  EXPECT_TRUE(fs::exists(dir / "tanh" / "figures" / "infoplane.png"));
  expect_one_line_error(
      run_cli("infoplane " + example("ib12bit_tanh.toml").string() +
                  " --set train.infoplane_estimator=\"mine\" --out " + (dir / "bad").string(),
              dir),
      "train.infoplane_estimator");
}

TEST(Cli, SamplePosteriorPredictiveAgainstThePointEstimate) {
  const fs::path dir = scratch("sample");
  const std::string base = "sample " + example("digits_mlp.toml").string() +
                           " --set train.lr=0.05 --set train.schedule=\"constant\" "
                           "--set model.l2=1e-3 --set train.epochs=20 --json";
  // At temperature 0 the sampler is the point estimate: one sample at the end equals it.
  Result r = run_cli(base + " --set train.temperature=0 --burn-in 19", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["posterior_predictive"]["samples"].get<int>(), 2);  // epochs 19 and 20
  EXPECT_EQ(j["point_estimate"]["samples"].get<int>(), 1);
  r = run_cli(base + " --set train.temperature=0 --burn-in 19 --every 5", dir);
  j = json::parse(r.out);
  EXPECT_EQ(j["posterior_predictive"]["samples"].get<int>(), 2);  // epoch 19 and the last
  // At T = 0.1 the averaged iterates keep the point estimate's accuracy within 2 points.
  r = run_cli(base + " --set train.temperature=0.1", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["posterior_predictive"]["samples"].get<int>(), 11);
  EXPECT_NEAR(j["posterior_predictive"]["accuracy"].get<double>(),
              j["point_estimate"]["accuracy"].get<double>(), 0.02);
  expect_one_line_error(run_cli(base + " --burn-in 20", dir), "--burn-in");
  expect_one_line_error(run_cli(base + " --set train.temperature=-1", dir), "temperature");
}

TEST(Cli, SampleAgainstAMalaChainOnBayesianLogisticRegression) {
  // The shipped example, shortened: the chain's predictive average takes 1000 of its states and
  // the SGLD iterates of the last half of the epochs (15 steps each) are compared with them.
  const fs::path dir = scratch("sample-mala");
  const std::string base = "sample " + example("breast_cancer_sgld.toml").string() +
                           " --set train.epochs=400 --json --mala ";
  Result r = run_cli(base + "20000", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["mala"]["samples"].get<int>(), 1000);
  EXPECT_NEAR(j["mala"]["acceptance"].get<double>(), 0.574, 0.05);
  EXPECT_EQ(j["sampler_vs_mala"]["sampler_iterates"].get<int>(), 200 * 15);
  EXPECT_NEAR(j["mala"]["accuracy"].get<double>(),
              j["posterior_predictive"]["accuracy"].get<double>(), 0.03);
  EXPECT_GT(j["sampler_vs_mala"]["sd_ratio_min"].get<double>(), 0.5);
  EXPECT_LT(j["sampler_vs_mala"]["sd_ratio_max"].get<double>(), 2.0);
  expect_one_line_error(run_cli(base + "1000 --set train.temperature=0", dir),
                        "--mala: the chain needs train.temperature > 0");
  expect_one_line_error(run_cli(base + "1", dir), "--mala");
}

TEST(Cli, OdeSpiralDemoReportsNfeGapAndMemory) {
  const fs::path dir = scratch("ode");
  Result r = run_cli("ode --iters 100 --test-every 50 --json", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["iterations"].get<double>(), 100);
  EXPECT_EQ(j["forward_evaluations"].get<long>(), 100 * 9 * 4);  // 9 intervals, 4 RK4 stages
  EXPECT_LT(j["gradient_gap"].get<double>(), 1e-3);
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 0);
  // Adaptive dopri5 with the continuous adjoint, written to a folder with its figure.
  r = run_cli(
      "ode --iters 40 --test-every 20 --solver dopri5 --rtol 1e-5 --atol 1e-6 "
      "--gradient adjoint --out " +
          (dir / "run").string(),
      dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json full = json::parse(slurp(dir / "run" / "spiral.json"));
  EXPECT_EQ(full["history"].size(), 2u);
  EXPECT_EQ(full["observed"].size(), 1000u);
  EXPECT_GT(full["forward_evaluations"].get<long>(), 40 * 9 * 6);  // ≥ one step per interval
  EXPECT_TRUE(fs::exists(dir / "run" / "spiral.png"));
  expect_one_line_error(run_cli("ode --batch-time 1000", dir), "--batch-time");
  expect_one_line_error(run_cli("ode --solver rk45", dir), "unknown ODE solver 'rk45'");
  expect_one_line_error(run_cli("ode --solver rk4 --rtol 1e-3 --atol 1e-3", dir), "embedded pair");
}

TEST(Cli, TrainabilitySweepResumesWithTheSameResults) {
  const fs::path dir = scratch("trainability");
  const std::string cmd =
      "trainability --sw2 1:3:3 --depths 2,4 --width 16 --steps 20 --eval 500 "
      "--train-limit 1000 --out " +
      (dir / "sweep").string();
  Result r = run_cli(cmd, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const fs::path results = dir / "sweep" / "trainability.jsonl";
  std::vector<std::string> lines;
  {
    std::ifstream in(results);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  ASSERT_EQ(lines.size(), 6u);
  {  // as if killed during the fifth job: four lines kept, the fifth cut short
    std::ofstream cut(results);
    for (int i = 0; i < 4; ++i) cut << lines[i] << "\n";
    cut << lines[4].substr(0, 10);
  }
  r = run_cli(cmd, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("4 already done"), std::string::npos) << r.out;
  std::ifstream in(results);
  std::vector<json> redone;
  for (std::string l; std::getline(in, l);) {
    const json j = json::parse(l, nullptr, false);
    if (!j.is_discarded()) redone.push_back(j);
  }
  ASSERT_EQ(redone.size(), 6u);
  for (int i = 4; i < 6; ++i)  // the re-run jobs give the same accuracy: a seed fixes a job
    EXPECT_EQ(redone[i]["accuracy"], json::parse(lines[i])["accuracy"]);
  EXPECT_TRUE(fs::exists(dir / "sweep" / "report.html"));
  expect_one_line_error(
      run_cli("trainability --sw2 1:3:4 --depths 2,4 --width 16 --out " + (dir / "sweep").string(),
              dir),
      "holds a sweep with other settings");
  expect_one_line_error(run_cli("trainability --depths 1", dir), "at least 2");
}

TEST(Cli, PhaseDiagramWritesCsvAndFigure) {
  const fs::path dir = scratch("phase_diagram");
  const Result r = run_cli(
      "phase-diagram --activation erf --sw2 0.5:2:6 --sb2 0:0.2:3 --out " + (dir / "pd").string(),
      dir);
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream csv(dir / "pd" / "phase_diagram.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header, "sw2,sb2,q_star,c_star,chi1,chi_c,xi_q,xi_c,phase");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 18);
  EXPECT_GT(fs::file_size(dir / "pd" / "phase_diagram.png"), 10000u);
  EXPECT_TRUE(fs::exists(dir / "pd" / "phase_diagram.svg"));
  // With dropout (keep 0.9) c* < 1 and ξ_c is finite wherever they are defined (measured max
  // 9.5 on the review's ranges).
  ASSERT_EQ(run_cli("phase-diagram --sw2 0.5:3:8 --sb2 0:0.25:4 --keep 0.9 --out " +
                        (dir / "keep").string(),
                    dir)
                .code,
            0);
  std::ifstream with_dropout(dir / "keep" / "phase_diagram.csv");
  std::getline(with_dropout, header);
  for (int n = 0; std::getline(with_dropout, line); ++n) {
    std::stringstream fields(line);
    std::vector<std::string> f;
    for (std::string v; std::getline(fields, v, ',');) f.push_back(v);
    ASSERT_EQ(f.size(), 9u) << line;
    if (f[3].empty()) continue;                // q* = 0 (σ_b² = 0, ordered): c* undefined
    EXPECT_LT(std::stod(f[3]), 1.0) << line;   // c*
    EXPECT_LT(std::stod(f[7]), 20.0) << line;  // ξ_c
  }
  expect_one_line_error(run_cli("phase-diagram --keep 1.5", dir), "keep");
  expect_one_line_error(run_cli("phase-diagram --sw2 1:2", dir), "--sw2: expected LO:HI:N");
  expect_one_line_error(run_cli("phase-diagram --sb2 0:1:0", dir), "N must be an integer");
  expect_one_line_error(run_cli("phase-diagram --sb2 0.2:0.1:4", dir), "HI must not be below LO");
}

}  // namespace
