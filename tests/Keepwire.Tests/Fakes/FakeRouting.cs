using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;

namespace Keepwire.Tests.Fakes;

/// <summary>Links, addresses, routes and rules in memory, as iproute2 would keep them.</summary>
internal sealed class FakeRouting : IRouting
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<InterfaceAddress>> _addresses = [];
    private readonly HashSet<string> _up = [];

    public FakeRouting(params string[] links)
    {
        foreach (var link in links)
            _addresses[link] = [];
    }

    public IReadOnlyList<InterfaceAddress> Addresses(string device)
    {
        lock (_lock)
            return _addresses.TryGetValue(device, out var list) ? [.. list] : [];
    }

    public Task<bool> LinkExistsAsync(string device, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_addresses.ContainsKey(device));
    }

    /// <summary>Times links, addresses or routes were read (each a run of <c>ip</c> on a host).</summary>
    public int Reads { get; private set; }

    public Task<bool> EnsureLinkUpAsync(string device, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Reads++;
            return Task.FromResult(_up.Add(device));
        }
    }

    public Task<IReadOnlyList<InterfaceAddress>> GetAddressesAsync(string device, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            Reads++;
        return Task.FromResult(Addresses(device));
    }

    public Task AddAddressAsync(string device, InterfaceAddress address, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_addresses.TryGetValue(device, out var list))
                _addresses[device] = list = [];
            list.Add(address);
        }
        return Task.CompletedTask;
    }

    public Task DeleteAddressAsync(string device, InterfaceAddress address, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _addresses.GetValueOrDefault(device)?.RemoveAll(a => a.SameAs(address));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RouteEntry>> GetRoutesAsync(int table, AddressFamily family, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            Reads++;
        return Task.FromResult<IReadOnlyList<RouteEntry>>([]);
    }

    public Task AddRouteAsync(int table, RouteEntry route, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task DeleteRouteAsync(int table, RouteEntry route, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<PolicyRule>> GetRulesAsync(AddressFamily family, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PolicyRule>>([]);

    public Task AddRuleAsync(PolicyRule rule, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task DeleteRuleAsync(PolicyRule rule, CancellationToken cancellationToken = default) => Task.CompletedTask;

    private readonly List<IPNetwork> _localPrefixes = [];

    /// <summary>The prefixes held through Keepwire's local routes.</summary>
    public IReadOnlyList<IPNetwork> LocalPrefixes
    {
        get
        {
            lock (_lock)
                return [.. _localPrefixes];
        }
    }

    public Task<IReadOnlyList<IPNetwork>> GetLocalPrefixesAsync(AddressFamily family, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<IPNetwork>>([.. _localPrefixes.Where(p => p.BaseAddress.AddressFamily == family)]);
    }

    public Task AddLocalPrefixAsync(IPNetwork prefix, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _localPrefixes.Add(prefix);
        return Task.CompletedTask;
    }

    public Task DeleteLocalPrefixAsync(IPNetwork prefix, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _localPrefixes.Remove(prefix);
        return Task.CompletedTask;
    }

    public Task<bool> HasRouteToAsync(IPAddress destination, CancellationToken cancellationToken = default) => Task.FromResult(true);
}
