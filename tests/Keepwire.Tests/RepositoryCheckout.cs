namespace Keepwire.Tests;

/// <summary>The checkout these tests were built from, for tests that read its documents and scripts.</summary>
internal static class RepositoryCheckout
{
    /// <summary>The directory holding Keepwire.sln, found upwards from the test assembly.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Keepwire.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no Keepwire.sln above {AppContext.BaseDirectory}: run the tests from a checkout");
    }
}
