using System.Text.Json;
using Keepwire.Control;
using Keepwire.Engine;

namespace Keepwire.Hub;

/// <summary>
/// Control requests reach the loop through a channel and are answered by it: commands go into the next step's
/// evidence and are answered from the step, so the answer says what the engine did; status and events read the
/// engine between steps. A caller that gives up leaves its request to be served and dropped.
/// </summary>
public sealed partial class HubDaemon
{
    internal Task<ControlResponse> StatusAsync(CancellationToken cancellationToken) => AskAsync(new HubRequest.Status(), cancellationToken);

    /// <summary>The status for the dashboard, as <c>keepwire status --json</c> has it; null when the hub is stopping.</summary>
    private async Task<JsonElement?> DashboardStatusAsync(CancellationToken cancellationToken) =>
        (await StatusAsync(cancellationToken)) is { Ok: true, Result: { } status } ? status : null;

    internal Task<ControlResponse> EventsAsync(CancellationToken cancellationToken) => AskAsync(new HubRequest.Events(), cancellationToken);

    /// <summary>What the engine did not count of its evidence, and why (<see cref="HubNote"/>).</summary>
    internal Task<ControlResponse> NotesAsync(CancellationToken cancellationToken) => AskAsync(new HubRequest.Notes(), cancellationToken);

    internal Task<ControlResponse> CommandAsync(OperatorCommand command, CancellationToken cancellationToken) => AskAsync(new HubRequest.Command(command), cancellationToken);

    private async Task<ControlResponse> AskAsync(HubRequest request, CancellationToken cancellationToken)
    {
        if (!_requests.Writer.TryWrite(request))
            return ControlResponse.Failure("the hub is stopping");
        return await request.Reply.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Answers the requests that need no step: status and events, and the reloads committed in this pass.</summary>
    private void Answer(HubRequest request)
    {
        switch (request)
        {
            case HubRequest.Status:
                request.Reply.TrySetResult(ControlResponse.Success(Status()));
                break;
            case HubRequest.Events:
                request.Reply.TrySetResult(ControlResponse.Success(_engine.History()));
                break;
            case HubRequest.Notes:
                request.Reply.TrySetResult(ControlResponse.Success(_engine.Notes()));
                break;
            case HubRequest.Reload reload:
                request.Reply.TrySetResult(DataPathFault is { } fault
                    ? ControlResponse.Failure($"reloaded {_options.ConfigPath}, but applying it failed: {fault}")
                    : ControlResponse.Success($"reloaded {_options.ConfigPath}{reload.Prepared.Note}"));
                break;
        }
    }

    private HubStatus Status() =>
        new(_engine.Hub.Name, _options.ConfigPath, _configLoadedAt, _lastReconcileAt, DataPathFault ?? _passFault,
            HubStatusView.Services(_engine), HubStatusView.WithLiveness(HubStatusView.Sites(_engine, _device, _time.GetUtcNow()), _observers.Liveness?.Status()))
        {
            Pair = _pair?.Status(_engine.PeerView, _engine.Role),
            LastReload = _lastReload,
            StateError = _state.Fault,
            Loop = new HubLoopStatus(Math.Round(_loopLag.RecentMaxLag.TotalMilliseconds, 1), _engine.InconclusiveProbes, _engine.InconclusiveLiveness),
            Memory = HubMemoryStatus.OfThisProcess(),
        };

    /// <summary>What the control socket hands the loop; the loop completes <see cref="Reply"/>.</summary>
    private abstract record HubRequest
    {
        public TaskCompletionSource<ControlResponse> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public sealed record Status : HubRequest;

        public sealed record Events : HubRequest;

        public sealed record Notes : HubRequest;

        public sealed record Command(OperatorCommand Operation) : HubRequest;

        public sealed record Reload(PreparedReload Prepared) : HubRequest;
    }
}
