using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads one entry of <c>hubs:</c>.</summary>
internal static class HubReader
{
    public static readonly string[] Keys =
        ["name", "endpoint", "listen_port", "interface", "public_interface", "public_key", "private_key_file", "tunnel", "allow_forward_from"];

    public static HubDraft? Read(YamlNode node, ConfigErrorSink errors, string baseDirectory)
    {
        if (MappingReader.Open(node, "hub", Keys, errors) is not { } map)
            return null;

        var hub = new HubDraft(node) { Name = CommonFields.Name(map) };
        hub.Endpoint = ReadEndpoint(map);
        hub.ListenPort = map.Optional("listen_port") is { } portNode
            ? YamlValues.Integer(portNode, "listen_port", 1, 65535, errors)
            : hub.Endpoint?.Port;
        hub.Interface = CommonFields.Interface(map, "interface", CommonFields.DefaultInterface);
        hub.PublicInterface = CommonFields.Interface(map, "public_interface", null);
        hub.PublicKey = CommonFields.PublicKey(map);
        hub.PrivateKeyFile = CommonFields.PrivateKeyFile(map, hub.Name, baseDirectory);
        if (map.Required("tunnel", "add e.g. tunnel: { ipv4: 10.77.0.1/24, ipv6: fd77::1/64 }") is { } tunnelNode)
            hub.Tunnel = TunnelFields.ReadHub(tunnelNode, errors);
        ReadAllowForwardFrom(map, hub);
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
