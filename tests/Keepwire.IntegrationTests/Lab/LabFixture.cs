using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// A lab for one test class (<c>IClassFixture&lt;LabFixture&gt;</c>), built with a fresh random
/// prefix before the first test and torn down after the last, whether the tests passed or not.
/// Without daemons by default; derive and override <see cref="CreateOptions"/> for more (for
/// example <c>StartDaemons = true</c>). Tests that break the lab should build their own with
/// <see cref="UpAsync"/> in an <c>await using</c>.
/// </summary>
public class LabFixture : IAsyncLifetime
{
    private LabHandle? lab;

    public NetworkLab Labs { get; } = new(new CommandRunner());

    public LabHandle Lab => lab ?? throw new InvalidOperationException("The lab is not up: the fixture has not been initialised.");

    /// <summary>Options for a lab that runs the keepwire built with the tests.</summary>
    public static LabOptions Options(bool startDaemons = false) =>
        new() { KeepwireCommand = KeepwireExecutable.Command(), StartDaemons = startDaemons };

    /// <summary>Builds a lab of its own (dispose it to tear it down).</summary>
    public static Task<LabHandle> UpAsync(LabOptions? options = null) =>
        new NetworkLab(new CommandRunner()).UpAsync(options ?? Options());

    protected virtual LabOptions CreateOptions() => Options();

    public async Task InitializeAsync() => lab = await Labs.UpAsync(CreateOptions());

    public async Task DisposeAsync()
    {
        if (lab is not null)
            await lab.DisposeAsync();
    }
}
