namespace Keepwire.Configuration.Parsing;

/// <summary>Names and keys must identify exactly one node: a report or a key maps to one hub or site.</summary>
internal static class IdentityRules
{
    public static void Check(IReadOnlyList<HubDraft> hubs, IReadOnlyList<SiteDraft> sites, IReadOnlyList<ServiceDraft> services, ConfigErrorSink errors)
    {
        var nodeNames = hubs.Select(h => (h.Name, Kind: "hub")).Concat(sites.Select(s => (s.Name, Kind: "site")));
        ReportDuplicates(nodeNames, "name", "hubs and sites need distinct names", errors);
        ReportDuplicates(services.Select(s => (s.Name, Kind: "service")), "name", "services need distinct names", errors);

        var keys = hubs.Select(h => (h.PublicKey, Kind: "hub")).Concat(sites.Select(s => (s.PublicKey, Kind: "site")));
        ReportDuplicates(keys, "public_key", "every hub and site needs its own key pair: generate one with 'keepwire keygen'", errors);
    }

    private static void ReportDuplicates<T>(IEnumerable<(Located<T>? Value, string Kind)> items, string key, string hint, ConfigErrorSink errors)
        where T : notnull
    {
        var seen = new Dictionary<T, (Located<T> First, string Kind)>();
        foreach (var (value, kind) in items)
        {
            if (value is null)
                continue;
            if (seen.TryGetValue(value.Value, out var first))
            {
                errors.Report(value.Node, $"{key} '{value.Value}' of this {kind} is already used by the {first.Kind} at line {first.First.Node.Start.Line}", hint);
                continue;
            }

            seen[value.Value] = (value, kind);
        }
    }
}
