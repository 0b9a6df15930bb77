using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Tests.Configuration;

namespace Keepwire.Tests.Onboarding;

/// <summary>Commented configurations in the layouts people write, and a scratch directory for the files a test changes.</summary>
internal sealed class OnboardingFiles : IDisposable
{
    /// <summary>Block style, comments everywhere (before entries, after values, between sections), a blank line or two.</summary>
    public const string Commented = $$"""
        # The cluster.   Keep this comment.
        hubs:
          # the one hub
          - name: hub
            endpoint: hub.example.net:51820   # sites dial this
            public_key: {{ConfigText.HubKey}}
            tunnel: { ipv4: 10.77.0.1/24, ipv6: fd77::1/64 }

        sites:
          # primary, at home
          - name: alpha
            public_key: {{ConfigText.AlphaKey}}
            priority: 200     # serves while healthy

          - name: bravo   # the office
            public_key: '{{ConfigText.BravoKey}}'
            tunnel: { ipv4: 10.77.0.20 }
            # a trailing comment inside bravo

        # The services.
        services:
          - name: web
            vips: [203.0.113.80]
            ports: [tcp/80]
            sites: [alpha, bravo]   # both
          - name: mail
            vips: [203.0.113.81]
            ports: [tcp/25]
            sites:
              - alpha
              # only alpha for now
        """;

    /// <summary>Every site a one-line flow mapping, as the README writes them.</summary>
    public const string FlowItems = $$"""
        hubs:
            -   name: hub
                endpoint: hub.example.net:51820
                public_key: {{ConfigText.HubKey}}
                tunnel: { ipv4: 10.77.0.1/24 }
        sites:
            - { name: alpha, public_key: {{ConfigText.AlphaKey}}, priority: 200 }   # first
        """;

    public OnboardingFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "kw-onboarding-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string StateDirectory => Path.Combine(Directory, "state");

    public string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static ClusterConfig Load(string yaml)
    {
        var result = ConfigLoader.Parse(yaml, "test.yaml");
        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        return result.Config!;
    }

    /// <summary>Asserts that <paramref name="after"/> holds every line of <paramref name="before"/>, in order: an edit only inserts.</summary>
    public static void AssertKeepsEveryLine(string before, string after)
    {
        var remaining = new Queue<string>(before.Split('\n'));
        foreach (var line in after.Split('\n'))
        {
            if (remaining.Count > 0 && remaining.Peek() == line)
                remaining.Dequeue();
        }
        Assert.True(remaining.Count == 0, $"lost or changed line: '{(remaining.Count > 0 ? remaining.Peek() : "")}'\n--- after:\n{after}");
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
