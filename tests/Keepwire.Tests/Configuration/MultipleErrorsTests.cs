using Keepwire.Configuration;

namespace Keepwire.Tests.Configuration;

public sealed class MultipleErrorsTests
{
    [Fact]
    public void Every_problem_in_a_file_is_reported_together_in_file_order()
    {
        var yaml = """
            hubs:
              - name: hub
                endpoint: hub.example.net
                public_key: WbW/rWfViauNmPHbZanI6Climp7mFBdnltqzdvr/qgA=
                tunnel: { ipv4: 10.77.0.1/24 }
            sites:
              - name: alpha
                public_key: ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg=
                priority: 0
                mode: active
              - name: alpha
                public_key: short
            services:
              - name: web
                vips: [203.0.113.80, 10.77.0.1]
                ports: [tcp/80, tcp/70-60]
                sites: [bravo]
                health: http
            """;

        var result = ConfigLoader.Parse(yaml, "many.yaml");

        Assert.Null(result.Config);
        (int Line, int Column, string Fragment)[] expected =
        [
            (3, 15, "endpoint 'hub.example.net' has no port"),
            (9, 15, "priority 0 is out of range"),
            (10, 11, "unknown mode 'active'"),
            (11, 11, "name 'alpha' of this site is already used by the site at line 7"),
            (12, 17, "public_key is not a WireGuard key"),
            (15, 26, "VIP 10.77.0.1 of service 'web' is the tunnel address of hub 'hub'"),
            (16, 21, "port range 'tcp/70-60' is reversed"),
            (17, 13, "service 'web' refers to undefined site 'bravo'"),
            (18, 5, "unknown key 'health' in service"),
        ];
        Assert.Equal(expected.Select(e => (e.Line, e.Column)), result.Errors.Select(e => (e.Line, e.Column)));
        foreach (var (error, fragment) in result.Errors.Zip(expected.Select(e => e.Fragment)))
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_file_is_one_error_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"keepwire-missing-{Guid.NewGuid():N}", "cluster.yaml");

        var result = ConfigLoader.Load(path);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.File);
        Assert.Equal(0, error.Line);
        Assert.StartsWith($"{path}: cannot read the configuration file: the file does not exist", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_not_read_as_a_configuration()
    {
        var directory = Directory.CreateTempSubdirectory("keepwire-config-").FullName;
        try
        {
            var error = Assert.Single(ConfigLoader.Load(directory).Errors);

            Assert.StartsWith($"{directory}: cannot read the configuration file: it is a directory", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var result = ConfigLoader.Parse("# nothing here\n", "empty.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("the configuration is empty", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_has_the_compiler_style_form_with_and_without_hint()
    {
        Assert.Equal("a.yaml:3:7: bad thing (hint: do this)", new ConfigError("a.yaml", 3, 7, "bad thing", "do this").ToString());
        Assert.Equal("a.yaml:3:7: bad thing", new ConfigError("a.yaml", 3, 7, "bad thing", null).ToString());
    }
}
