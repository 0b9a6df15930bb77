using System.Net;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>A service as read from the file; see <see cref="HubDraft"/> for the meaning of null fields.</summary>
internal sealed class ServiceDraft(YamlNode node)
{
    public YamlNode Node { get; } = node;

    public Located<string>? Name { get; set; }

    public List<Located<IPAddress>> Vips { get; } = [];

    public List<Located<PortRule>> Ports { get; } = [];

    public List<Located<string>> Sites { get; } = [];

    public string DisplayName => Name is null ? "a service" : $"service '{Name.Value}'";

    public ServiceConfig ToConfig() => new(
        Name?.Value ?? throw new InvalidOperationException("a service draft with errors cannot become a ServiceConfig"),
        [.. Vips.Select(v => v.Value)],
        [.. Ports.Select(p => p.Value)],
        [.. Sites.Select(s => s.Value)]);
}
