using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads one entry of <c>sites:</c>.</summary>
internal static class SiteReader
{
    public const int DefaultPriority = 100;
    public const int DefaultPersistentKeepalive = 25;

    public static readonly string[] Keys =
        ["name", "public_key", "priority", "mode", "tunnel", "interface", "interfaces", "private_key_file", "persistent_keepalive", "local_checks"];

    public static SiteDraft? Read(YamlNode node, ConfigErrorSink errors, string baseDirectory)
    {
        if (MappingReader.Open(node, "site", Keys, errors) is not { } map)
            return null;

        var site = new SiteDraft(node) { Name = CommonFields.Name(map) };
        site.PublicKey = CommonFields.PublicKey(map);
        site.Priority = map.OptionalInteger("priority", DefaultPriority, 1, 1000);
        site.Mode = ReadMode(map);
        if (map.Optional("tunnel") is { } tunnelNode)
            (site.ExplicitIPv4, site.ExplicitIPv6) = TunnelFields.ReadSite(tunnelNode, errors);
        if (map.Optional("interface") is { } interfaceNode)
        {
            site.ExplicitInterface = CommonFields.Interface(map, "interface", null) is { } name ? new Located<string>(name, interfaceNode) : null;
            site.InterfaceInvalid = site.ExplicitInterface is null;
        }
        site.InterfacesNode = map.Optional("interfaces");
        site.PrivateKeyFile = CommonFields.PrivateKeyFile(map, site.Name, baseDirectory);
        site.PersistentKeepalive = map.OptionalInteger("persistent_keepalive", DefaultPersistentKeepalive, 1, 65535);
        if (map.Optional("local_checks") is { } checksNode)
            site.LocalChecks = LocalCheckReader.ReadAll(checksNode, errors);
        return site;
    }

    private static SiteMode? ReadMode(MappingReader map)
    {
        if (map.Optional("mode") is not { } node)
            return SiteMode.Agent;
        if (YamlValues.String(node, "mode", map.Errors) is not { } text)
            return null;
        switch (text)
        {
            case "agent":
                return SiteMode.Agent;
            case "snat":
                return SiteMode.Snat;
            default:
                map.Errors.Report(node, $"unknown mode '{text}'", "use 'agent' (the site runs keepwire, client addresses are preserved) or 'snat' (plain WireGuard, the hub masquerades)");
                return null;
        }
    }
}
