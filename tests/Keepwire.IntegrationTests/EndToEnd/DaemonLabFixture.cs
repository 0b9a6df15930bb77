using Keepwire.IntegrationTests.Lab;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// One lab with the real hub and site daemons for a whole test class: built before its first
/// test, torn down after its last, whatever happened in between. Tests restore what they change.
/// </summary>
public class DaemonLabFixture : LabFixture
{
    protected override LabOptions CreateOptions() => Options(startDaemons: true);
}
