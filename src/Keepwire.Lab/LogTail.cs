namespace Keepwire.Lab;

/// <summary>The end of a log file, for error messages that should show why a process did not come up.</summary>
internal static class LogTail
{
    public static string Read(string logFile, int lines = 20)
    {
        try
        {
            var all = File.ReadAllLines(logFile);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }

    public static string Describe(string logFile, int lines = 20)
    {
        var tail = Read(logFile, lines);
        return tail.Length == 0 ? $"Its log {logFile} is empty or missing." : $"Last lines of {logFile}:\n{tail}";
    }
}
