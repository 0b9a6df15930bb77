using System.Net;
using System.Net.Sockets;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads one entry of <c>services:</c>. Checks that need the rest of the file live in <see cref="ServiceRules"/>.</summary>
internal static class ServiceReader
{
    public static readonly string[] Keys = ["name", "mode", "vips", "ports", .. RoutedServiceReader.Keys, "sites", BackendReader.Key, "checks", .. PolicyReader.Keys];

    public static ServiceDraft? Read(YamlNode node, ConfigErrorSink errors)
    {
        if (MappingReader.Open(node, "service", Keys, errors) is not { } map)
            return null;

        var service = new ServiceDraft(node)
        {
            Name = CommonFields.Name(map),
            Mode = map.Read("mode", ServiceMode.Dnat, ReadMode),
            ModeNode = map.KeyNode("mode"),
        };
        if (service.Mode == ServiceMode.Routed)
            RoutedServiceReader.Read(map, service);
        else if (service.Mode == ServiceMode.Dnat)
            ReadForwarded(map, service);

        foreach (var item in RequiredList(map, "sites", "list the sites that may serve it, e.g. sites: [alpha, bravo]"))
        {
            if (YamlValues.String(item, "site name", errors) is { } siteName)
                service.Sites.Add(new Located<string>(siteName, item));
        }

        PolicyReader.Read(map, service);
        service.Checks = ServiceChecks.Read(map, service);
        return service;
    }

    /// <summary>A DNAT service's VIPs and forwarded ports.</summary>
    private static void ReadForwarded(MappingReader map, ServiceDraft service)
    {
        var errors = map.Errors;
        RoutedServiceReader.RejectKeys(map, service);
        foreach (var item in RequiredList(map, "vips", "list the public addresses, e.g. vips: [203.0.113.80, \"2001:db8::80\"]"))
            ReadVip(item, service, errors);
        var beforePorts = errors.Count;
        foreach (var item in RequiredList(map, "ports", "list the forwarded ports, e.g. ports: [tcp/80, tcp/443]"))
        {
            if (PortRuleAt(item, errors) is { } rule)
                service.Ports.Add(new Located<PortRule>(rule, item));
        }

        service.PortsValid = errors.Count == beforePorts;
        BackendReader.Read(map, service);
    }

    /// <summary>One <c>tcp/80</c>-style entry, or null after reporting it.</summary>
    internal static PortRule? PortRuleAt(YamlNode item, ConfigErrorSink errors)
    {
        if (YamlValues.String(item, "port", errors) is not { } text)
            return null;
        if (PortSyntax.Parse(text, out var problem) is { } rule)
            return rule;
        CommonFields.Report(errors, item, problem);
        return null;
    }

    private static ServiceMode? ReadMode(YamlNode node, string key, ConfigErrorSink errors)
    {
        switch (YamlValues.String(node, key, errors))
        {
            case null:
                return null;
            case "dnat":
                return ServiceMode.Dnat;
            case "routed":
                return ServiceMode.Routed;
            case var text:
                errors.Report(node, $"unknown service mode '{text}'", "use dnat (the hub forwards ports to the site's tunnel address, the default) or routed (the hub routes the public addresses into the site's tunnel)");
                return null;
        }
    }

    internal static IReadOnlyList<YamlNode> RequiredList(MappingReader map, string key, string hint)
    {
        if (map.Required(key, hint) is not { } node || YamlValues.Sequence(node, key, map.Errors, hint) is not { } items)
            return [];
        if (items.Count == 0)
            map.Errors.Report(node, $"'{key}' is empty: a service needs at least one entry", hint);
        return items;
    }

    private static void ReadVip(YamlNode item, ServiceDraft service, ConfigErrorSink errors)
    {
        if (YamlValues.String(item, "vip", errors) is not { } text)
            return;
        if (AddressSyntax.ParseHostAddress(text, out var problem) is not { } address)
        {
            CommonFields.Report(errors, item, problem);
            return;
        }

        if (!IsPublicUnicast(address))
        {
            errors.Report(item, $"VIP {address} cannot be a public service address", "use a unicast address that clients can reach");
            return;
        }

        if (service.Vips.FirstOrDefault(v => v.Value.Equals(address)) is { } earlier)
        {
            errors.Report(item, $"VIP {address} is listed twice in {service.DisplayName}", $"remove one (the other is at line {earlier.Node.Start.Line})");
            return;
        }

        service.Vips.Add(new Located<IPAddress>(address, item));
    }

    /// <summary>An address clients can reach: not loopback, unspecified, multicast or link-local.</summary>
    internal static bool IsPublicUnicast(IPAddress address) =>
        !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6Multicast || address.IsIPv6LinkLocal
            || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224));
}
