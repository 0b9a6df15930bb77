using System.Net;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>A service as read from the file; see <see cref="HubDraft"/> for the meaning of null fields.</summary>
internal sealed class ServiceDraft(YamlNode node)
{
    public YamlNode Node { get; } = node;

    public Located<string>? Name { get; set; }

    public List<Located<IPAddress>> Vips { get; } = [];

    public List<Located<PortRule>> Ports { get; } = [];

    /// <summary>Null after reporting a bad <c>mode</c>.</summary>
    public ServiceMode? Mode { get; set; }

    /// <summary>The <c>mode</c> key, when the file has one.</summary>
    public YamlNode? ModeNode { get; set; }

    /// <summary>A routed service's <c>addresses</c>.</summary>
    public List<Located<IPNetwork>> RoutedPrefixes { get; } = [];

    /// <summary>A routed service with <c>allow: all</c>.</summary>
    public bool AllowsAllPorts { get; set; }

    public bool IsRouted => Mode == ServiceMode.Routed;

    /// <summary>True when <c>ports</c> was read without errors, so defaults may be derived from <see cref="Ports"/>.</summary>
    public bool PortsValid { get; set; }

    public List<Located<string>> Sites { get; } = [];

    /// <summary>A DNAT service's LAN servers behind router sites (<c>backends:</c>), in file order.</summary>
    public List<BackendDraft> Backends { get; } = [];

    public ServicePolicy? Policy { get; set; }

    public FailoverPolicyOptions? Failover { get; set; }

    public IReadOnlyList<CheckDefinition>? Checks { get; set; }

    public string DisplayName => Name is null ? "a service" : $"service '{Name.Value}'";

    public ServiceConfig ToConfig() => new(
        Name?.Value ?? throw Incomplete(),
        [.. Vips.Select(v => v.Value)],
        [.. Ports.Select(p => p.Value)],
        [.. Sites.Select(s => s.Value)])
    {
        Policy = Policy ?? throw Incomplete(),
        Failover = Failover ?? throw Incomplete(),
        Checks = Checks ?? throw Incomplete(),
        Mode = Mode ?? throw Incomplete(),
        RoutedPrefixes = [.. RoutedPrefixes.Select(p => p.Value)],
        AllowsAllPorts = AllowsAllPorts,
        Backends = Backends.ToDictionary(b => b.Site.Value, b => b.ToBackend()),
    };

    private static InvalidOperationException Incomplete() => new("a service draft with errors cannot become a ServiceConfig");
}
