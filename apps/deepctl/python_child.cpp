// Runs Debian's python3 on this source tree's deepctl package (the report and figures are
// drawn with matplotlib there).
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <iostream>

#include "cli.hpp"

extern char** environ;

namespace deepctl::cli {

int run_python_module(const std::string& module, const std::vector<std::string>& args) {
  std::cout.flush();  // our lines before the child's
  std::string path = DEEPCTL_PYTHON_DIR;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += std::string(":") + old;
  std::vector<std::string> env_strings{"PYTHONPATH=" + path};
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("PYTHONPATH=", 0) != 0) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> words{DEEPCTL_PYTHON, "-m", module};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, DEEPCTL_PYTHON, nullptr, nullptr, argv.data(), envp.data()) != 0) {
    std::cerr << "deepctl: cannot run " << DEEPCTL_PYTHON << "\n";
    return 1;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace deepctl::cli
