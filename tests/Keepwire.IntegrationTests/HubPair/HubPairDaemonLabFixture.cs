using Keepwire.IntegrationTests.Lab;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.HubPair;

/// <summary>
/// A hub-pair lab (hub1, hub2, real keepalived started by the hub daemons) with every daemon running,
/// for one test class: up once one hub holds the VIPs and both hubs serve every service from alpha.
/// </summary>
public class HubPairDaemonLabFixture : LabFixture, IAsyncLifetime
{
    private string? labConfig;

    /// <summary>The config the lab wrote, as it was before any test changed it.</summary>
    public string LabConfig => labConfig ?? throw new InvalidOperationException("The lab is not up: the fixture has not been initialised.");

    protected override LabOptions CreateOptions() => HubPairLabFixture.PairOptions(startDaemons: true);

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        labConfig = await File.ReadAllTextAsync(Lab.ConfigPath);
        await Lab.RestorePairSteadyStateAsync();
    }
}
