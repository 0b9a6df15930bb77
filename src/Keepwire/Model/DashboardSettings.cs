using System.Net;

namespace Keepwire.Model;

/// <summary>
/// The hub's read-only web dashboard (<c>dashboard:</c> in the config), on its own listener.
/// </summary>
/// <param name="Listen">Address and port; loopback by default.</param>
/// <param name="TokenFile">A 0600 file holding the bearer token a remote browser must present; required for a listen address other than loopback.</param>
/// <param name="Origin">Where it is defined, "file:line", for errors about it found after loading (its token file).</param>
public sealed record DashboardSettings(IPEndPoint Listen, string? TokenFile, string Origin)
{
    public const int DefaultPort = 9587;

    public bool IsLoopbackOnly => IPAddress.IsLoopback(Listen.Address);
}
