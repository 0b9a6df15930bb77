namespace Keepwire.Adapters.Routing;

/// <summary>
/// <see cref="ISysctl"/> by reading and writing the files under /proc/sys in-process, what <c>sysctl</c> does
/// itself. The hub checks its sysctls every reconcile pass, and starting <c>sysctl</c> five times a second was a
/// good part of an idle hub's CPU. /proc/sys/net shows the network namespace of the process that opens it, so
/// this acts on the daemon's own namespace only; code that acts on another namespace through
/// <c>ip netns exec</c> (tests, the lab) uses <see cref="Sysctl"/>.
/// </summary>
/// <param name="root">Where the tree is: /proc/sys, or a directory standing in for it in a test.</param>
public sealed class ProcSysctl(string root = ProcSysctl.DefaultRoot) : ISysctl
{
    public const string DefaultRoot = "/proc/sys";

    public Task<string?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult<string?>(File.ReadAllText(PathOf(key)).Trim());
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The key does not exist: the interface is gone, or IPv6 is off on it.
            return Task.FromResult<string?>(null);
        }
    }

    public Task WriteAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        try
        {
            // One write of the whole value, as sysctl -w does: the kernel parses it on write and refuses a bad one there.
            File.WriteAllText(PathOf(key), value + "\n");
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot set sysctl {key} = {value}: {e.Message}", e);
        }
    }

    /// <summary>The file of a slash-form key; a key that would leave the tree is refused.</summary>
    private string PathOf(string key)
    {
        if (key.Length == 0 || key.StartsWith('/') || key.Split('/').Any(part => part is "" or "." or ".."))
            throw new ArgumentException($"not a sysctl key: '{key}' (expected the slash form, e.g. net/ipv4/ip_forward)", nameof(key));
        return Path.Combine(root, key);
    }
}
