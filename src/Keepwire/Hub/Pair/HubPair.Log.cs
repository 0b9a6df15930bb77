using Keepwire.Sync;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub.Pair;

public sealed partial class HubPair
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "hub {Node} in the pair: {Role} ({Reason})")]
        public static partial void RoleChanged(ILogger logger, string node, PairRole role, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "keepalived track file: healthy, this hub may hold the VIPs")]
        public static partial void MayHoldVips(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "keepalived track file: giving the VIPs up ({Reason})")]
        public static partial void GivingVipsUp(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Fault}")]
        public static partial void TrackFileFailed(ILogger logger, string fault);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Fault}")]
        public static partial void ChannelFailed(ILogger logger, string fault);

        [LoggerMessage(Level = LogLevel.Error, Message = "hub sync: cannot send this hub's state: {Error} ({Count} failures so far)")]
        public static partial void SyncSendFailed(ILogger logger, string error, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "cannot read which VIPs are on the public interface; counting them as not held for this pass: {Error}")]
        public static partial void VipsUnreadable(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} decides services this hub cannot follow ({Services}): the two hubs' configs differ")]
        public static partial void ConfigsDiffer(ILogger logger, string peer, string services);

        [LoggerMessage(Level = LogLevel.Warning, Message = "conntrackd role switch step failed: {Failure}")]
        public static partial void ConntrackdStepFailed(ILogger logger, string failure);
    }
}
