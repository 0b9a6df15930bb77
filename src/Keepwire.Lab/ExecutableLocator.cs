namespace Keepwire.Lab;

/// <summary>Finds a program's absolute path, for tools (start-stop-daemon) that exec without a PATH search.</summary>
internal static class ExecutableLocator
{
    // sbin directories are searched too: `ip` lives there and a non-login root shell may lack them.
    private static readonly string[] ExtraDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    public static string Find(string program)
    {
        if (Path.IsPathRooted(program))
            return program;
        var searchPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in searchPath.Concat(ExtraDirectories))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new LabException($"Cannot find the program '{program}' in PATH; install it (see scripts/) and retry.");
    }
}
