using Keepwire.IntegrationTests.EndToEnd;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A lab with the real daemons for one failover test class, up and settled: the lab's own config
/// (kept, so every test can put it back) loaded, web and echo served by alpha, every site healthy.
/// </summary>
public class FailoverLabFixture : DaemonLabFixture, IAsyncLifetime
{
    private string? labConfig;

    /// <summary>The config the lab wrote, as it was before any test changed it.</summary>
    public string LabConfig => labConfig ?? throw new InvalidOperationException("The lab is not up: the fixture has not been initialised.");

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        labConfig = await File.ReadAllTextAsync(Lab.ConfigPath);
        await Lab.RestoreSteadyStateAsync(labConfig);
    }
}
