namespace Keepwire.Lab;

/// <summary>
/// Keeps a lab's logs after its teardown: a test that failed in CI is otherwise left with its assertion only,
/// because the daemons' logs went with the lab's state directory. When <see cref="DirectoryVariable"/> names a
/// directory, teardown copies the logs of every process, the cluster config and each site's nginx logs into
/// <c>{directory}/{UTC time}-{prefix}/</c> before it removes the lab. Private keys are never copied.
/// <c>scripts/test</c> sets the variable and keeps the copies only when a test failed.
/// </summary>
internal static class LabLogArchive
{
    public const string DirectoryVariable = "KEEPWIRE_LAB_LOG_ARCHIVE";

    /// <summary>The directory to archive into, or null when archiving is off.</summary>
    public static string? Directory => Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory ? directory : null;

    /// <summary>Copies what is worth reading of the lab at <paramref name="paths"/>; returns where, or null when there was nothing.</summary>
    public static string? Copy(LabPaths paths, string archiveDirectory, DateTimeOffset now)
    {
        if (!System.IO.Directory.Exists(paths.Root))
            return null;
        var target = Path.Combine(archiveDirectory, $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{paths.Prefix}");
        System.IO.Directory.CreateDirectory(target);
        CopyIfExists(paths.ConfigFile, Path.Combine(target, Path.GetFileName(paths.ConfigFile)));
        CopyIfExists(paths.ManifestFile, Path.Combine(target, Path.GetFileName(paths.ManifestFile)));
        if (System.IO.Directory.Exists(paths.LogsDirectory))
        {
            foreach (var log in System.IO.Directory.EnumerateFiles(paths.LogsDirectory, "*.log"))
                CopyIfExists(log, Path.Combine(target, Path.GetFileName(log)));
        }
        if (System.IO.Directory.Exists(paths.SitesDirectory))
        {
            foreach (var log in System.IO.Directory.EnumerateFiles(paths.SitesDirectory, "*.log", SearchOption.AllDirectories))
            {
                var site = Path.GetFileName(Path.GetDirectoryName(log)!);
                CopyIfExists(log, Path.Combine(target, $"nginx-{site}-{Path.GetFileName(log)}"));
            }
        }
        return target;
    }

    private static void CopyIfExists(string source, string destination)
    {
        if (File.Exists(source))
            File.Copy(source, destination, overwrite: true);
    }
}
