using System.Net;
using System.Net.Sockets;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>A site as read from the file; see <see cref="HubDraft"/> for the meaning of null fields.</summary>
internal sealed class SiteDraft(YamlNode node)
{
    public YamlNode Node { get; } = node;

    public Located<string>? Name { get; set; }

    public Located<WireGuardKey>? PublicKey { get; set; }

    public int? Priority { get; set; }

    public SiteMode? Mode { get; set; }

    /// <summary>Addresses written in the file; null means "allocate one".</summary>
    public Located<IPAddress>? ExplicitIPv4 { get; set; }

    public Located<IPAddress>? ExplicitIPv6 { get; set; }

    /// <summary>The addresses the site ends up with, explicit or allocated; set by <see cref="TunnelAddressPlanner"/>.</summary>
    public IPAddress? AssignedIPv4 { get; set; }

    public IPAddress? AssignedIPv6 { get; set; }

    /// <summary>The <c>interface</c> key as written; null when absent.</summary>
    public Located<string>? ExplicitInterface { get; set; }

    /// <summary>True when <c>interface</c> was present but invalid (already reported).</summary>
    public bool InterfaceInvalid { get; set; }

    /// <summary>The <c>interfaces</c> mapping, read once the hubs' names are known (<see cref="SiteInterfaces"/>).</summary>
    public YamlNode? InterfacesNode { get; set; }

    /// <summary>The site's interface per hub, in hub order; set by <see cref="SiteInterfaces"/>.</summary>
    public List<KeyValuePair<string, string>>? Interfaces { get; set; }

    public string? PrivateKeyFile { get; set; }

    public int? PersistentKeepalive { get; set; }

    /// <summary>Null after an error in <c>local_checks</c> was reported.</summary>
    public IReadOnlyList<LocalCheck>? LocalChecks { get; set; } = [];

    public string DisplayName => Name is null ? "site" : $"site '{Name.Value}'";

    public Located<IPAddress>? ExplicitAddress(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? ExplicitIPv4 : ExplicitIPv6;

    public void Assign(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
            AssignedIPv4 = address;
        else
            AssignedIPv6 = address;
    }

    public SiteNode ToNode()
    {
        var interfaces = Interfaces is { Count: > 0 } byHub ? byHub : throw Incomplete();
        return new SiteNode(
            Name?.Value ?? throw Incomplete(),
            PublicKey?.Value ?? throw Incomplete(),
            Priority ?? throw Incomplete(),
            Mode ?? throw Incomplete(),
            TunnelAddresses.Host(AssignedIPv4, AssignedIPv6),
            interfaces[0].Value,
            PrivateKeyFile ?? throw Incomplete(),
            PersistentKeepalive ?? throw Incomplete())
        {
            Interfaces = new HubInterfaceDictionary(interfaces),
            LocalChecks = LocalChecks ?? throw Incomplete(),
        };
    }

    private static InvalidOperationException Incomplete() => new("a site draft with errors cannot become a SiteNode");
}
