using System.Net;
using Keepwire.Adapters.WireGuard;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

public class WireGuardDumpParserTests
{
    private static readonly string PrivateKey = Key(1).Base64;
    private static readonly string PresharedKey = Key(9).Base64;

    private static string Dump(params string[] peerLines) =>
        string.Join('\n', [$"{PrivateKey}\t{Key(2)}\t51820\toff", .. peerLines]) + "\n";

    [Fact]
    public void Reads_interface_and_peers()
    {
        var state = WireGuardDumpParser.Parse(Dump(
            $"{Key(3)}\t(none)\t203.0.113.9:51820\t10.9.0.2/32,fd00::2/128\t1700000000\t1234\t5678\t25",
            $"{Key(4)}\t{PresharedKey}\t[2001:db8::1]:4500\t0.0.0.0/0,::/0\t0\t0\t148\toff",
            $"{Key(5)}\t(none)\t(none)\t(none)\t0\t0\t0\toff"));

        Assert.Equal(Key(2), state.PublicKey);
        Assert.Equal(51820, state.ListenPort);
        Assert.Equal(3, state.Peers.Count);

        var first = state.Peers[0];
        Assert.Equal(Key(3), first.PublicKey);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 51820), first.Endpoint);
        Assert.Equal([IPNetwork.Parse("10.9.0.2/32"), IPNetwork.Parse("fd00::2/128")], first.AllowedIps);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), first.LatestHandshake);
        Assert.Equal(1234, first.ReceivedBytes);
        Assert.Equal(5678, first.TransmittedBytes);
        Assert.Equal(25, first.PersistentKeepalive);

        var second = state.Peers[1];
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500), second.Endpoint);
        Assert.Null(second.LatestHandshake);
        Assert.Equal(0, second.PersistentKeepalive);

        var third = state.Peers[2];
        Assert.Null(third.Endpoint);
        Assert.Empty(third.AllowedIps);
    }

    [Fact]
    public void Keeps_no_trace_of_private_or_preshared_key()
    {
        var state = WireGuardDumpParser.Parse(Dump($"{Key(4)}\t{PresharedKey}\t(none)\t10.9.0.2/32\t0\t0\t0\toff"));

        var everything = state + string.Join(' ', state.Peers);
        Assert.DoesNotContain(PrivateKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(PresharedKey, everything, StringComparison.Ordinal);
        Assert.Contains(Key(4).Base64, everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_without_key_has_no_public_key()
    {
        var state = WireGuardDumpParser.Parse("(none)\t(none)\t59712\toff\n");

        Assert.Null(state.PublicKey);
        Assert.Equal(59712, state.ListenPort);
        Assert.Empty(state.Peers);
    }

    [Fact]
    public void Rejects_truncated_output()
    {
        Assert.Throws<FormatException>(() => WireGuardDumpParser.Parse(""));
        Assert.Throws<FormatException>(() => WireGuardDumpParser.Parse(Dump($"{Key(3)}\t(none)\t(none)")));
    }
}
