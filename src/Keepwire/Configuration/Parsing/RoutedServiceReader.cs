using System.Net;
using System.Net.Sockets;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Reads the keys of a <c>mode: routed</c> service: <c>addresses</c> (IPv4 /32s, IPv6 /128s or prefixes) and
/// <c>allow</c> (ports, or <c>all</c>). Checks against the rest of the file live in <see cref="RoutedServiceRules"/>.
/// </summary>
internal static class RoutedServiceReader
{
    public static readonly string[] Keys = ["addresses", "allow"];

    /// <summary>The shortest IPv6 prefix a service may route: a provider's whole allocation is not one service.</summary>
    public const int ShortestIPv6Prefix = 32;

    private const string AddressesHint = "list the routed public addresses, e.g. addresses: [198.51.100.90, \"2001:db8:90::/64\"]";
    private const string AllowHint = "write allow: all, or the ports the hub lets through, e.g. allow: [tcp/25, tcp/443, udp/443]";

    public static void Read(MappingReader map, ServiceDraft service)
    {
        var errors = map.Errors;
        foreach (var (key, hint) in new[] { ("vips", AddressesHint), ("ports", AllowHint) })
        {
            if (map.KeyNode(key) is { } node)
                errors.Report(node, $"'{key}' does not apply to routed {service.DisplayName}: nothing is NATed", hint);
        }

        if (map.KeyNode(BackendReader.Key) is { } backends)
        {
            errors.Report(backends, $"'{BackendReader.Key}' does not apply to routed {service.DisplayName}: the serving site holds the routed addresses itself",
                "use a DNAT service (the default mode) to forward to a server behind a router site");
        }

        foreach (var item in ServiceReader.RequiredList(map, "addresses", AddressesHint))
            ReadAddress(item, service, errors);

        var beforePorts = errors.Count;
        if (map.Required("allow", AllowHint) is { } allow)
            ReadAllow(allow, service, errors);
        service.PortsValid = errors.Count == beforePorts;
    }

    /// <summary>A DNAT service (the default mode) has no use for the routed keys.</summary>
    public static void RejectKeys(MappingReader map, ServiceDraft service)
    {
        foreach (var key in Keys)
        {
            if (map.KeyNode(key) is { } node)
            {
                map.Errors.Report(node, $"'{key}' applies only to routed services, and {service.DisplayName} is a DNAT service",
                    "add 'mode: routed' to route the addresses to the site, or use 'vips:' and 'ports:' to forward ports");
            }
        }
    }

    private static void ReadAllow(YamlNode node, ServiceDraft service, ConfigErrorSink errors)
    {
        if (node is YamlScalarNode { Value: "all" })
        {
            service.AllowsAllPorts = true;
            return;
        }

        if (YamlValues.Sequence(node, "allow", errors, AllowHint) is not { } items)
            return;
        if (items.Count == 0)
            errors.Report(node, "'allow' is empty: nothing would reach the service", AllowHint);
        foreach (var item in items)
        {
            if (ServiceReader.PortRuleAt(item, errors) is not { } rule)
                continue;
            if (rule.BackendPort is not null)
            {
                errors.Report(item, $"'{rule}' in allow of routed {service.DisplayName} maps a port, but a routed service is not NATed: the site sees the port the client used",
                    $"write {rule.Protocol.ToString().ToLowerInvariant()}/{rule.First} and let the site's server listen on it");
                continue;
            }
            service.Ports.Add(new Located<PortRule>(rule, item));
        }
    }

    private static void ReadAddress(YamlNode item, ServiceDraft service, ConfigErrorSink errors)
    {
        if (YamlValues.String(item, "address", errors) is not { } text)
            return;
        if (AddressSyntax.ParseNetwork(text, out var problem) is not { } prefix)
        {
            CommonFields.Report(errors, item, problem);
            return;
        }

        if (!ServiceReader.IsPublicUnicast(prefix.BaseAddress))
        {
            errors.Report(item, $"{prefix} cannot be a public service address", "use unicast addresses that clients can reach");
            return;
        }

        if (prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork && prefix.PrefixLength != 32)
        {
            errors.Report(item, $"routed IPv4 address {prefix} of {service.DisplayName} is a network; IPv4 is routed one address (/32) at a time",
                "list each address on its own, e.g. 198.51.100.90");
            return;
        }

        if (prefix.PrefixLength < ShortestIPv6Prefix)
        {
            errors.Report(item, $"routed prefix {prefix} of {service.DisplayName} is shorter than /{ShortestIPv6Prefix}",
                "route the prefix the service needs, e.g. a /64 or /56");
            return;
        }

        if (service.RoutedPrefixes.FirstOrDefault(p => Overlap(p.Value, prefix)) is { } earlier)
        {
            errors.Report(item, $"{prefix} overlaps {earlier.Value} of {service.DisplayName}", $"remove one (the other is at line {earlier.Node.Start.Line})");
            return;
        }

        service.RoutedPrefixes.Add(new Located<IPNetwork>(prefix, item));
    }

    public static bool Overlap(IPNetwork left, IPNetwork right) => left.Contains(right.BaseAddress) || right.Contains(left.BaseAddress);
}
