using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Keepwire.Tests;

/// <summary>
/// Writes log entries, with the time, to a test's output, which xunit shows for a failed test: when a test of a
/// component with its own background work fails, its log says what that work was doing.
/// </summary>
internal sealed class TestOutputLogger(ITestOutputHelper output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // Background work that logs after its test ended has no output to write to any more.
        }
    }
}
