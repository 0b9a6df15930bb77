namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// The keepwire built with the tests: the test project references Keepwire.Cli, so its output
/// (the <c>keepwire</c> apphost and <c>keepwire.dll</c>) is copied next to the test assembly.
/// </summary>
public static class KeepwireExecutable
{
    /// <summary>The command that runs that keepwire, ready for <c>LabOptions.KeepwireCommand</c>.</summary>
    public static IReadOnlyList<string> Command()
    {
        var directory = AppContext.BaseDirectory;
        var apphost = Path.Combine(directory, "keepwire");
        if (File.Exists(apphost))
            return [apphost];
        var assembly = Path.Combine(directory, "keepwire.dll");
        if (File.Exists(assembly))
            return ["dotnet", assembly];
        throw new InvalidOperationException($"keepwire is not in the test output {directory}: build the solution (the tests reference Keepwire.Cli).");
    }
}
