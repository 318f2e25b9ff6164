// check_partition_deployment_state: did slapgrid's last buildout of this partition succeed?
// As the SlapOS toolbox plugin of the same name (monitor-url; partition folder and id from the
// partition): slapgrid writes buildout's error to <partition>/.slapgrid-<id>-error.log when
// processing fails and deletes it when processing starts. While it is not empty the promise
// fails and links it into var/log, which the monitor publishes; once buildout succeeds the link
// is removed.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "promise/main.hpp"
#include "promise/partition.hpp"

namespace {

struct Options {
  promise::PartitionOptions partition;
  std::string monitor_url;
};

void declare(CLI::App& app, Options& options) {
  app.add_option("--monitor-url", options.monitor_url,
                 "The monitor's URL: a failure then says where to read the error log "
                 "(<url>/log/slapgrid-<id>-error.log)");
  promise::declare_partition_options(app, options.partition);
  app.footer(
      "SlapOS plugin rule: checked every minute (--frequency 1), test 1 of 1 failures, "
      "anomaly 2 of 2 (--result-count 2 --failure-amount 2).");
}

bool exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;  // follows a link, as os.path.exists
}

// The link points at the error log; a dangling one (left by an older partition path) is
// replaced, atomically.
std::string link_error_log(const std::string& error_log, const std::string& link) {
  if (exists(link)) return {};
  const std::string temporary = link + ".tmp-" + std::to_string(::getpid());
  if (::symlink(error_log.c_str(), temporary.c_str()) != 0 ||
      ::rename(temporary.c_str(), link.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return std::string(" (cannot link it as ") + link + ": " + std::strerror(error) + ")";
  }
  return {};
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const promise::Partition partition = promise::resolve_partition(options.partition);
  if (!partition.error.empty()) return promise::Outcome::unknown(partition.error);
  const std::string log_name = "slapgrid-" + partition.id + "-error.log";
  const std::string error_log = partition.folder + "/." + log_name;
  const std::string link = partition.folder + "/var/log/" + log_name;
  context.log.step("error log " + error_log + ", link " + link);

  struct stat info {};
  if (::stat(error_log.c_str(), &info) == 0 && info.st_size > 0) {
    std::string message = "Buildout failed to process " + partition.id + ".";
    if (!options.monitor_url.empty()) {
      message += " See " + options.monitor_url + "/log/" + log_name + " for more information.";
    }
    message += link_error_log(error_log, link);
    return promise::Outcome::critical(message);
  }
  if (exists(link) && ::unlink(link.c_str()) != 0) {
    return promise::Outcome::ok("buildout is OK (cannot remove " + link + ": " +
                                std::strerror(errno) + ")");
  }
  return promise::Outcome::ok("buildout is OK");
}

}  // namespace

PROMISE_MAIN("check_partition_deployment_state",
             "Check that slapgrid's last buildout of the partition succeeded", declare, check)
