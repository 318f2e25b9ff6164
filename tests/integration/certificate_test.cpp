// check_certificate on real PEM files made by the openssl command line tool: RSA, EC P-256 and
// Ed25519 pairs, a key in the certificate's file, mismatched keys, certificates expiring soon,
// expired (made in-process, as openssl req cannot date a certificate in the past) and valid past
// 2050 (a GeneralizedTime notAfter), garbled PEM, chain files, unreadable files, directories.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bad_input.hpp"
#include "partition.hpp"
#include "process.hpp"
#include "status_line.hpp"
#include "test_pki.hpp"
#include "unprivileged.hpp"

namespace promise::test {
namespace {

namespace fs = std::filesystem;
const std::string kCertificate = binary("check_certificate");

ProcessResult check(std::vector<std::string> args) {
  return run_program(kCertificate, std::move(args));
}

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/bin/openssl");
  const auto result = run(args);
  ASSERT_EQ(result.exit_code, 0) << result.output;
}

// A self-signed certificate and its key: <dir>/<name>.pem and <dir>/<name>.key.
void make_pair(const TempDir& dir, const std::string& name, const std::string& key_type, int days) {
  std::vector<std::string> args = {"req",
                                   "-x509",
                                   "-nodes",
                                   "-subj",
                                   "/CN=promise-test",
                                   "-days",
                                   std::to_string(days),
                                   "-keyout",
                                   dir / (name + ".key"),
                                   "-out",
                                   dir / (name + ".pem")};
  if (key_type == "rsa") {
    args.insert(args.end(), {"-newkey", "rsa:2048"});
  } else if (key_type == "ec") {
    args.insert(args.end(), {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"});
  } else {
    args.insert(args.end(), {"-newkey", key_type});
  }
  openssl(args);
}

// Made once for the suite: key generation (RSA above all) is the slow part.
class Certificate : public ::testing::Test {
 protected:
  static inline TempDir* dir = nullptr;
  static void SetUpTestSuite() {
    dir = new TempDir;
    make_pair(*dir, "rsa", "rsa", 365);
    make_pair(*dir, "ec", "ec", 365);
    make_pair(*dir, "ed25519", "ed25519", 365);
    make_pair(*dir, "other_ec", "ec", 365);
    make_pair(*dir, "soon", "ec", 10);         // expires within the default 15 days
    make_pair(*dir, "far", "ed25519", 15000);  // notAfter in the 2060s: a GeneralizedTime
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static std::string path(const std::string& name) { return *dir / name; }
  // Built by appending: GCC 12 at -O3 sees a false -Wrestrict in "'" + path + "'".
  static std::string repr(const std::string& name) {
    std::string text(1, '\'');
    text.append(path(name)).push_back('\'');
    return text;
  }
};

TEST_F(Certificate, RsaEcAndEd25519PairsMatch) {
  for (const std::string name : {"rsa", "ec", "ed25519"}) {
    expect_output(
        check({"--certificate", path(name + ".pem"), "--key", path(name + ".key")}), 0,
        "OK: Certificate " + repr(name + ".pem") + " and key " + repr(name + ".key") + " are ok");
  }
}

TEST_F(Certificate, WithoutKeyOnlyTheCertificateIsChecked) {
  auto result = check({"--certificate", path("rsa.pem"), "--format", "json"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("is ok, no key provided"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("\"days_left\":{\"value\":36"), std::string::npos) << result.output;
}

TEST_F(Certificate, KeyMayLieInTheCertificateFileBeforeOrAfterIt) {
  const std::string key_first = path("key_first.pem");
  const std::string key_last = path("key_last.pem");
  overwrite_file(key_first, read_file(path("ec.key")) + read_file(path("ec.pem")));
  overwrite_file(key_last, read_file(path("ed25519.pem")) + read_file(path("ed25519.key")));
  for (const auto& both : {key_first, key_last}) {
    expect_output(check({"--certificate", both, "--key", both}), 0,
                  "OK: Certificate '" + both + "' and key '" + both + "' are ok");
  }
}

TEST_F(Certificate, KeyOfAnotherCertificateDoesNotMatch) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"ec.pem", "other_ec.key"}, {"rsa.pem", "ec.key"}, {"ed25519.pem", "rsa.key"}};
  for (const auto& [certificate, key] : pairs) {
    expect_output(
        check({"--certificate", path(certificate), "--key", path(key)}), 2,
        "CRITICAL: Certificate " + repr(certificate) + " does not match key " + repr(key));
  }
}

TEST_F(Certificate, ExpiringWithinTheDaysFails) {
  expect_output(check({"--certificate", path("soon.pem"), "--certificate-expiration-days", "5"}), 0,
                "OK: Certificate " + repr("soon.pem") + " is ok, no key provided");
  auto result = check({"--certificate", path("soon.pem"), "--key", path("soon.key")});
  expect_line(result, 2,
              "CRITICAL: Certificate " + repr("soon.pem") +
                  " will expire in less than 15 days (it expires on 20");
  EXPECT_NE(result.output.find(" UTC)\n"), std::string::npos) << result.output;
  // The underscore spelling, and the value as Python's int() reads it.
  expect_line(check({"--certificate", path("soon.pem"), "--certificate_expiration_days", " 11 "}),
              2, "CRITICAL: Certificate " + repr("soon.pem") + " will expire in less than 11 days");
}

TEST_F(Certificate, ExpiredCertificateSaysWhen) {
  TestPki pki;
  const std::string expired = pki.expired().cert.string();
  expect_line(
      check({"--certificate", expired, "--certificate-expiration-days", "0"}), 2,
      "CRITICAL: Certificate '" + expired + "' will expire in less than 0 days (expired on 20");
  // The pair is fine, the date is not: the date is what is reported.
  expect_line(check({"--certificate", expired, "--key", pki.expired().key.string()}), 2,
              "CRITICAL: Certificate '" + expired + "' will expire in less than 15 days");
}

TEST_F(Certificate, ValidPast2049IsReadAsTheGeneralizedTimeItIs) {
  const auto end = run({"/usr/bin/openssl", "x509", "-noout", "-enddate", "-in", path("far.pem")});
  ASSERT_EQ(end.output.rfind("notAfter=", 0), 0u) << end.output;
  ASSERT_GE(std::stoi(end.output.substr(end.output.size() - 9, 4)), 2050) << end.output;
  expect_output(check({"--certificate", path("far.pem"), "--key", path("far.key")}), 0,
                "OK: Certificate " + repr("far.pem") + " and key " + repr("far.key") + " are ok");
  const std::string year = end.output.substr(end.output.size() - 9, 4);
  expect_line(check({"--certificate", path("far.pem"), "--certificate-expiration-days", "20000"}),
              2,
              "CRITICAL: Certificate " + repr("far.pem") +
                  " will expire in less than 20000 days (it expires on " + year + "-");
}

TEST_F(Certificate, ChainFileIsCheckedByItsFirstCertificate) {
  // The leaf first, as in every chain file: the leaf's date decides, not the others'.
  const std::string chain = path("chain.pem");
  overwrite_file(
      chain, read_file(path("soon.pem")) + read_file(path("far.pem")) + read_file(path("rsa.pem")));
  expect_line(check({"--certificate", chain}), 2,
              "CRITICAL: Certificate '" + chain + "' will expire in less than 15 days");
  expect_output(check({"--certificate", chain, "--key", path("soon.key"),
                       "--certificate-expiration-days", "1"}),
                0, "OK: Certificate '" + chain + "' and key " + repr("soon.key") + " are ok");
  // A chain file given as the key holds no key.
  expect_output(check({"--certificate", path("rsa.pem"), "--key", chain}), 2,
                "CRITICAL: Problem loading key '" + chain +
                    "', error: no private key in it (it holds 3 certificates)");
}

TEST_F(Certificate, GarbledPemSaysWhatIsWrong) {
  const std::string pem = read_file(path("ec.pem"));
  const std::string problem = "CRITICAL: Problem loading certificate ";
  const auto expect_problem = [&](const std::string& name, const std::string& content,
                                  const std::string& why) {
    overwrite_file(path(name), content);
    expect_output(check({"--certificate", path(name)}), 2,
                  problem + repr(name) + ", error: " + why);
  };
  // One base64 character less: the data no longer ends on a whole quantum.
  std::string short_body = pem;
  short_body.erase(pem.find("-----END") - 2, 1);
  expect_problem("padding.pem", short_body,
                 "its certificate block is not valid base64 (incorrect padding)");
  expect_problem("not_der.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                 "its certificate block is not a DER X.509 certificate");
  std::string flipped = pem;  // a byte of the DER changed: no longer a certificate
  flipped[pem.find('\n') + 1] = flipped[pem.find('\n') + 1] == 'A' ? 'B' : 'A';
  expect_problem("flipped.pem", flipped, "its certificate block is not a DER X.509 certificate");
  expect_problem("unterminated.pem", pem.substr(0, pem.find("-----END")),
                 "a -----BEGIN block without its -----END line");
  expect_problem("empty.pem", "", "no -----BEGIN CERTIFICATE----- block in it");
  expect_problem("binary.pem", std::string("\x00\xff\xfe garbage\n", 12),
                 "no -----BEGIN CERTIFICATE----- block in it");
  expect_problem("key_only.pem", read_file(path("rsa.key")),
                 "no -----BEGIN CERTIFICATE----- block in it (it holds a PRIVATE KEY block)");
  // The key side: a garbled key block, an encrypted key.
  std::string key = read_file(path("ec.key"));
  key.replace(key.find('\n') + 1, 8, "AAAAAAAA");
  overwrite_file(path("garbled.key"), key);
  expect_output(check({"--certificate", path("ec.pem"), "--key", path("garbled.key")}), 2,
                "CRITICAL: Problem loading key " + repr("garbled.key") +
                    ", error: its PRIVATE KEY block is not a valid private key");
  openssl({"pkey", "-in", path("ec.key"), "-out", path("encrypted.key"), "-aes128", "-passout",
           "pass:secret"});
  expect_output(check({"--certificate", path("ec.pem"), "--key", path("encrypted.key")}), 2,
                "CRITICAL: Problem loading key " + repr("encrypted.key") +
                    ", error: the private key is encrypted (a passphrase is never asked for)");
}

TEST_F(Certificate, MissingFilesFailAndUnreadableOnesAreUnknown) {
  expect_output(check({"--certificate", path("missing.pem")}), 2,
                "CRITICAL: Problem loading certificate " + repr("missing.pem") +
                    ", error: cannot read it: No such file or directory");
  expect_output(check({"--certificate", path("ec.pem"), "--key", path("missing.key")}), 2,
                "CRITICAL: Problem loading key " + repr("missing.key") +
                    ", error: cannot read it: No such file or directory");
  expect_output(
      check({"--certificate", dir->path()}), 3,
      "UNKNOWN: Problem loading certificate '" + dir->path() + "', error: it is a directory");
  expect_output(
      check({"--certificate", "/dev/null"}), 3,
      "UNKNOWN: Problem loading certificate '/dev/null', error: it is not a regular file");
  overwrite_file(path("huge.pem"), std::string(1024 * 1024 + 1, 'A'));
  expect_output(check({"--certificate", path("huge.pem")}), 3,
                "UNKNOWN: Problem loading certificate " + repr("huge.pem") +
                    ", error: it is larger than 1 MiB, not a PEM file");
}

TEST_F(Certificate, UnreadableFileIsUnknown) {
  TempDir private_dir;
  const std::string secret = private_dir / "secret.pem";
  overwrite_file(secret, read_file(path("ec.pem")));
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  ASSERT_EQ(::chmod(private_dir.path().c_str(), 0755), 0);
  auto result = run_unprivileged({kCertificate, "--certificate", secret});
  if (unprivileged_run_refused(result)) {
    GTEST_SKIP() << "cannot run the promise as an unprivileged user here: " << result.output;
  }
  expect_output(result, 3,
                "UNKNOWN: Problem loading certificate '" + secret +
                    "', error: cannot read it: Permission denied");
}

class CertificateInstall : public ::testing::TestWithParam<std::string> {};

TEST_P(CertificateInstall, InstalledPromiseRunsLikeSlapgridRunsIt) {
  Partition partition;
  fs::create_directories(partition.dir / "etc/ssl");
  make_pair(partition.dir, "etc/ssl/node", "ec", 30);
  // As the caucase updater macro: certificate and key, 15 days.
  ASSERT_EQ(partition
                .install(kCertificate, "certificate", GetParam(),
                         {"--certificate", "etc/ssl/node.pem", "--key", "etc/ssl/node.key",
                          "--certificate-expiration-days", "15"})
                .exit_code,
            0);
  expect_output(partition.run_like_slapgrid("certificate"), 0,
                "OK: Certificate 'etc/ssl/node.pem' and key 'etc/ssl/node.key' are ok");
  make_pair(partition.dir, "etc/ssl/node", "ec", 3);  // renewed badly
  expect_line(partition.run_like_slapgrid("certificate"), 2,
              "CRITICAL: Certificate 'etc/ssl/node.pem' will expire in less than 15 days");
}

INSTANTIATE_TEST_SUITE_P(Modes, CertificateInstall, ::testing::Values("script", "copy"));

class BadCertificateInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadCertificateInput, IsUnknownWithAOneLineReasonAndInstallsNothing) {
  expect_bad_input_refused(kCertificate, GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Certificate, BadCertificateInput,
    ::testing::Values(BadInput{"NoCertificate", {"--key", "/k"}, "--certificate is required"},
                      BadInput{"EmptyCertificate", {"--certificate", ""}, "--certificate"},
                      BadInput{"EmptyKey", {"--certificate", "/c", "--key", ""}, "--key"},
                      BadInput{"FractionalDays",
                               {"--certificate", "/c", "--certificate-expiration-days", "1.5"},
                               "certificate-expiration-days is wrong: '1.5'"},
                      BadInput{"EmptyDays",
                               {"--certificate", "/c", "--certificate-expiration-days", ""},
                               "certificate-expiration-days"},
                      BadInput{"HugeDays",
                               {"--certificate", "/c", "--certificate-expiration-days",
                                "99999999999999999999"},
                               "certificate-expiration-days is wrong"}),
    bad_input_name);

}  // namespace
}  // namespace promise::test
