// promise_tls's PEM reading: blocks, base64 as Python's b64decode reads it, and answers (never
// exceptions) for text that is not a certificate or a key.
#include <gtest/gtest.h>

#include "promise/certificate.hpp"

namespace promise {
namespace {

bool decodes(std::string_view body, std::string expected) {
  std::string bytes;
  return decode_base64(body, bytes) && bytes == expected;
}

TEST(Base64, DecodesAsPythonB64decode) {
  EXPECT_TRUE(decodes("", ""));
  EXPECT_TRUE(decodes("YWJj", "abc"));
  EXPECT_TRUE(decodes("YWI=", "ab"));
  EXPECT_TRUE(decodes("YQ==", "a"));
  EXPECT_TRUE(decodes("Y W\nJ\r\nj!", "abc"));  // outside the alphabet: skipped
  EXPECT_TRUE(decodes("YWI=garbage", "ab"));    // padding ends the data
  EXPECT_TRUE(decodes("=YWJj", "abc"));         // padding too early is skipped
  std::string bytes;
  EXPECT_FALSE(decode_base64("YWJ", bytes));  // not a whole quantum: incorrect padding
  EXPECT_FALSE(decode_base64("Y", bytes));
  EXPECT_FALSE(decode_base64("YQ=", bytes));
}

TEST(PemBlocks, FindsEachBlockWithItsLabel) {
  const auto pem = find_pem_blocks(
      "junk\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
      "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n"
      "-----BEGIN CERTIFICATE-----\nCCCC\n-----END CERTIFICATE-----\n");
  ASSERT_EQ(pem.blocks.size(), 3u);
  EXPECT_EQ(pem.blocks[0].label, "PRIVATE KEY");
  EXPECT_EQ(pem.blocks[1].body, "\nBBBB\n");
  EXPECT_EQ(pem.count("CERTIFICATE"), 2u);
  EXPECT_FALSE(pem.unterminated);
  EXPECT_TRUE(find_pem_blocks("-----BEGIN CERTIFICATE-----\nAAAA\n-----END X-----").unterminated);
  EXPECT_TRUE(find_pem_blocks("-----BEGIN \n-----BEGIN").blocks.empty());
}

TEST(CertificatePem, NotACertificateIsAnAnswer) {
  EXPECT_EQ(read_certificate_pem("").error, "no -----BEGIN CERTIFICATE----- block in it");
  EXPECT_EQ(
      read_certificate_pem("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----").error,
      "its certificate block is not a DER X.509 certificate");
  const auto key =
      check_key_pem("", "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----");
  EXPECT_EQ(key.result, KeyCheck::Result::error);
  EXPECT_EQ(key.error, "the certificate: no -----BEGIN CERTIFICATE----- block in it");
}

}  // namespace
}  // namespace promise
