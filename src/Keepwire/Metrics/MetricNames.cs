namespace Keepwire.Metrics;

/// <summary>
/// Every metric name Keepwire exports, in one place: the dashboard in deploy/ and the docs name these, and a
/// rename here is a rename for every user's queries. Prometheus conventions: a unit suffix (<c>_seconds</c>,
/// <c>_bytes</c>), <c>_total</c> on counters, and no label whose values grow with traffic (no client
/// addresses): services, sites, checks and hubs come from the configuration, so a config bounds every series.
/// The WireGuard ones are the names wireguard_exporter (MindFlavor's) exports, so existing graphs keep working.
/// </summary>
public static class MetricNames
{
    public const string BuildInfo = "keepwire_build_info";
    public const string ServiceServing = "keepwire_service_serving";
    public const string SiteHealthy = "keepwire_site_healthy";
    public const string CheckHealthy = "keepwire_check_healthy";
    public const string CheckDuration = "keepwire_check_duration_seconds";
    public const string Failovers = "keepwire_failovers_total";
    public const string FailoverDetectionToSwitch = "keepwire_failover_detection_to_switch_seconds";
    public const string NftApplyDuration = "keepwire_nft_apply_duration_seconds";
    public const string ConntrackFlushed = "keepwire_conntrack_entries_flushed_total";
    public const string ReconcileErrors = "keepwire_reconcile_errors_total";
    public const string HubHoldsVips = "keepwire_hub_holds_vips";
    public const string HubPairDeciding = "keepwire_hub_pair_deciding";
    public const string HubLoopLag = "keepwire_hub_loop_lag_seconds";
    public const string ProbesInconclusive = "keepwire_probes_inconclusive_total";
    public const string HubSuspected = "keepwire_hub_suspected_total";
    public const string SiteRefusals = "keepwire_site_refusals_total";
    public const string SiteLivenessUp = "keepwire_site_liveness_up";
    public const string SiteLivenessRtt = "keepwire_site_liveness_rtt_seconds";
    public const string SiteLivenessLoss = "keepwire_site_liveness_loss_ratio";
    public const string SyncMessages = "keepwire_sync_messages_total";
    public const string NotificationsDropped = "keepwire_notifications_dropped_total";
    public const string NotificationsDelivered = "keepwire_notifications_delivered_total";
    public const string NotificationsFailed = "keepwire_notifications_failed_total";
    public const string SiteReportHealthy = "keepwire_site_report_healthy";
    public const string WireGuardLatestHandshake = "wireguard_latest_handshake_seconds";
    public const string WireGuardSent = "wireguard_sent_bytes_total";
    public const string WireGuardReceived = "wireguard_received_bytes_total";
}
