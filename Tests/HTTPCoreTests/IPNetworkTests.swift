import HTTPCore
import Testing

struct IPNetworkTests {
    @Test func singleAddressesMatchOnlyThemselves() throws {
        let v4 = try #require(IPNetwork("192.0.2.7"))
        #expect(v4.contains("192.0.2.7"))
        #expect(!v4.contains("192.0.2.8"))
        #expect(v4.description == "192.0.2.7")
        let v6 = try #require(IPNetwork("2001:DB8::1"))
        #expect(v6.contains("2001:db8:0:0:0:0:0:1"))
        #expect(!v6.contains("2001:db8::2"))
        #expect(v6.description == "2001:db8::1")
    }

    @Test func cidrBlocksMatchTheirRangeAndDropHostBits() throws {
        let private10 = try #require(IPNetwork("10.1.2.3/8"))
        #expect(private10.description == "10.0.0.0/8")
        #expect(private10.contains("10.255.255.255"))
        #expect(!private10.contains("11.0.0.1"))
        let odd = try #require(IPNetwork("172.16.0.0/12"))
        #expect(odd.contains("172.31.255.1"))
        #expect(!odd.contains("172.32.0.1"))
        let ula = try #require(IPNetwork("fd00::/8"))
        #expect(ula.contains("fd12:3456::1"))
        #expect(!ula.contains("fe80::1"))
        let everything = try #require(IPNetwork("0.0.0.0/0"))
        #expect(everything.contains("203.0.113.9"))
        #expect(!everything.contains("2001:db8::1"))  // an IPv4 rule covers no native IPv6 address
    }

    @Test func ipv4RulesMatchIPv4MappedPeersOfADualStackListener() throws {
        let loopback = try #require(IPNetwork("127.0.0.0/8"))
        #expect(loopback.contains("::ffff:127.0.0.1"))
        let mapped = try #require(IPNetwork("::ffff:10.0.0.0/104"))
        #expect(mapped.contains("10.9.9.9"))
    }

    @Test func malformedTextIsRefused() {
        for text in ["", "10.0.0", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8",
                     "host.example", "1.2.3.4:80", "fe80::1%eth0", "[::1]", "10.0.0.0/ 8", "１.2.3.4"] {
            #expect(IPNetwork(text) == nil, "\(text)")
        }
    }
}
