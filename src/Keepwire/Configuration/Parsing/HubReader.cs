using System.Net;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads one entry of <c>hubs:</c>.</summary>
internal static class HubReader
{
    public static readonly string[] Keys =
        ["name", "endpoint", "listen_port", "interface", "public_interface", "public_key", "private_key_file", "tunnel", "allow_forward_from",
            "pair_address", "vrrp_priority"];

    public static HubDraft? Read(YamlNode node, ConfigErrorSink errors, string baseDirectory)
    {
        if (MappingReader.Open(node, "hub", Keys, errors) is not { } map)
            return null;

        var hub = new HubDraft(node) { Name = CommonFields.Name(map) };
        hub.Endpoint = ReadEndpoint(map);
        hub.EndpointNode = map.Optional("endpoint");
        hub.ListenPort = map.Optional("listen_port") is { } portNode
            ? YamlValues.Integer(portNode, "listen_port", 1, 65535, errors)
            : hub.Endpoint?.Port;
        // The hub's own sockets: WireGuard would take the site-report port and the reports would never arrive.
        if (hub.ListenPort == Reports.SiteReport.Port)
        {
            errors.Report(map.Optional("listen_port") ?? map.Optional("endpoint") ?? node,
                $"WireGuard listen port {hub.ListenPort} is the port sites send their reports to", "pick another UDP port, e.g. 51820");
        }
        hub.Interface = CommonFields.Interface(map, "interface", CommonFields.DefaultInterface);
        hub.PublicInterface = CommonFields.Interface(map, "public_interface", null);
        hub.PublicInterfaceAbsent = map.Optional("public_interface") is null;
        hub.PublicKey = CommonFields.PublicKey(map);
        hub.PrivateKeyFile = CommonFields.PrivateKeyFile(map, hub.Name, baseDirectory);
        if (map.Required("tunnel", "add e.g. tunnel: { ipv4: 10.77.0.1/24, ipv6: fd77::1/64 }") is { } tunnelNode)
        {
            hub.TunnelNode = tunnelNode;
            hub.Tunnel = TunnelFields.ReadHub(tunnelNode, errors);
        }
        ReadAllowForwardFrom(map, hub);
        hub.ExplicitPairAddress = ReadPairAddress(map);
        if (map.Optional("vrrp_priority") is { } priorityNode && YamlValues.Integer(priorityNode, "vrrp_priority", 1, 254, errors) is { } priority)
            hub.ExplicitVrrpPriority = new Located<int>(priority, priorityNode);
        return hub;
    }

    private static HostEndpoint? ReadEndpoint(MappingReader map)
    {
        if (map.Required("endpoint", "add the host:port sites dial, e.g. endpoint: hub.example.net:51820") is not { } node)
            return null;
        if (YamlValues.String(node, "endpoint", map.Errors) is not { } text)
            return null;
        var endpoint = EndpointSyntax.Parse(text, out var problem);
        CommonFields.Report(map.Errors, node, problem);
        return endpoint;
    }

    private static Located<IPAddress>? ReadPairAddress(MappingReader map)
    {
        if (map.Optional("pair_address") is not { } node || YamlValues.String(node, "pair_address", map.Errors) is not { } text)
            return null;
        var address = AddressSyntax.ParseHostAddress(text, out var problem);
        CommonFields.Report(map.Errors, node, problem);
        return address is null ? null : new Located<IPAddress>(address, node);
    }

    private static void ReadAllowForwardFrom(MappingReader map, HubDraft hub)
    {
        if (map.Optional("allow_forward_from") is not { } node)
            return;
        if (YamlValues.Sequence(node, "allow_forward_from", map.Errors, "write a list of prefixes, e.g. [198.51.100.0/24]") is not { } items)
            return;
        foreach (var item in items)
        {
            if (YamlValues.String(item, "allow_forward_from entry", map.Errors) is not { } text)
                continue;
            if (AddressSyntax.ParseNetwork(text, out var problem) is { } network)
                hub.AllowForwardFrom.Add(network);
            else
                CommonFields.Report(map.Errors, item, problem);
        }
    }
}
