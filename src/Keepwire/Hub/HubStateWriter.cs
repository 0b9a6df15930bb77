using Keepwire.State;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

/// <summary>
/// Saves what a step says to keep (the decision journal, the operator's intent) and never lets a failed write
/// stop the hub: a full disk or a read-only state directory is logged once, shown by <c>keepwire status</c>,
/// and the newest unsaved state is written again on every pass until it goes through. Forwarding goes on
/// meanwhile; what is lost is only continuity across a restart.
/// </summary>
internal sealed partial class HubStateWriter(DecisionJournal journal, StateStore store, ILogger logger)
{
    private IReadOnlyList<DecisionRecord>? _unsavedJournal;
    private OperatorIntent? _unsavedIntent;

    /// <summary>Why the state is not saved right now, or null when everything is.</summary>
    public string? Fault { get; private set; }

    /// <summary>Takes the newest state to keep (null: unchanged) and writes whatever is unsaved.</summary>
    public void Save(IReadOnlyList<DecisionRecord>? records, OperatorIntent? intent)
    {
        if (records is not null)
            _unsavedJournal = records;
        if (intent is not null)
            _unsavedIntent = intent;
        if (_unsavedJournal is null && _unsavedIntent is null)
            return;
        try
        {
            if (_unsavedIntent is { } pendingIntent)
            {
                store.SaveIntent(pendingIntent);
                _unsavedIntent = null;
            }
            if (_unsavedJournal is { } pendingJournal)
            {
                journal.Save(pendingJournal);
                _unsavedJournal = null;
            }
            if (Fault is not null)
                Log.Saved(logger, store.StateDirectory);
            Fault = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            var fault = $"cannot save the state in {store.StateDirectory}: {e.Message} (retrying on every pass; forwarding is not affected, a restart would lose the unsaved decisions)";
            if (fault != Fault)
                Log.SaveFailed(logger, fault);
            Fault = fault;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "{Fault}")]
        public static partial void SaveFailed(ILogger logger, string fault);

        [LoggerMessage(Level = LogLevel.Information, Message = "state in {Directory} saved again")]
        public static partial void Saved(ILogger logger, string directory);
    }
}
