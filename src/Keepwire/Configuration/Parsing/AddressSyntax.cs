using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Strict parsing of literal addresses and prefixes. <see cref="IPAddress.TryParse(string, out IPAddress)"/> alone
/// accepts forms like <c>10.1</c> or <c>fe80::1%eth0</c> that are almost always typos in a config.
/// </summary>
internal static class AddressSyntax
{
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains('%') || !IPAddress.TryParse(text, out var parsed) || parsed is null)
            return false;
        if (parsed.AddressFamily == AddressFamily.InterNetwork && !IsDottedQuad(text))
            return false;
        address = parsed;
        return true;
    }

    public static bool LooksLikeIPv4(string text) => text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.');

    public static string FamilyName(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    /// <summary>A host address without prefix, e.g. a VIP or a site's tunnel address.</summary>
    public static IPAddress? ParseHostAddress(string text, out Problem? problem)
    {
        problem = null;
        if (text.Contains('/'))
        {
            problem = new Problem($"'{text}' has a prefix length, but a single address is expected", $"write just '{text[..text.IndexOf('/')]}'");
            return null;
        }

        if (!TryParseAddress(text, out var address))
        {
            problem = new Problem($"'{text}' is not an IP address", "write an IPv4 address like 203.0.113.80 or an IPv6 address like 2001:db8::80");
            return null;
        }

        return address;
    }

    /// <summary>An interface address with its network's prefix length, e.g. <c>10.77.0.1/24</c>.</summary>
    public static (IPAddress Address, int PrefixLength)? ParseInterfaceAddress(string text, out Problem? problem)
    {
        problem = null;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            problem = new Problem($"'{text}' has no prefix length", $"the hub's tunnel address defines the tunnel network: write e.g. '{text}/{(text.Contains(':') ? 64 : 24)}'");
            return null;
        }

        var addressText = text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            problem = new Problem($"'{addressText}' is not an IP address");
            return null;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefixLength) || prefixLength > max)
        {
            problem = new Problem($"'{text}' has an invalid prefix length", $"use a number from 0 to {max}");
            return null;
        }

        return (address, prefixLength);
    }

    /// <summary>A network prefix such as <c>198.51.100.0/24</c>; a bare address counts as a single-host prefix.</summary>
    public static IPNetwork? ParseNetwork(string text, out Problem? problem)
    {
        problem = null;
        if (!text.Contains('/'))
        {
            if (ParseHostAddress(text, out problem) is not { } host)
                return null;
            return new IPNetwork(host, host.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }

        if (ParseInterfaceAddress(text, out problem) is not var (address, prefixLength))
            return null;
        var network = Networks.Containing(address, prefixLength);
        if (!network.BaseAddress.Equals(address))
        {
            problem = new Problem($"prefix '{text}' has host bits set", $"did you mean '{network}'?");
            return null;
        }

        return network;
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }
}
