using Microsoft.Extensions.Logging;

namespace Keepwire.Lab;

internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Building lab {Prefix} in {StateDirectory}")]
    public static partial void BuildingLab(ILogger logger, string prefix, string stateDirectory);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Lab {Prefix} is up")]
    public static partial void LabUp(ILogger logger, string prefix);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Tearing down lab {Prefix}")]
    public static partial void TearingDown(ILogger logger, string prefix);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Kept the logs of lab {Prefix} in {Directory}")]
    public static partial void LogsKept(ILogger logger, string prefix, string directory);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Cleanup of lab {Prefix}: {Step} failed: {Reason}")]
    public static partial void CleanupStepFailed(ILogger logger, string prefix, string step, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "Started {Name} (pid {Pid}) in {Namespace}")]
    public static partial void ProcessStarted(ILogger logger, string name, int pid, string @namespace);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Process {Pid} ignored its stop signal for {Grace}; killing it")]
    public static partial void ProcessKilled(ILogger logger, int pid, TimeSpan grace);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Lab {Prefix}: every site has a handshake with the hub")]
    public static partial void DaemonsReady(ILogger logger, string prefix);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug, Message = "Lab {Prefix}: killing leftover pid {Pid} in namespace {Namespace}")]
    public static partial void KillingLeftover(ILogger logger, string prefix, int pid, string @namespace);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Building lab {Prefix} failed; {WhatNow}")]
    public static partial void BuildFailed(ILogger logger, Exception exception, string prefix, string whatNow);
}
