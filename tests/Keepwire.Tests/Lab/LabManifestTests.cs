using Keepwire.Lab;

namespace Keepwire.Tests.Lab;

/// <summary>The manifest tells a later `keepwire lab …` how to run the lab's daemons, the hubs' own command included.</summary>
public sealed class LabManifestTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("keepwire-lab-manifest-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void The_hub_command_survives_a_round_trip_so_restarted_hubs_run_it_too()
    {
        var file = Path.Combine(scratch, "lab.json");
        new LabManifest("kw1a2b", ["dotnet", "/build/keepwire.dll"], DateTimeOffset.UnixEpoch, HubPair: true, HubCommand: ["/usr/lib/keepwire/keepwire"]).Write(file);

        var read = LabManifest.Read(file);

        Assert.Equal(["/usr/lib/keepwire/keepwire"], read.HubCommand);
        Assert.Equal(["dotnet", "/build/keepwire.dll"], read.KeepwireCommand);
        Assert.True(read.HubPair);
    }

    [Fact]
    public void A_manifest_written_before_hub_commands_runs_its_hubs_like_its_sites()
    {
        var file = Path.Combine(scratch, "lab.json");
        File.WriteAllText(file, """{ "Prefix": "kw1a2b", "KeepwireCommand": ["dotnet", "/build/keepwire.dll"], "CreatedAt": "2026-12-01T00:00:00Z" }""");

        Assert.Null(LabManifest.Read(file).HubCommand);
    }
}
