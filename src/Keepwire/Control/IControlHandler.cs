namespace Keepwire.Control;

/// <summary>What a daemon does with a control request. The server owns the socket; the daemon owns the meaning.</summary>
public interface IControlHandler
{
    Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken);
}
