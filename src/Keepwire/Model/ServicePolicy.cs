namespace Keepwire.Model;

/// <summary>Who moves a service between its sites.</summary>
public enum ServicePolicy
{
    /// <summary>The hub switches automatically, following health, priority and <see cref="ServiceConfig.Failover"/>.</summary>
    Failover,

    /// <summary>
    /// Cold standby: only the operator (<c>keepwire failover</c>) moves the service. Checks still run
    /// and are shown, but never switch traffic on their own.
    /// </summary>
    Manual,
}
