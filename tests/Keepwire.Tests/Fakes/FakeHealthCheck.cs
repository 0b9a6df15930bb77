using System.Net;
using Keepwire.Decisions;
using Keepwire.Health;
using Keepwire.Model;

namespace Keepwire.Tests.Fakes;

/// <summary>The sites as the probes find them: up (status 200) or refusing, as the test sets it. Shared by every fake check.</summary>
internal sealed class FakeSites(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _down = [];

    public int Probes { get; private set; }

    /// <summary>When set, closing a check throws this (a check that cannot release its socket, say).</summary>
    public string? DisposeFailure { get; set; }

    public void Down(string site)
    {
        lock (_lock)
            _down.Add(site);
    }

    public void Up(string site)
    {
        lock (_lock)
            _down.Remove(site);
    }

    /// <summary>A check of <paramref name="definition"/> that asks these sites.</summary>
    public IHealthCheck Check(CheckDefinition definition) => new FakeHealthCheck(definition, this);

    private CheckResult Probe(string site, string check)
    {
        lock (_lock)
        {
            Probes++;
            return _down.Contains(site)
                ? CheckResult.Failed(site, check, time.GetUtcNow(), "connection refused")
                : CheckResult.Passed(site, check, time.GetUtcNow(), "status 200");
        }
    }

    private sealed class FakeHealthCheck(CheckDefinition definition, FakeSites sites) : IHealthCheck
    {
        public CheckDefinition Definition { get; } = definition;

        public Task<CheckResult> ProbeAsync(string site, IPAddress address, CancellationToken cancellationToken = default) =>
            Task.FromResult(sites.Probe(site, Definition.Name));

        public void Dispose()
        {
            if (sites.DisposeFailure is { } failure)
                throw new InvalidOperationException(failure);
        }
    }
}

/// <summary>No processes: no keepalived runs in a unit test.</summary>
internal sealed class FakeProcessTable : Keepwire.Adapters.Keepalived.IProcessTable
{
    public IReadOnlyList<string>? CommandLine(int pid) => null;
}
