import HTTPCore
import Testing

struct ForwardedClientTests {
    static func client(_ proxies: String...) -> ForwardedClient {
        ForwardedClient(trustedProxies: proxies.map { IPNetwork($0)! })
    }

    @Test func headersFromAnUntrustedPeerAreIgnored() {
        let headers: HTTPHeaders = ["X-Forwarded-For": "1.1.1.1", "Forwarded": "for=2.2.2.2"]
        #expect(Self.client("10.0.0.0/8").clientAddress(peer: "203.0.113.5", headers: headers) == "203.0.113.5")
        // No proxies configured: nobody is trusted, not even loopback.
        #expect(Self.client().clientAddress(peer: "127.0.0.1", headers: headers) == "127.0.0.1")
    }

    @Test func aTrustedPeerWithoutHeadersIsTheClient() {
        #expect(Self.client("127.0.0.1").clientAddress(peer: "127.0.0.1", headers: [:]) == "127.0.0.1")
    }

    @Test func theRightmostUntrustedHopWinsSoASpoofedPrefixIsIgnored() {
        let proxies = Self.client("10.0.0.0/8")
        // The client sent "X-Forwarded-For: 6.6.6.6"; nginx (10.0.0.2) appended the real peer.
        let headers: HTTPHeaders = ["X-Forwarded-For": "6.6.6.6, 198.51.100.20"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: headers) == "198.51.100.20")
    }

    @Test func chainsOfTrustedProxiesAreSkipped() {
        let proxies = Self.client("10.0.0.0/8", "192.168.0.0/16")
        let chain: HTTPHeaders = ["X-Forwarded-For": "6.6.6.6, 198.51.100.20, 192.168.1.1,10.3.3.3"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: chain) == "198.51.100.20")
        // Several header lines form one list, in order.
        let lines = HTTPHeaders([("X-Forwarded-For", "198.51.100.20"), ("X-Forwarded-For", "192.168.1.1")])
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: lines) == "198.51.100.20")
        // Every hop trusted (a proxy's own probe): the furthest one is the answer.
        let allTrusted: HTTPHeaders = ["X-Forwarded-For": "10.9.9.9, 192.168.1.1"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: allTrusted) == "10.9.9.9")
    }

    @Test func aHopThatIsNotAnAddressStopsTheWalkAtTheLastTrustedOne() {
        let proxies = Self.client("10.0.0.0/8")
        let garbage: HTTPHeaders = ["X-Forwarded-For": "1.2.3.4, evil\"text, 10.0.0.9"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: garbage) == "10.0.0.9")
        let empty: HTTPHeaders = ["X-Forwarded-For": "1.2.3.4,"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: empty) == "10.0.0.2")
    }

    @Test func ipv6PeersHopsAndPortsAreNormalised() {
        let proxies = Self.client("::1", "fd00::/8")
        let headers: HTTPHeaders = ["X-Forwarded-For": "2001:DB8:0::17, fd00::5"]
        #expect(proxies.clientAddress(peer: "::1", headers: headers) == "2001:db8::17")
        let ported: HTTPHeaders = ["X-Forwarded-For": "[2001:db8::17]:4711"]
        #expect(proxies.clientAddress(peer: "::1", headers: ported) == "2001:db8::17")
        let v4ported: HTTPHeaders = ["X-Forwarded-For": "198.51.100.20:61000"]
        #expect(proxies.clientAddress(peer: "fd00::1", headers: v4ported) == "198.51.100.20")
        let mapped: HTTPHeaders = ["X-Forwarded-For": "::ffff:198.51.100.20"]
        #expect(proxies.clientAddress(peer: "fd00::1", headers: mapped) == "198.51.100.20")
    }

    @Test func rfc7239ForwardedIsReadWhenThereIsNoXForwardedFor() {
        let proxies = Self.client("10.0.0.0/8")
        let headers: HTTPHeaders = [
            "Forwarded": #"for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https;by=10.0.0.1, For=10.1.1.1"#,
        ]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: headers) == "2001:db8:cafe::17")
        let obfuscated: HTTPHeaders = ["Forwarded": "for=_hidden, for=10.1.1.1"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: obfuscated) == "10.1.1.1")
        // An element without for= is an unknown hop, not one to skip over.
        let noFor: HTTPHeaders = ["Forwarded": "for=6.6.6.6, proto=https"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: noFor) == "10.0.0.2")
        // Quoted commas and semicolons stay inside their value.
        let quoted: HTTPHeaders = ["Forwarded": #"for=198.51.100.20;host="a,b;c", for=10.1.1.1"#]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: quoted) == "198.51.100.20")
    }

    @Test func xForwardedForTakesPrecedenceOverForwarded() {
        let proxies = Self.client("10.0.0.0/8")
        let both: HTTPHeaders = ["Forwarded": "for=6.6.6.6", "X-Forwarded-For": "198.51.100.20"]
        #expect(proxies.clientAddress(peer: "10.0.0.2", headers: both) == "198.51.100.20")
    }

    @Test func aDualStackListenerSeesIPv4ProxiesAsMapped() {
        let proxies = Self.client("127.0.0.1")
        let headers: HTTPHeaders = ["X-Forwarded-For": "198.51.100.20"]
        #expect(proxies.clientAddress(peer: "::ffff:127.0.0.1", headers: headers) == "198.51.100.20")
    }
}
