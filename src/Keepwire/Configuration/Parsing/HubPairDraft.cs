using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>The top-level <c>hub_pair</c> mapping as read from the file, before the checks against the hubs.</summary>
/// <param name="KeyNode">The <c>hub_pair</c> key, where "only with two hubs" is reported.</param>
/// <param name="SyncPortPosition">Where a conflict of sync_port belongs: its value, or the mapping when it is defaulted.</param>
/// <param name="Settings">Null when a value was invalid (already reported).</param>
internal sealed record HubPairDraft(YamlNode KeyNode, YamlNode SyncPortPosition, HubPairSettings? Settings);
