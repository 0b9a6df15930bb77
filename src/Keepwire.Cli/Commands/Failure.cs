namespace Keepwire.Cli.Commands;

/// <summary>How a command gives up: the message on stderr, and exit code 2 (the request cannot be done as given).</summary>
internal static class Failure
{
    public static int Report(string? message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
