using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// A failover lab whose alpha is also a router in front of a LAN with two nginx servers (<c>--site-router</c>):
/// lanweb is forwarded to lan1, which routes back through alpha; lansnat to lan2, which does not, so alpha masquerades
/// for it. bravo serves both itself.
/// </summary>
public sealed class SiteRouterLabFixture : FailoverLabFixture
{
    protected override LabOptions CreateOptions() => base.CreateOptions() with { SiteRouter = true };
}
