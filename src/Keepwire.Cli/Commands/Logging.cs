using Microsoft.Extensions.Logging;

namespace Keepwire.Cli.Commands;

/// <summary>Daemon logging: one line per event with a timestamp, to stderr, so journald and the lab's log files read the same.</summary>
internal static class Logging
{
    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            options.UseUtcTimestamp = true;
        })
        .AddFilter("System", LogLevel.Warning));
}
