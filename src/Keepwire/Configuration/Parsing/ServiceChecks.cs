using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads a service's <c>checks:</c> list, or derives the default check from its ports when the key is absent.</summary>
internal static class ServiceChecks
{
    private const string ListHint = "write checks: followed by '- type: http' entries, or checks: [] for no probes";

    /// <summary>The service's checks; null after reporting errors.</summary>
    public static IReadOnlyList<CheckDefinition>? Read(MappingReader map, ServiceDraft service)
    {
        if (map.Optional("checks") is not { } node)
        {
            if (service.IsRouted && service.AllowsAllPorts)
            {
                map.Errors.Report(map.Node, $"routed {service.DisplayName} allows all ports, so there is no port to derive a default check from",
                    "add checks: with the port the hub should probe at each site, e.g. checks: [{ type: tcp, port: 443 }]");
                return null;
            }
            return Defaults(service);
        }
        if (YamlValues.Sequence(node, "checks", map.Errors, ListHint) is not { } items)
            return null;

        var before = map.Errors.Count;
        var checks = new List<CheckDefinition>();
        var namePositions = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (CheckReader.Read(item, service, map.Errors) is not var (check, namePosition))
                continue;
            if (namePositions.TryGetValue(check.Name, out var first))
            {
                map.Errors.Report(namePosition, $"check name '{check.Name}' is used twice in {service.DisplayName} (first at line {first.Start.Line})",
                    "a check without 'name:' is named after its type; give each check of a service a distinct name");
                continue;
            }

            namePositions[check.Name] = namePosition;
            checks.Add(check);
        }

        return map.Errors.Count == before ? checks : null;
    }

    /// <summary>
    /// Without <c>checks:</c>, a TCP connect to the backend port of the first TCP port; a UDP-only service gets
    /// a UDP probe of its first UDP port that accepts any reply (documented: servers that ignore unknown
    /// payloads need an explicit check).
    /// </summary>
    private static IReadOnlyList<CheckDefinition> Defaults(ServiceDraft service)
    {
        var ports = service.Ports.Select(p => p.Value).ToList();
        if (ports.FirstOrDefault(p => p.Protocol == TransportProtocol.Tcp) is { } tcp)
            return [new CheckDefinition("tcp", CheckKind.Tcp) { Port = tcp.TargetPort }];
        if (ports.FirstOrDefault(p => p.Protocol == TransportProtocol.Udp) is { } udp)
            return [new CheckDefinition("udp", CheckKind.Udp) { Port = udp.TargetPort }];

        // No valid port at all: the service is already in error.
        return [];
    }
}
