using Keepwire.IntegrationTests.Lab;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// One lab with the real hub and site daemons for a whole test class: built before its first
/// test, torn down after its last, whatever happened in between. Tests restore what they change.
/// The tests start once the hub has settled on alpha for every service: the lab starts the hub
/// before the sites, so its startup grace can run out before alpha's checks have passed, and the
/// hub then picks whichever site passed first and preempts back to alpha seconds later. And once every site is
/// healthy: a test's first pin to bravo found bravo's checks still rising (CI, 2026-12-07).
/// </summary>
public class DaemonLabFixture : LabFixture, IAsyncLifetime
{
    protected override LabOptions CreateOptions() => Options(startDaemons: true);

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Lab.WaitForEveryServiceOnAsync("alpha");
        await Lab.WaitForEverySiteHealthyAsync();
    }
}
