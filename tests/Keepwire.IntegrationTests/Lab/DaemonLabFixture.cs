using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>A lab with the hub and site daemons running, every site with a handshake with the hub.</summary>
public class DaemonLabFixture : LabFixture
{
    protected override LabOptions CreateOptions() => Options(startDaemons: true);
}
