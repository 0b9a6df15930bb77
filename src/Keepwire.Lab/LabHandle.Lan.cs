using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>The levers of the LAN behind the router site (<c>--site-router</c>).</summary>
public sealed partial class LabHandle
{
    /// <summary>The LAN of a lab built with <see cref="LabOptions.SiteRouter"/>, or an error saying how to build one.</summary>
    public LabLan Lan =>
        Topology.Lan ?? throw new InvalidOperationException($"Lab {Prefix} has no LAN behind a router site: build it with --site-router (LabOptions.SiteRouter).");

    /// <summary>Stops a LAN server's nginx fast (TERM), as when the server behind the router dies.</summary>
    public Task StopLanWebServerAsync(string server, CancellationToken cancellationToken = default) =>
        webServer.StopAsync(Lan.Server(server).Name, cancellationToken);

    public Task StartLanWebServerAsync(string server, CancellationToken cancellationToken = default)
    {
        var lanServer = Lan.Server(server);
        return webServer.StartAsync(lanServer.Name, lanServer.Namespace, cancellationToken);
    }

    /// <summary>
    /// Cuts a LAN server off its LAN by taking down the router's end of its link (its bridge port): the server is gone
    /// for the router, as when it loses power, while the router itself stays up.
    /// </summary>
    public Task CutLanLinkAsync(string server, CancellationToken cancellationToken = default) => SetLanLinkAsync(server, "down", cancellationToken);

    public Task RestoreLanLinkAsync(string server, CancellationToken cancellationToken = default) => SetLanLinkAsync(server, "up", cancellationToken);

    private Task SetLanLinkAsync(string server, string state, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync("ip", ["-n", Topology.Site(Lan.Router).Namespace, "link", "set", "dev", Lan.Server(server).Name, state], cancellationToken: cancellationToken);

    /// <summary>nginx's access log of a LAN server: one line per request, starting with the address it saw.</summary>
    public string LanWebAccessLog(string server) => webServer.AccessLog(Lan.Server(server).Name);
}
