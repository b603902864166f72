using System.Text.Json.Serialization;

namespace Causeway.Model.Objects;

/// <summary>
/// <c>spec.telemetry.accessLog</c> of an Envoy Gateway <c>EnvoyProxy</c>: off (<c>disable</c>), or the settings that
/// replace the default access log of the Gateways that use it.
/// </summary>
public sealed record ProxyAccessLog
{
    public bool? Disable { get; init; }
    public IReadOnlyList<ProxyAccessLogSetting> Settings { get; init; } = [];
}

/// <summary>One access log: its format, CEL match conditions, sinks, and which component emits it (Route, Listener, both).</summary>
public sealed record ProxyAccessLogSetting
{
    public ProxyAccessLogFormat? Format { get; init; }
    public IReadOnlyList<string> Matches { get; init; } = [];
    public IReadOnlyList<ProxyAccessLogSink> Sinks { get; init; } = [];

    /// <summary><c>Route</c>, <c>Listener</c>, or null (routes, and listeners for requests no route matched).</summary>
    public string? Type { get; init; }
}

public sealed record ProxyAccessLogFormat
{
    /// <summary><c>Text</c> or <c>JSON</c>.</summary>
    public string? Type { get; init; }
    public string? Text { get; init; }

    /// <summary>Field name -> format string (command operators), in the order written.</summary>
    [JsonPropertyName("json")]
    public IReadOnlyDictionary<string, string>? Json { get; init; }
}

public sealed record ProxyAccessLogSink
{
    /// <summary><c>File</c>, <c>OpenTelemetry</c> or <c>ALS</c>.</summary>
    public string? Type { get; init; }
    public FileAccessLogSink? File { get; init; }
    public OpenTelemetryAccessLogSink? OpenTelemetry { get; init; }

    /// <summary>The gRPC access log service sink (read only to say it is not served).</summary>
    [JsonPropertyName("als")]
    public System.Text.Json.Nodes.JsonObject? Als { get; init; }
}

public sealed record FileAccessLogSink
{
    public string? Path { get; init; }
}

public sealed record OpenTelemetryAccessLogSink
{
    public string? Host { get; init; }
    public int? Port { get; init; }
    public IReadOnlyList<TracingBackendRef> BackendRefs { get; init; } = [];

    /// <summary>Resource attributes of every log record.</summary>
    public IReadOnlyDictionary<string, string> Resources { get; init; } = new Dictionary<string, string>();
}
