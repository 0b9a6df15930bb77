using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keepwire.Lab;

/// <summary>What a later process needs to drive a lab it did not build: how to run keepwire, and its layout.</summary>
/// <param name="HubPair">The lab has two hubs; false in manifests written before hub pairs existed.</param>
/// <param name="ProviderRouted">The hub pair shares no layer 2 and the provider router moves the VIPs (<see cref="LabTopology.IsProviderRouted"/>).</param>
/// <param name="SiteRouter">alpha routes for a LAN with two servers (<see cref="LabTopology.Lan"/>).</param>
/// <param name="HubCommand">What runs the hub daemons when not <paramref name="KeepwireCommand"/> (<see cref="LabOptions.HubCommand"/>).</param>
internal sealed record LabManifest(
    string Prefix,
    IReadOnlyList<string> KeepwireCommand,
    DateTimeOffset CreatedAt,
    bool HubPair = false,
    bool ProviderRouted = false,
    bool SiteRouter = false,
    IReadOnlyList<string>? HubCommand = null)
{
    [JsonIgnore]
    public LabTopology Topology => LabTopology.Create(Prefix, HubPair, ProviderRouted, SiteRouter);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public void Write(string file) => File.WriteAllText(file, JsonSerializer.Serialize(this, JsonOptions));

    public static LabManifest Read(string file)
    {
        try
        {
            return JsonSerializer.Deserialize<LabManifest>(File.ReadAllText(file), JsonOptions)
                ?? throw new LabException($"The lab manifest {file} is empty.");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LabException($"No lab there: {file} does not exist. `keepwire lab status` lists the labs on this machine.", e);
        }
        catch (JsonException e)
        {
            throw new LabException($"The lab manifest {file} is unreadable: {e.Message}", e);
        }
    }
}
