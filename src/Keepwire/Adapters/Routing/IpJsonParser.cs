using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Keepwire.Adapters.Routing;

/// <summary>Parses the JSON that <c>ip -j</c> prints. Pure functions, so they are unit tested on captured output.</summary>
internal static class IpJsonParser
{
    /// <summary>Addresses from <c>ip -j addr show dev X</c>.</summary>
    public static IReadOnlyList<InterfaceAddress> ParseAddresses(string json)
    {
        var addresses = new List<InterfaceAddress>();
        foreach (var link in EnumerateArray(json))
        {
            if (!link.TryGetProperty("addr_info", out var infos))
                continue;
            foreach (var info in infos.EnumerateArray())
            {
                if (!info.TryGetProperty("local", out var local) || !IPAddress.TryParse(local.GetString(), out var address))
                    continue;
                var prefix = info.GetProperty("prefixlen").GetInt32();
                int? metric = info.TryGetProperty("metric", out var m) ? m.GetInt32() : null;
                var linkLocal = info.TryGetProperty("scope", out var scope) && scope.GetString() == "link";
                addresses.Add(new InterfaceAddress(address, prefix, metric, linkLocal));
            }
        }
        return addresses;
    }

    /// <summary>Routes from <c>ip -j -4|-6 route show table T</c> (the table is implied, so it is not read).</summary>
    public static IReadOnlyList<RouteEntry> ParseRoutes(string json, AddressFamily family)
    {
        var routes = new List<RouteEntry>();
        foreach (var route in EnumerateArray(json))
        {
            // Typed routes other than unicast (local, broadcast, unreachable, …) are never ones Keepwire writes.
            if (route.TryGetProperty("type", out var type) && type.GetString() != "unicast")
                continue;
            var destination = ParseNetwork(route.GetProperty("dst").GetString(), family);
            if (destination is null)
                continue;
            var device = route.TryGetProperty("dev", out var dev) ? dev.GetString() : null;
            IPAddress? gateway = route.TryGetProperty("gateway", out var gw) && IPAddress.TryParse(gw.GetString(), out var g) ? g : null;
            routes.Add(new RouteEntry(destination.Value, device, gateway));
        }
        return routes;
    }

    /// <summary>The destinations of the <c>local</c> routes in <c>ip -j -4|-6 route show … type local</c>.</summary>
    public static IReadOnlyList<IPNetwork> ParseLocalPrefixes(string json, AddressFamily family)
    {
        var prefixes = new List<IPNetwork>();
        foreach (var route in EnumerateArray(json))
        {
            if (route.TryGetProperty("type", out var type) && type.GetString() == "local"
                && ParseNetwork(route.GetProperty("dst").GetString(), family) is { } prefix)
                prefixes.Add(prefix);
        }
        return prefixes;
    }

    /// <summary>Rules from <c>ip -j -4|-6 rule show</c>.</summary>
    public static IReadOnlyList<PolicyRule> ParseRules(string json, AddressFamily family)
    {
        var rules = new List<PolicyRule>();
        foreach (var rule in EnumerateArray(json))
        {
            if (!rule.TryGetProperty("table", out var table))
                continue; // goto, nop, blackhole…: not a lookup rule
            var priority = rule.TryGetProperty("priority", out var p) ? p.GetInt32() : 0;
            IPNetwork? source = null;
            var src = rule.TryGetProperty("src", out var s) ? s.GetString() : "all";
            if (src != "all")
            {
                var length = rule.TryGetProperty("srclen", out var l) ? l.GetInt32() : FullLength(family);
                source = ParseNetwork($"{src}/{length}", family);
            }
            var otherSelectors = rule.EnumerateObject().Any(property =>
                property.Name is not ("priority" or "src" or "srclen" or "table" or "flags" or "protocol" or "fwmark" or "fwmask"));
            rules.Add(new PolicyRule(priority, source, table.GetString() ?? table.ToString(), family, otherSelectors) { Mark = ParseMark(rule) });
        }
        return rules;
    }

    /// <summary><c>"fwmark":"0x1000000","fwmask":"0xf000000"</c>; ip leaves the mask out when it is all ones.</summary>
    private static FirewallMark? ParseMark(JsonElement rule)
    {
        if (!rule.TryGetProperty("fwmark", out var mark) || ParseHex(mark.GetString()) is not { } value)
            return null;
        var mask = rule.TryGetProperty("fwmask", out var m) ? ParseHex(m.GetString()) : null;
        return new FirewallMark(value, mask ?? FirewallMark.AllBits);
    }

    private static uint? ParseHex(string? text) =>
        text is not null && text.StartsWith("0x", StringComparison.Ordinal)
            && uint.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>Whether <c>ip -j link show dev X</c> reports the link administratively up.</summary>
    public static bool IsLinkUp(string json) =>
        EnumerateArray(json).Any(link => link.TryGetProperty("flags", out var flags)
            && flags.EnumerateArray().Any(flag => flag.GetString() == "UP"));

    private static IPNetwork? ParseNetwork(string? text, AddressFamily family)
    {
        if (text is null)
            return null;
        if (text == "default")
            return new IPNetwork(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        if (!text.Contains('/'))
            text = $"{text}/{FullLength(family)}";
        return IPNetwork.TryParse(text, out var network) ? network : null;
    }

    private static int FullLength(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 128 : 32;

    private static List<JsonElement> EnumerateArray(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return [];
        using var document = JsonDocument.Parse(json);
        // Clone so the elements outlive the document.
        return document.RootElement.ValueKind == JsonValueKind.Array
            ? [.. document.RootElement.EnumerateArray().Select(element => element.Clone())]
            : [];
    }
}
