namespace Keepwire.Adapters.Keepalived;

/// <summary>Looks processes up by pid, so the supervisor can tell a running keepalived from a stale pid file.</summary>
public interface IProcessTable
{
    /// <summary>The command line of a running process, or null when there is none (or only a zombie) with that pid.</summary>
    IReadOnlyList<string>? CommandLine(int pid);
}
