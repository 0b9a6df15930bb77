using System.Diagnostics;
using System.Text;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// A started process whose output is read as it comes: a chatty daemon never blocks on a full pipe, and a
/// test can look at what a receiver printed so far.
/// </summary>
internal sealed class CapturedProcess
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();

    public CapturedProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, line) => Append(_output, line.Data);
        process.ErrorDataReceived += (_, line) => Append(_errors, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output => Read(_output);

    public string Errors => Read(_errors);

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
            return;
        lock (text)
            text.AppendLine(line);
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
            return text.ToString();
    }
}
