using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.Routing;

/// <summary><see cref="IRouting"/> over the <c>ip</c> program (iproute2), run through <see cref="ICommandRunner"/>.</summary>
public sealed class RoutingCli(ICommandRunner runner) : IRouting
{
    private const string Ip = "ip";

    public async Task<bool> LinkExistsAsync(string device, CancellationToken cancellationToken = default) =>
        (await runner.RunAsync(Ip, ["link", "show", "dev", device], cancellationToken: cancellationToken)).Succeeded;

    public async Task<bool> EnsureLinkUpAsync(string device, CancellationToken cancellationToken = default)
    {
        var link = await runner.RunCheckedAsync(Ip, ["-j", "link", "show", "dev", device], cancellationToken: cancellationToken);
        if (IpJsonParser.IsLinkUp(link.StandardOutput))
            return false;
        await runner.RunCheckedAsync(Ip, ["link", "set", "dev", device, "up"], cancellationToken: cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<InterfaceAddress>> GetAddressesAsync(string device, CancellationToken cancellationToken = default)
    {
        var result = await runner.RunCheckedAsync(Ip, ["-j", "addr", "show", "dev", device], cancellationToken: cancellationToken);
        return IpJsonParser.ParseAddresses(result.StandardOutput);
    }

    public Task AddAddressAsync(string device, InterfaceAddress address, CancellationToken cancellationToken = default)
    {
        List<string> arguments = ["addr", "add", address.ToString(), "dev", device];
        // Without nodad an IPv6 address stays "tentative" for a second or two and cannot be bound or answered.
        if (address.Family == AddressFamily.InterNetworkV6)
            arguments.Add("nodad");
        if (address.Metric is { } metric)
            arguments.AddRange(["metric", metric.ToString()]);
        return runner.RunCheckedAsync(Ip, arguments, cancellationToken: cancellationToken);
    }

    public Task DeleteAddressAsync(string device, InterfaceAddress address, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync(Ip, ["addr", "del", address.ToString(), "dev", device], cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<RouteEntry>> GetRoutesAsync(int table, AddressFamily family, CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync(Ip, ["-j", FamilyFlag(family), "route", "show", "table", table.ToString()], cancellationToken: cancellationToken);
        // An IPv4 table that never had a route does not exist; ip says so and exits 2. For us that is "no routes".
        if (!result.Succeeded && result.StandardError.Contains("table does not exist", StringComparison.OrdinalIgnoreCase))
            return [];
        return IpJsonParser.ParseRoutes(result.EnsureSuccess().StandardOutput, family);
    }

    public Task AddRouteAsync(int table, RouteEntry route, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync(Ip, RouteArguments("add", table, route), cancellationToken: cancellationToken);

    public Task DeleteRouteAsync(int table, RouteEntry route, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync(Ip, RouteArguments("del", table, route), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<PolicyRule>> GetRulesAsync(AddressFamily family, CancellationToken cancellationToken = default)
    {
        var result = await runner.RunCheckedAsync(Ip, ["-j", FamilyFlag(family), "rule", "show"], cancellationToken: cancellationToken);
        return IpJsonParser.ParseRules(result.StandardOutput, family);
    }

    public Task AddRuleAsync(PolicyRule rule, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync(Ip, RuleArguments("add", rule), cancellationToken: cancellationToken);

    public Task DeleteRuleAsync(PolicyRule rule, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync(Ip, RuleArguments("del", rule), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<IPNetwork>> GetLocalPrefixesAsync(AddressFamily family, CancellationToken cancellationToken = default)
    {
        var result = await runner.RunCheckedAsync(Ip, ["-j", FamilyFlag(family), "route", "show", "table", "local", "proto", RoutingProtocols.Keepwire.ToString(), "type", "local"], cancellationToken: cancellationToken);
        return IpJsonParser.ParseLocalPrefixes(result.StandardOutput, family);
    }

    public Task AddLocalPrefixAsync(IPNetwork prefix, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync(Ip, LocalPrefixArguments("add", prefix), cancellationToken: cancellationToken);

    public Task DeleteLocalPrefixAsync(IPNetwork prefix, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync(Ip, LocalPrefixArguments("del", prefix), cancellationToken: cancellationToken);

    private static List<string> LocalPrefixArguments(string verb, IPNetwork prefix) =>
        [FamilyFlag(prefix.BaseAddress.AddressFamily), "route", verb, "local", prefix.ToString(), "dev", "lo", "table", "local", "proto", RoutingProtocols.Keepwire.ToString()];

    public async Task<bool> HasRouteToAsync(IPAddress destination, CancellationToken cancellationToken = default) =>
        (await runner.RunAsync(Ip, ["route", "get", destination.ToString()], cancellationToken: cancellationToken)).Succeeded;

    private static string FamilyFlag(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "-6" : "-4";

    private static List<string> RouteArguments(string verb, int table, RouteEntry route)
    {
        List<string> arguments = [FamilyFlag(route.Family), "route", verb, route.Destination.ToString()];
        if (route.Gateway is not null)
            arguments.AddRange(["via", route.Gateway.ToString()]);
        if (route.Device is not null)
            arguments.AddRange(["dev", route.Device]);
        arguments.AddRange(["table", table.ToString()]);
        return arguments;
    }

    private static List<string> RuleArguments(string verb, PolicyRule rule)
    {
        List<string> arguments = [FamilyFlag(rule.Family), "rule", verb, "from", rule.Source?.ToString() ?? "all"];
        if (rule.Mark is { } mark)
            arguments.AddRange(["fwmark", mark.ToString()]);
        arguments.AddRange(["lookup", rule.Table, "priority", rule.Priority.ToString()]);
        return arguments;
    }
}
