#include "convert_cli.hpp"

#include "promise/options.hpp"

namespace promise::runner {

void declare_convert_commands(CLI::App& app, ConvertCli& cli) {
  cli.convert = app.add_subcommand(
      "convert",
      "Read a partition's plugin promises (etc/plugin/*.py, never executed) and the cookbook's "
      "legacy scripts in etc/promise, and print the --install command of our binary for each; "
      "what cannot be mapped is listed with the reason");
  cli.compare = app.add_subcommand(
      "compare",
      "Install the converted promises into a scratch directory, run them as slapgrid would "
      "(working directory: the partition), and print each plugin's last verdict beside ours; "
      "nothing in the partition is changed by us");
  for (CLI::App* sub : {cli.convert, cli.compare}) {
    sub->add_option("PARTITION", cli.options.partition,
                    "The partition, e.g. /srv/slapgrid/slappart3")
        ->required()
        ->check(CLI::ExistingDirectory);
    sub->add_option("--bin-dir", cli.options.bin_dir,
                    "Where our promise binaries are (default: slapos-promise's own directory)")
        ->check(CLI::ExistingDirectory);
  }
  cli.convert
      ->add_option("--write", cli.options.write_dir,
                   "Install the promises into DIR (e.g. PARTITION/etc/promise) instead of printing "
                   "the commands")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory);
  cli.compare
      ->add_option("--timeout", cli.timeout,
                   "Time limit of each promise in seconds, slapgrid's promise_timeout")
      ->check(promise::positive_seconds())
      ->capture_default_str();
  cli.compare->add_option("-j,--jobs", cli.jobs, "Promises run at once")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
}

int run_convert_command(const ConvertCli& cli) {
  if (*cli.convert) return convert_command(cli.options);
  return compare_command(cli.options, cli.timeout, cli.jobs);
}

}  // namespace promise::runner
