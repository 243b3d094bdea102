// The data-source address rule on literal addresses: nothing here resolves or connects.
#include "adapters/common/address_rule.h"

#include <gtest/gtest.h>

namespace okrbot {
namespace {

std::string Reason(const std::string& text) {
  IpAddress address;
  EXPECT_TRUE(ParseIpLiteral(text, &address)) << text;
  return RefusedAddressReason(address);
}

TEST(AddressRuleTest, RefusesLoopbackPrivateLinkLocalAndMetadataIpv4) {
  for (const char* text :
       {"127.0.0.1",       "127.255.255.254", "0.0.0.0",         "0.1.2.3",      "10.0.0.1",
        "10.255.255.255",  "172.16.0.1",      "172.31.255.255",  "192.168.1.1",  "100.64.0.1",
        "100.127.255.255", "169.254.0.1",     "169.254.169.254", "224.0.0.1",    "239.255.255.250",
        "240.0.0.1",       "255.255.255.255", "192.0.2.10",      "198.51.100.7", "203.0.113.9",
        "198.18.0.1",      "192.0.0.170"}) {
    EXPECT_NE(Reason(text), "") << text << " must be refused";
  }
  EXPECT_EQ(Reason("169.254.169.254"), "the cloud metadata address");
  EXPECT_EQ(Reason("127.0.0.1"), "a loopback address");
  EXPECT_EQ(Reason("10.0.0.1"), "a private address");
}

TEST(AddressRuleTest, AllowsPublicIpv4RightNextToTheRefusedRanges) {
  for (const char* text : {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255",
                           "100.128.0.1", "11.0.0.1", "126.255.255.255", "128.0.0.1",
                           "169.253.255.255", "192.167.255.255", "223.255.255.255"}) {
    EXPECT_EQ(Reason(text), "") << text << " is public";
  }
}

TEST(AddressRuleTest, RefusesIpv6LoopbackUnspecifiedUniqueLocalLinkLocalAndMulticast) {
  for (const char* text :
       {"::1", "[::1]", "::", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
        "2001:db8::1", "100::1", "2001:0:4136:e378::1", "::10.0.0.1", "fd00:ec2::254"}) {
    EXPECT_NE(Reason(text), "") << text << " must be refused";
  }
  EXPECT_EQ(Reason("::1"), "a loopback address");
}

TEST(AddressRuleTest, JudgesIpv6FormsCarryingIpv4ByTheirIpv4Address) {
  EXPECT_EQ(Reason("::ffff:127.0.0.1"), "a loopback address (IPv4-mapped)");
  EXPECT_EQ(Reason("::ffff:169.254.169.254"), "the cloud metadata address (IPv4-mapped)");
  EXPECT_EQ(Reason("::ffff:7f00:1"), "a loopback address (IPv4-mapped)");
  EXPECT_EQ(Reason("64:ff9b::10.0.0.1"), "a private address (NAT64)");
  EXPECT_EQ(Reason("2002:c0a8:0101::1"), "a private address (6to4)");  // 192.168.1.1
  EXPECT_EQ(Reason("::ffff:8.8.8.8"), "");
  EXPECT_EQ(Reason("64:ff9b::8.8.8.8"), "");
  EXPECT_EQ(Reason("2002:0808:0808::1"), "");
}

TEST(AddressRuleTest, AllowsPublicIpv6) {
  for (const char* text : {"2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450::1"}) {
    EXPECT_EQ(Reason(text), "") << text;
  }
}

TEST(AddressRuleTest, ParsesOnlyLiteralAddresses) {
  IpAddress address;
  for (const char* text : {"", "localhost", "example.com", "127.1", "0x7f000001", "2130706433",
                           "1.2.3.4.5", "::1%eth0", "[::1", "256.0.0.1", " 127.0.0.1"}) {
    EXPECT_FALSE(ParseIpLiteral(text, &address)) << text;
  }
  ASSERT_TRUE(ParseIpLiteral("[::ffff:127.0.0.1]", &address));
  EXPECT_TRUE(address.v6);
  EXPECT_EQ(address.ToString(), "::ffff:127.0.0.1");
}

TEST(SourceAllowListTest, NamesHostsAddressesAndRanges) {
  auto list = SourceAllowList::Parse(" prometheus.internal, 127.0.0.1 ,10.1.0.0/16,fd00::/8,");
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_TRUE(list->AllowsHost("Prometheus.Internal"));
  EXPECT_FALSE(list->AllowsHost("prometheus.internal.evil.com"));
  EXPECT_FALSE(list->AllowsHost("internal"));
  EXPECT_TRUE(list->AllowsHost("127.0.0.1"));
  EXPECT_FALSE(list->AllowsHost("127.0.0.2"));
  IpAddress address;
  ASSERT_TRUE(ParseIpLiteral("10.1.200.3", &address));
  EXPECT_TRUE(list->AllowsAddress(address));
  ASSERT_TRUE(ParseIpLiteral("10.2.0.1", &address));
  EXPECT_FALSE(list->AllowsAddress(address));
  ASSERT_TRUE(ParseIpLiteral("fd12::1", &address));
  EXPECT_TRUE(list->AllowsAddress(address));
  ASSERT_TRUE(ParseIpLiteral("::1", &address));
  EXPECT_FALSE(list->AllowsAddress(address)) << "allowing 127.0.0.1 does not allow ::1";
  ASSERT_TRUE(ParseIpLiteral("::ffff:127.0.0.1", &address));
  EXPECT_FALSE(list->AllowsAddress(address)) << "nor its IPv4-mapped form";
}

TEST(SourceAllowListTest, AnEmptyListAllowsNothing) {
  auto list = SourceAllowList::Parse("");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  EXPECT_FALSE(list->AllowsHost("127.0.0.1"));
}

TEST(SourceAllowListTest, RefusesMalformedEntriesNamingThem) {
  for (const char* text : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129", "bad host",
                           "http://example.com", "a/8"}) {
    auto list = SourceAllowList::Parse(text);
    ASSERT_FALSE(list.ok()) << text;
    EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(list.status().message().find("OKRBOT_SOURCES_ALLOW"), std::string::npos);
  }
}

}  // namespace
}  // namespace okrbot
