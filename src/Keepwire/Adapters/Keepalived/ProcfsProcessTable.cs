namespace Keepwire.Adapters.Keepalived;

/// <summary><see cref="IProcessTable"/> over /proc.</summary>
public sealed class ProcfsProcessTable : IProcessTable
{
    public IReadOnlyList<string>? CommandLine(int pid)
    {
        try
        {
            // A zombie has exited: it only waits to be reaped, which a container's init may never do. It
            // counts as gone, or a killed keepalived would never be restarted.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            if (state is 'Z' or 'X' or default(char))
                return null;
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }
}
