// check_certificate: is a PEM certificate readable and valid for N more days, and does its key
// belong to it? Options and messages as the SlapOS toolbox plugin of the same name
// (certificate, key, certificate-expiration-days). Only the first certificate of the file is
// checked (the leaf of a chain file); notBefore, the signature, the chain and revocation are not.
#include <cerrno>
#include <cstring>
#include <ctime>

#include "promise/certificate.hpp"
#include "promise/main.hpp"
#include "promise/path_option.hpp"
#include "promise/pid_file.hpp"

namespace {

constexpr std::size_t kMaxPemBytes = 1024 * 1024;
constexpr long long kSecondsPerDay = 24 * 60 * 60;

struct Options {
  std::string certificate;
  std::string key;
  bool key_given = false;
  long long expiration_days = 15;
};

void declare(CLI::App& app, Options& options) {
  const CLI::Validator not_empty = promise::non_empty_path("FILE");
  app.add_option("--certificate", options.certificate,
                 "The PEM file holding the certificate; its first certificate is checked (other "
                 "blocks, such as its key or the rest of a chain, may come before or after)")
      ->check(not_empty)
      ->required();
  app.add_option("--key", options.key,
                 "The PEM file holding its private key (may be the certificate's file): when "
                 "given, the key must belong to the certificate")
      ->check(not_empty)
      ->each([&options](const std::string&) { options.key_given = true; });
  app.add_option("--certificate-expiration-days,--certificate_expiration_days",
                 options.expiration_days,
                 "Fail when the certificate expires in less than this many days (an integer, "
                 "as Python's int() reads it)")
      ->transform(CLI::Validator(
          [](std::string& value) -> std::string {
            const auto days = promise::parse_python_int(value);
            if (!days || *days < -1000000 || *days > 1000000) {
              return "certificate-expiration-days is wrong: " + promise::python_repr(value);
            }
            value = std::to_string(*days);
            return {};
          },
          "DAYS"))
      ->capture_default_str();
  app.footer(
      "SlapOS plugin rule: checked every 2 minutes, test 1 of 1 failure, anomaly 1 of 1 with "
      "bang. As an etc/promise/ executable slapgrid fails deployment on one failure and reports "
      "an anomaly after 3 of 3, without bang.");
}

// A file that cannot be read: absent is a failure of the thing checked, anything else (a
// directory, no permission, too large) means the check itself could not be made.
promise::Outcome unreadable(const std::string& what, int error) {
  std::string why = error == EISDIR   ? "it is a directory"
                    : error == EINVAL ? "it is not a regular file"
                    : error == EFBIG  ? "it is larger than 1 MiB, not a PEM file"
                                      : std::string("cannot read it: ") + std::strerror(error);
  return error == ENOENT ? promise::Outcome::critical(what + why)
                         : promise::Outcome::unknown(what + why);
}

promise::Outcome check(const Options& options, const promise::Context& context) {
  const std::string certificate = promise::python_repr(options.certificate);
  const std::string key = promise::python_repr(options.key);
  const std::string certificate_problem =
      "Problem loading certificate " + certificate + ", error: ";
  context.phase("reading the certificate");
  const promise::PemFile certificate_file =
      promise::read_pem_file(options.certificate, kMaxPemBytes);
  if (certificate_file.error != 0) return unreadable(certificate_problem, certificate_file.error);
  const promise::CertificateInfo info = promise::read_certificate_pem(certificate_file.text);
  if (!info.error.empty()) return promise::Outcome::critical(certificate_problem + info.error);
  if (info.certificates > 1) {
    context.log.step("the file holds " + std::to_string(info.certificates) +
                     " certificates: checking the first");
  }

  const double days_left =
      static_cast<double>(info.not_after - static_cast<std::int64_t>(std::time(nullptr))) /
      kSecondsPerDay;
  if (info.not_after - options.expiration_days * kSecondsPerDay < std::time(nullptr)) {
    return promise::Outcome::critical("Certificate " + certificate + " will expire in less than " +
                                      std::to_string(options.expiration_days) + " days (" +
                                      (days_left < 0 ? "expired on " : "it expires on ") +
                                      promise::utc_time_text(info.not_after) + ")")
        .metric("days_left", days_left);
  }
  if (!options.key_given) {
    return promise::Outcome::ok("Certificate " + certificate + " is ok, no key provided")
        .metric("days_left", days_left);
  }

  context.phase("reading the key");
  const std::string key_problem = "Problem loading key " + key + ", error: ";
  const promise::PemFile key_file = options.key == options.certificate
                                        ? certificate_file
                                        : promise::read_pem_file(options.key, kMaxPemBytes);
  if (key_file.error != 0) return unreadable(key_problem, key_file.error);
  const promise::KeyCheck pair = promise::check_key_pem(certificate_file.text, key_file.text);
  switch (pair.result) {
    case promise::KeyCheck::Result::error:
      return promise::Outcome::critical(key_problem + pair.error);
    case promise::KeyCheck::Result::mismatch:
      return promise::Outcome::critical("Certificate " + certificate + " does not match key " +
                                        key);
    case promise::KeyCheck::Result::matches:
      break;
  }
  return promise::Outcome::ok("Certificate " + certificate + " and key " + key + " are ok")
      .metric("days_left", days_left);
}

}  // namespace

PROMISE_MAIN("check_certificate",
             "Check that a PEM certificate is valid for some more days and matches its key",
             declare, check)
