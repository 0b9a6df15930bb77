using System.Net;
using System.Net.Sockets;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Reads a DNAT service's <c>backends:</c>, the LAN servers behind router sites, by site name:
/// <c>office: 192.168.50.10</c>, <c>office: [192.168.50.10, "fd00:50::10"]</c>, or the long form
/// <c>office: { address: 192.168.50.10, masquerade: true }</c>. Checks against the rest of the file live in
/// <see cref="BackendRules"/>.
/// </summary>
internal static class BackendReader
{
    public const string Key = "backends";

    private static readonly string[] EntryKeys = ["address", "masquerade"];

    private const string Hint = "write the LAN server behind each router site by site name, e.g. backends: { office: 192.168.50.10 }";
    private const string AddressHint = "write the LAN server's address, or one IPv4 and one IPv6 address, e.g. [192.168.50.10, \"fd00:50::10\"]";

    public static void Read(MappingReader map, ServiceDraft service)
    {
        var errors = map.Errors;
        if (map.Optional(Key) is not { } node)
            return;
        if (node is not YamlMappingNode mapping)
        {
            errors.Report(node, $"'{Key}' of {service.DisplayName} must be a mapping of site names to LAN addresses, not {YamlValues.Describe(node)}", Hint);
            return;
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } site })
            {
                errors.Report(keyNode, $"a key of '{Key}' in {service.DisplayName} is not a site name", Hint);
                continue;
            }

            var backend = new BackendDraft(new Located<string>(site, keyNode), value);
            if (ReadValue(value, backend, service, errors))
                service.Backends.Add(backend);
        }
    }

    /// <summary>The address form or the long form; false after reporting a problem.</summary>
    private static bool ReadValue(YamlNode value, BackendDraft backend, ServiceDraft service, ConfigErrorSink errors)
    {
        var what = $"the backend of {service.DisplayName} at site '{backend.Site.Value}'";
        if (YamlValues.IsNull(value))
        {
            errors.Report(backend.Site.Node, $"{what} has no address", AddressHint);
            return false;
        }

        if (value is not YamlMappingNode)
            return ReadAddresses(value, backend, what, errors);

        if (MappingReader.Open(value, what, EntryKeys, errors) is not { } entry)
            return false;
        var before = errors.Count;
        if (entry.Required("address", AddressHint) is { } addresses)
            ReadAddresses(addresses, backend, what, errors);
        backend.Masquerade = entry.Read("masquerade", false, (node, key, sink) => YamlValues.Boolean(node, key, sink) ?? false);
        return errors.Count == before;
    }

    private static bool ReadAddresses(YamlNode node, BackendDraft backend, string what, ConfigErrorSink errors)
    {
        IReadOnlyList<YamlNode> items = node is YamlSequenceNode sequence ? [.. sequence.Children] : [node];
        if (items.Count == 0)
        {
            errors.Report(node, $"{what} has no address", AddressHint);
            return false;
        }

        var before = errors.Count;
        foreach (var item in items)
            ReadAddress(item, backend, what, errors);
        return errors.Count == before;
    }

    private static void ReadAddress(YamlNode item, BackendDraft backend, string what, ConfigErrorSink errors)
    {
        if (YamlValues.String(item, "address", errors) is not { } text)
            return;
        if (AddressSyntax.ParseHostAddress(text, out var problem) is not { } address)
        {
            CommonFields.Report(errors, item, problem);
            return;
        }

        if (!ServiceReader.IsPublicUnicast(address))
        {
            errors.Report(item, $"{address} cannot be {what}: it is not a unicast address another host can be reached on",
                "write the LAN server's own address, as the router reaches it");
            return;
        }

        var located = new Located<IPAddress>(address, item);
        if (backend.AddressOf(address.AddressFamily) is { } earlier)
        {
            var family = AddressSyntax.FamilyName(address);
            errors.Report(item, $"{what} has a second {family} address ({address}; the first is {earlier.Value})",
                "a backend is one server: give at most one IPv4 and one IPv6 address; put other servers behind other sites or services");
            return;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            backend.IPv6 = located;
        else
            backend.IPv4 = located;
    }
}
