using System.Net;
using System.Net.Sockets;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads the <c>tunnel: { ipv4, ipv6 }</c> mapping of hubs (with prefix) and sites (host addresses).</summary>
internal static class TunnelFields
{
    private static readonly string[] Keys = ["ipv4", "ipv6"];

    public static HubTunnelDraft? ReadHub(YamlNode node, ConfigErrorSink errors)
    {
        if (MappingReader.Open(node, "hub tunnel", Keys, errors) is not { } map)
            return null;
        if (map.Optional("ipv4") is null && map.Optional("ipv6") is null)
        {
            errors.Report(node, "hub tunnel needs at least one of ipv4, ipv6", "e.g. tunnel: { ipv4: 10.77.0.1/24, ipv6: fd77::1/64 }");
            return null;
        }

        var before = errors.Count;
        var ipv4 = ReadHubFamily(map, "ipv4", AddressFamily.InterNetwork);
        var ipv6 = ReadHubFamily(map, "ipv6", AddressFamily.InterNetworkV6);
        if (errors.Count != before)
            return null;
        return new HubTunnelDraft(ipv4?.Address, ipv4?.Network, ipv6?.Address, ipv6?.Network);
    }

    /// <summary>The site's explicit addresses; either may be null, meaning "allocate one".</summary>
    public static (Located<IPAddress>? IPv4, Located<IPAddress>? IPv6) ReadSite(YamlNode node, ConfigErrorSink errors)
    {
        if (MappingReader.Open(node, "site tunnel", Keys, errors) is not { } map)
            return (null, null);
        return (ReadSiteFamily(map, "ipv4", AddressFamily.InterNetwork), ReadSiteFamily(map, "ipv6", AddressFamily.InterNetworkV6));
    }

    private static (Located<IPAddress> Address, IPNetwork Network)? ReadHubFamily(MappingReader map, string key, AddressFamily family)
    {
        if (map.Optional(key) is not { } node || YamlValues.String(node, key, map.Errors) is not { } text)
            return null;
        if (AddressSyntax.ParseInterfaceAddress(text, out var problem) is not var (address, prefixLength))
        {
            CommonFields.Report(map.Errors, node, problem);
            return null;
        }

        if (WrongFamily(map.Errors, node, key, address, family))
            return null;

        // Sites are allocated from .10 upward; a network smaller than /30 (/126) leaves no room for any site.
        var maxPrefix = Networks.Bits(family) - 2;
        if (prefixLength > maxPrefix || prefixLength < 8)
        {
            map.Errors.Report(node, $"hub tunnel {key} prefix /{prefixLength} is unusable", $"use a prefix from /8 to /{maxPrefix}, e.g. {(family == AddressFamily.InterNetwork ? "/24" : "/64")}");
            return null;
        }

        var network = Networks.Containing(address, prefixLength);
        if (!Networks.IsUsableHost(network, address, out var reason))
        {
            map.Errors.Report(node, $"hub tunnel {key}: {reason}", "give the hub a host address such as the network's first, e.g. .1 or ::1");
            return null;
        }

        return (new Located<IPAddress>(address, node), network);
    }

    private static Located<IPAddress>? ReadSiteFamily(MappingReader map, string key, AddressFamily family)
    {
        if (map.Optional(key) is not { } node || YamlValues.String(node, key, map.Errors) is not { } text)
            return null;
        if (text.Contains('/'))
        {
            map.Errors.Report(node, $"site tunnel {key} '{text}' has a prefix length", $"site tunnel addresses are host addresses; the network comes from the hub: write '{text[..text.IndexOf('/')]}'");
            return null;
        }

        if (AddressSyntax.ParseHostAddress(text, out var problem) is not { } address)
        {
            CommonFields.Report(map.Errors, node, problem);
            return null;
        }

        return WrongFamily(map.Errors, node, key, address, family) ? null : new Located<IPAddress>(address, node);
    }

    private static bool WrongFamily(ConfigErrorSink errors, YamlNode node, string key, IPAddress address, AddressFamily family)
    {
        if (address.AddressFamily == family)
            return false;
        var other = family == AddressFamily.InterNetwork ? "ipv6" : "ipv4";
        errors.Report(node, $"tunnel {key} '{address}' is an {AddressSyntax.FamilyName(address)} address", $"put it under '{other}'");
        return true;
    }
}
