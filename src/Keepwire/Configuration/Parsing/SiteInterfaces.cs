using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Gives every site one WireGuard interface per hub. With one hub that is <c>interface</c> (default kw0); with
/// a pair it is <c>interfaces: { hub1: …, hub2: … }</c> (default kw0 for the first hub, kw1 for the second).
/// Read after the hubs, because the keys of <c>interfaces</c> are hub names.
/// </summary>
internal static class SiteInterfaces
{
    private static readonly string[] PairDefaults = [CommonFields.DefaultInterface, "kw1"];

    public static void Assign(IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        // Without every hub's name the keys of 'interfaces' cannot be judged; the missing name is already reported.
        if (hubs.Count is 0 or > 2 || hubs.Any(h => h.Name is null))
            return;
        var hubNames = hubs.Select(h => h.Name!.Value).ToList();
        foreach (var site in sites)
            site.Interfaces = Resolve(site, hubNames, errors);
    }

    private static List<KeyValuePair<string, string>>? Resolve(SiteDraft site, List<string> hubNames, ConfigErrorSink errors)
    {
        if (site.InterfacesNode is { } node)
        {
            if (site.ExplicitInterface is { } single)
            {
                errors.Report(single.Node, $"{site.DisplayName} has both interface and interfaces", "keep interfaces (one interface per hub) and remove interface");
                return null;
            }

            return ReadPerHub(node, site, hubNames, errors);
        }

        if (site.InterfaceInvalid)
            return null;
        if (hubNames.Count == 1)
            return [KeyValuePair.Create(hubNames[0], site.ExplicitInterface?.Value ?? CommonFields.DefaultInterface)];
        if (site.ExplicitInterface is { } one)
        {
            errors.Report(one.Node, $"interface of {site.DisplayName} names one interface, but with two hubs the site needs one per hub",
                $"use interfaces: {{ {hubNames[0]}: {one.Value}, {hubNames[1]}: {(one.Value == PairDefaults[1] ? PairDefaults[0] : PairDefaults[1])} }}");
            return null;
        }

        return [.. hubNames.Select((hub, i) => KeyValuePair.Create(hub, PairDefaults[i]))];
    }

    private static List<KeyValuePair<string, string>>? ReadPerHub(YamlNode node, SiteDraft site, List<string> hubNames, ConfigErrorSink errors)
    {
        var beforeOpen = errors.Count;
        if (MappingReader.Open(node, $"interfaces of {site.DisplayName}", hubNames, errors) is not { } map)
            return null;

        // An unknown key is most likely the missing hub misspelled: its "did you mean" says enough.
        var misspelled = errors.Count > beforeOpen;
        var before = errors.Count;
        var result = new List<KeyValuePair<string, string>>();
        var usedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < hubNames.Count; i++)
        {
            var hub = hubNames[i];
            if (misspelled && map.Optional(hub) is null)
                continue;
            if (map.Required(hub, $"add {hub}: <interface name>, e.g. {hub}: {PairDefaults[i]}") is not { } valueNode
                || YamlValues.String(valueNode, hub, errors) is not { } name
                || CommonFields.Report(errors, valueNode, NameSyntax.CheckInterface(name, "interface")))
            {
                continue;
            }

            if (usedBy.TryGetValue(name, out var otherHub))
            {
                errors.Report(valueNode, $"interface '{name}' of {site.DisplayName} is already used for hub '{otherHub}'",
                    "each hub needs its own interface on the site, e.g. kw0 and kw1");
                continue;
            }

            usedBy[name] = hub;
            result.Add(KeyValuePair.Create(hub, name));
        }

        return errors.Count == before && !misspelled ? result : null;
    }
}
