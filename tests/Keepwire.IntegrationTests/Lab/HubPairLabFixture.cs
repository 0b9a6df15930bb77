using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>A hub-pair lab (hub1, hub2) without daemons, for one test class.</summary>
public class HubPairLabFixture : LabFixture
{
    /// <summary>Options for a hub-pair lab that runs the keepwire built with the tests.</summary>
    public static LabOptions PairOptions(bool startDaemons = false) => Options(startDaemons) with { HubPair = true };

    protected override LabOptions CreateOptions() => PairOptions();
}
