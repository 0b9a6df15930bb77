using System.Globalization;
using System.Net;
using Keepwire.Model;

namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// Parses <c>wg show NAME dump</c>: one tab-separated line for the interface
/// (private key, public key, listen port, fwmark), then one per peer (public key, preshared key,
/// endpoint, allowed IPs, latest handshake, rx bytes, tx bytes, persistent keepalive).
/// The private and preshared keys are skipped by index and never copied anywhere.
/// </summary>
internal static class WireGuardDumpParser
{
    private const string None = "(none)";

    public static WireGuardDeviceState Parse(string dump)
    {
        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
            throw new FormatException("wg show dump printed nothing");

        var device = lines[0].Split('\t');
        if (device.Length < 4)
            throw new FormatException($"wg show dump: interface line has {device.Length} fields, expected 4");
        // device[0] is the private key: not touched.
        var publicKey = ParseOptionalKey(device[1]);
        var listenPort = int.Parse(device[2], CultureInfo.InvariantCulture);

        var peers = new List<WireGuardPeerState>(lines.Length - 1);
        foreach (var line in lines.Skip(1))
            peers.Add(ParsePeer(line.Split('\t')));
        return new WireGuardDeviceState(publicKey, listenPort, peers);
    }

    private static WireGuardPeerState ParsePeer(string[] fields)
    {
        if (fields.Length < 8)
            throw new FormatException($"wg show dump: peer line has {fields.Length} fields, expected 8");
        // fields[1] is the preshared key: not touched.
        var endpoint = fields[2] == None ? null : IPEndPoint.Parse(fields[2]);
        IReadOnlyList<IPNetwork> allowedIps = fields[3] == None
            ? []
            : [.. fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IPNetwork.Parse)];
        var handshakeSeconds = long.Parse(fields[4], CultureInfo.InvariantCulture);
        DateTimeOffset? handshake = handshakeSeconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(handshakeSeconds);
        var keepalive = fields[7] == "off" ? 0 : int.Parse(fields[7], CultureInfo.InvariantCulture);
        return new WireGuardPeerState(
            WireGuardKey.Parse(fields[0]),
            endpoint,
            allowedIps,
            handshake,
            long.Parse(fields[5], CultureInfo.InvariantCulture),
            long.Parse(fields[6], CultureInfo.InvariantCulture),
            keepalive);
    }

    private static WireGuardKey? ParseOptionalKey(string text) => text == None ? null : WireGuardKey.Parse(text);
}
