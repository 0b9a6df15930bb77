using Keepwire.Control;
using Keepwire.Engine;

namespace Keepwire.Hub;

/// <summary>Maps control requests to the hub's operations.</summary>
internal sealed class HubControl(HubDaemon hub) : IControlHandler
{
    public Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken) =>
        request.Command switch
        {
            "status" => hub.StatusAsync(cancellationToken),
            "reload" => hub.ReloadAsync(cancellationToken),
            "failover" => Operate(request.Argument("service") is { } service && request.Argument("site") is { } site ? new OperatorCommand.Pin(service, site) : null, "failover needs a service and a site", cancellationToken),
            "unpin" => Operate(request.Argument("service") is { } unpinned ? new OperatorCommand.Unpin(unpinned) : null, "unpin needs a service", cancellationToken),
            "drain" => Operate(request.Argument("site") is { } drained ? new OperatorCommand.Drain(drained, true) : null, "drain needs a site", cancellationToken),
            "undrain" => Operate(request.Argument("site") is { } undrained ? new OperatorCommand.Drain(undrained, false) : null, "undrain needs a site", cancellationToken),
            "events" => hub.EventsAsync(cancellationToken),
            "evidence" => hub.NotesAsync(cancellationToken),
            _ => Task.FromResult(ControlResponse.Failure($"unknown command '{request.Command}' (known: status, reload, failover, unpin, drain, undrain, events, evidence)")),
        };

    private Task<ControlResponse> Operate(OperatorCommand? command, string missing, CancellationToken cancellationToken) =>
        command is null ? Task.FromResult(ControlResponse.Failure(missing)) : hub.CommandAsync(command, cancellationToken);
}
