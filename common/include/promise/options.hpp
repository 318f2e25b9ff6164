#pragma once
// Option helpers shared by the promises: strict validators, secrets, address normalisation.
// The same declaration validates at install time and at run time.

#include "promise/text.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace promise {

// TCP/UDP port: an integer 1-65535 (99999 is an error, not port 34463).
const CLI::Validator& port_number();

// Host name or IP literal. IPv6 may be given with or without brackets ("[::1]" or "::1"),
// with a zone for link-local addresses ("fe80::1%eth0", "[fe80::1%2]"); it is stored without
// brackets. Refused: empty, white space, a name that cannot exist (longer than 253 bytes, a
// label longer than 63 or empty). A transform: use it with ->transform(promise::host_name()).
const CLI::Validator& host_name();

// Why a host name (not an IP literal) cannot exist: longer than 253 bytes, a label empty or
// longer than 63 bytes; empty when it can. For names inside other values (a URL's host).
std::string host_name_problem(std::string_view name);
// Why text is not an IPv6 literal with an optional zone ("fe80::1%eth0"); empty when it is.
std::string ipv6_literal_problem(std::string_view text);

// A UNIX socket path that fits a sockaddr_un: not empty, at most 107 bytes (sun_path holds
// 108, with the NUL), no NUL byte.
const CLI::Validator& unix_socket_path();
// An abstract UNIX socket name (without the leading NUL): not empty, at most 107 bytes.
const CLI::Validator& abstract_socket_name();

// A decimal number (fractions allowed, no white space) from min to max, both included. A value
// outside gets "'<value>' is not <what>" (what says the unit and the range: "a size in MiB (a
// number from 0 to 1e12)"); type is the placeholder --help shows ("MIB").
CLI::Validator number_in(double min, double max, std::string what, std::string type);

// A duration in seconds, fractional allowed, finite, from 1 ms to a day.
const CLI::Validator& positive_seconds();
// The same rule for text read elsewhere (a timeout file): the seconds, or nothing.
std::optional<double> parse_seconds(std::string_view text);

// Boolean options are declared with app.add_flag("--name", bool_variable, "help"), and
// "--name,!--no-name" for one that is on by default. The runner gives every such flag of every
// promise the forms SlapOS profiles write (config-verify = 1 becomes --verify 1):
//   --name            true
//   --name=V, --name V    V one of 1/0, true/false, yes/no, in any case; anything else
//                     (empty, "on", "2", "maybe") is a bad option: UNKNOWN, refused at --install
//   name = "V"        in a promise file, the same values
//   --no-name [V]     the negation: --no-name alone or --no-name 1 is false, --no-name 0 true
// A flag followed by another option (--verify --url X) is the flag alone. The value is
// stored as "true" or "false", so --show-config and an installed promise show that.
const CLI::Validator& boolean_value();  // the check the runner adds to every boolean flag

// A file that must exist and be readable when the promise runs (checked at install too).
const CLI::Validator& readable_file();

// Whether this run declares the options NAMES ("--cert-file,--key-file": any of them). Declaring
// an option costs ~13 k instructions with CLI11 2.1, and a promise with many options (the HTTP
// ones) paid for all of them on every run: a run that names none of NAMES on its command line
// or in its promise file skips them, since an option that appears nowhere changes nothing.
// True whenever every option must be known: --help, --install, --show-config and the other
// cases of FixedOptions in runner.cpp, and outside a promise run (tests, fuzz targets).
// Required options and options tied by needs()/excludes() are declared together, always.
bool option_named(std::string_view names);

// A value as an error message shows it: quoted, escaped (control bytes such as a NUL, invalid
// UTF-8), cut if long. Validators use it so that no value can cut or fake their message.
std::string quoted_value(std::string_view value);

// Marks an option as secret: its value is masked in --show-config, in the status line and in
// the log, wherever it would appear.
CLI::Option* secret(CLI::Option* option);
bool is_secret(const CLI::Option* option);

}  // namespace promise
