using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Keepwire.Adapters.Conntrackd;

/// <summary>
/// Renders conntrackd.conf for one hub of a pair: FTFW (reliable, acknowledged) sync over UDP unicast
/// between the pair addresses, TCP and UDP flows only, the hub's own flows filtered out. Pure.
/// </summary>
public static class ConntrackdConfigRenderer
{
    /// <summary>Socket buffers large enough that a burst of new flows does not overrun the sync channel.</summary>
    private const int SocketBuffer = 1249280;

    public static string Render(ConntrackdSettings settings, ConntrackdPaths paths)
    {
        EnsureValid(settings);
        var ipv6 = settings.LocalAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var family = ipv6 ? "IPv6" : "IPv4";
        var text = new StringBuilder();
        text.AppendLine("# Written by Keepwire; changes here are overwritten. See docs/configuration.md (hub_pair.conntrackd).");
        text.AppendLine("Sync {");
        // FTFW: every state change is acknowledged and resent if lost, so a takeover finds the flows the
        // active hub had; the external cache keeps them out of the standby's kernel table until then.
        text.AppendLine("\tMode FTFW {");
        text.AppendLine("\t}");
        // Unicast, not conntrackd's default multicast: provider networks between two VPSs rarely carry multicast.
        text.AppendLine("\tUDP {");
        text.AppendLine($"\t\t{family}_address {settings.LocalAddress}");
        text.AppendLine($"\t\t{family}_Destination_Address {settings.PeerAddress}");
        text.AppendLine($"\t\tPort {settings.Port}");
        text.AppendLine($"\t\tInterface {settings.Interface}");
        text.AppendLine($"\t\tSndSocketBuffer {SocketBuffer}");
        text.AppendLine($"\t\tRcvSocketBuffer {SocketBuffer}");
        text.AppendLine("\t\tChecksum on");
        text.AppendLine("\t}");
        text.AppendLine("}");
        RenderGeneral(text, settings, paths);
        return text.ToString();
    }

    private static void RenderGeneral(StringBuilder text, ConntrackdSettings settings, ConntrackdPaths paths)
    {
        text.AppendLine("General {");
        // Keepwire starts conntrackd itself; it is not a systemd service that should notify.
        text.AppendLine("\tSystemd off");
        text.AppendLine("\tHashSize 32768");
        // Twice the default nf_conntrack_max of a small hub: conntrackd keeps dead entries for resending.
        text.AppendLine("\tHashLimit 131072");
        text.AppendLine("\tLogFile off");
        text.AppendLine("\tSyslog on");
        text.AppendLine($"\tLockFile {paths.LockFile}");
        text.AppendLine("\tUNIX {");
        text.AppendLine($"\t\tPath {paths.ControlSocket}");
        text.AppendLine("\t}");
        text.AppendLine("\tNetlinkBufferSize 2097152");
        text.AppendLine("\tNetlinkBufferSizeMaxGrowth 8388608");
        // Userspace filtering: its address test is documented in conntrackd's source as "the real source and
        // destination" (original source, reply source), which is what tells a forwarded DNAT flow apart.
        text.AppendLine("\tFilter From Userspace {");
        text.AppendLine("\t\tProtocol Accept {");
        text.AppendLine("\t\t\tTCP");
        // UDP too: a QUIC or DNS flow keeps its DNAT mapping (and so its site) through a hub failover.
        text.AppendLine("\t\t\tUDP");
        text.AppendLine("\t\t}");
        text.AppendLine("\t\tAddress Ignore {");
        foreach (var address in IgnoredAddresses(settings))
        {
            var key = address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6_address" : "IPv4_address";
            text.AppendLine($"\t\t\t{key} {address}");
        }
        text.AppendLine("\t\t}");
        text.AppendLine("\t}");
        text.AppendLine("}");
    }

    /// <summary>Loopback, the pair addresses and every local address, each once, in a stable order.</summary>
    private static IEnumerable<IPAddress> IgnoredAddresses(ConntrackdSettings settings) =>
        new[] { IPAddress.Loopback, IPAddress.IPv6Loopback, settings.LocalAddress, settings.PeerAddress }
            .Concat(settings.LocalAddresses)
            .Distinct();

    private static void EnsureValid(ConntrackdSettings settings)
    {
        List<string> errors = [];
        if (settings.PeerAddress.AddressFamily != settings.LocalAddress.AddressFamily)
            errors.Add($"local {settings.LocalAddress} and peer {settings.PeerAddress} are of different families");
        if (settings.Port is < 1 or > 65535)
            errors.Add($"port {settings.Port}: must be 1..65535");
        if (settings.Interface.Length is 0 or > 15 || settings.Interface.Any(c => char.IsWhiteSpace(c) || c is '/' or ':'))
            errors.Add($"interface '{settings.Interface}' is not a Linux interface name");
        if (errors.Count > 0)
            throw new ArgumentException("invalid conntrackd settings: " + string.Join("; ", errors), nameof(settings));
    }
}
