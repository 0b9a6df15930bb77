using Keepwire.Adapters.Processes;
using Keepwire.Model;

namespace Keepwire.Health;

public static class HealthChecks
{
    /// <summary>The probe for <paramref name="definition"/>'s kind. The caller owns (and disposes) it.</summary>
    public static IHealthCheck Create(CheckDefinition definition, ICommandRunner runner, TimeProvider time) => definition.Kind switch
    {
        CheckKind.Http => new HttpHealthCheck(definition, time),
        CheckKind.Tcp => new TcpHealthCheck(definition, time),
        CheckKind.Udp => new UdpHealthCheck(definition, time),
        CheckKind.Exec => new ExecHealthCheck(definition, runner, time),
        _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Kind, "unknown check kind"),
    };
}
