using Keepwire.Adapters.Routing;

namespace Keepwire.Tests.Fakes;

/// <summary>Kernel parameters in a dictionary; a key never written reads as <paramref name="defaults"/> says, else null.</summary>
internal sealed class FakeSysctl(IReadOnlyDictionary<string, string>? defaults = null) : ISysctl
{
    private readonly Dictionary<string, string> _values = defaults is null ? [] : new(defaults);

    public Task<string?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_values)
            return Task.FromResult(_values.GetValueOrDefault(key));
    }

    public Task WriteAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        lock (_values)
            _values[key] = value;
        return Task.CompletedTask;
    }
}
