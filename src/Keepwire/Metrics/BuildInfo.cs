using System.Reflection;
using System.Runtime.InteropServices;
using Prometheus;

namespace Keepwire.Metrics;

/// <summary><c>keepwire_build_info{version,runtime,role}</c> 1: which build a node runs, joinable onto any other series.</summary>
internal static class BuildInfo
{
    public static void Register(IMetricFactory factory, string role)
    {
        var version = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        factory.CreateGauge(MetricNames.BuildInfo, "The build this node runs (always 1).", ["version", "runtime", "role"])
            .WithLabels(version, RuntimeInformation.FrameworkDescription, role)
            .Set(1);
    }
}
