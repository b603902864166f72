namespace Causeway.DataPlane.Telemetry;

/// <summary>The names, help texts and labels of the data plane's metrics (one place, so dashboards have one source).</summary>
internal static class HttpMetrics
{
    public const string Requests = "causeway_http_requests_total";
    public const string RequestsHelp = "HTTP requests by gateway, listener, route, rule, backend, method and status code (route=\"\": no route matched)";
    public static readonly string[] RequestLabels = ["gateway", "listener", "route", "rule", "backend", "method", "code"];

    public const string Duration = "causeway_http_request_duration_seconds";
    public const string DurationHelp = "Time from a complete request head to the end of the response";
    public static readonly string[] DurationLabels = ["gateway", "listener", "route", "code_class"];

    public const string Active = "causeway_http_active_requests";
    public const string ActiveHelp = "Requests in flight";
    public static readonly string[] ListenerLabels = ["gateway", "listener"];

    public const string UpstreamDuration = "causeway_upstream_request_duration_seconds";
    public const string UpstreamDurationHelp = "Time from sending a request to a backend to the end of its response (or failure)";
    public static readonly string[] UpstreamLabels = ["backend", "code_class"];

    public const string Retries = "causeway_upstream_retries_total";
    public const string RetryOverflows = "causeway_upstream_retry_overflows_total";
    public const string ConnectErrors = "causeway_upstream_connect_errors_total";
    public const string Endpoints = "causeway_backend_endpoints";
    public const string HealthChecks = "causeway_health_checks_total";
    public static readonly string[] BackendLabels = ["backend"];

    public const string Connections = "causeway_downstream_connections_total";
    public const string ConnectionsActive = "causeway_downstream_connections_active";
    public static readonly string[] ConnectionLabels = ["gateway", "listener", "protocol"];

    public const string CertificateExpiry = "causeway_tls_certificate_expiry_timestamp_seconds";
    public static readonly string[] CertificateLabels = ["gateway", "listener", "secret"];
}
