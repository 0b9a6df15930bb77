using Keepwire.Control;

namespace Keepwire.Hub;

/// <summary>Maps control requests to the hub's operations.</summary>
internal sealed class HubControl(HubDaemon hub) : IControlHandler
{
    public async Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken) =>
        request.Command switch
        {
            "status" => ControlResponse.Success(await hub.StatusAsync(cancellationToken)),
            "reload" => await hub.ReloadAsync(cancellationToken),
            "failover" => await hub.FailoverAsync(request.Argument("service"), request.Argument("site"), cancellationToken),
            "drain" => await hub.DrainAsync(request.Argument("site"), drained: true, cancellationToken),
            "undrain" => await hub.DrainAsync(request.Argument("site"), drained: false, cancellationToken),
            "events" => await hub.EventsAsync(cancellationToken),
            _ => ControlResponse.Failure($"unknown command '{request.Command}' (known: status, reload, failover, drain, undrain, events)"),
        };
}
