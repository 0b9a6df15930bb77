using System.Diagnostics;
using System.Text;
using Keepwire.Adapters.Posix;

namespace Keepwire.Adapters.Processes;

/// <summary>
/// Runs programs with <see cref="Process"/>, arguments passed as a list (never through a shell). Each of
/// stdout and stderr is kept up to the call's limit; the rest is read and dropped, so a chatty program
/// neither blocks on a full pipe nor fills the daemon's memory.
/// </summary>
public sealed class CommandRunner : ICommandRunner
{
    private const int ReadBufferBytes = 16 * 1024;

    public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = ICommandRunner.DefaultOutputLimit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outputLimit);
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandResult(program, arguments, CommandResult.CannotStartExitCode, "", $"cannot start {program}: {e.Message} (is it installed?)");
        }

        // Ours to close: Process.Dispose leaves a stream it handed out open, so each run would keep its pipes' read ends
        // until a garbage collection finalized them; a busy daemon reached a thousand open descriptors that way.
        using var standardOutput = process.StandardOutput;
        using var standardError = process.StandardError;
        using var standardInputWriter = standardInput is null ? null : process.StandardInput;
        var stdout = ReadCappedAsync(standardOutput.BaseStream, outputLimit, cancellationToken);
        var stderr = ReadCappedAsync(standardError.BaseStream, outputLimit, cancellationToken);
        try
        {
            if (standardInputWriter is not null)
            {
                await standardInputWriter.WriteAsync(standardInput.AsMemory(), cancellationToken);
                standardInputWriter.Close();
            }

            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A program that made itself a process group leader (setsid: a provider hook) goes with its whole group,
            // also members whose parent already exited, which the tree below misses. No other group can have this id
            // while the program holds its pid, so a program that made no group of its own loses nothing more here.
            Libc.KillProcessGroup(process.Id);
            process.Kill(entireProcessTree: true);
            throw;
        }

        var (output, outputCut) = await stdout;
        var (error, errorCut) = await stderr;
        return new CommandResult(program, arguments, process.ExitCode, output, error, outputCut || errorCut);
    }

    /// <summary>Reads <paramref name="stream"/> to its end, keeping the first <paramref name="limit"/> bytes.</summary>
    private static async Task<(string Text, bool Truncated)> ReadCappedAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        using var kept = new MemoryStream();
        var buffer = new byte[ReadBufferBytes];
        var truncated = false;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var room = limit - (int)kept.Length;
            if (read > room)
                truncated = true;
            if (room > 0)
                kept.Write(buffer, 0, Math.Min(read, room));
        }
        return (Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length), truncated);
    }
}
