namespace Keepwire.Decisions;

/// <summary>
/// What a site's agent says about itself ("unhealthy: disk full"). A report holds until the next
/// one replaces it; an agent that stops reporting changes nothing (sites in SNAT mode never report).
/// </summary>
public sealed record SiteAgentReport(string Site, bool Healthy, string Reason, DateTimeOffset Time);
